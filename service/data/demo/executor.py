"""Build the demo library through the real command handlers, not by writing projections."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from events.memory_store import MemoryEventStore
from events.transfer import copy_log
from projections.runner import catch_up_together
from service.application import circulation
from service.application import commands as c
from service.application.accounts import create_staff, set_reader_pin
from service.application.context import SYSTEM, Actor, Ports, Principal
from service.application.handlers import handle
from service.application.relationships.segments import month_ends_between
from service.application.unit_of_work import memory_units
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.data.demo import (
    DEMO_POLICY,
    CancelHold,
    CheckIn,
    CheckOut,
    PayFine,
    PlaceHold,
    Renew,
    SubmitFeedback,
    SuggestPurchase,
    closed_days,
    generate_catalogue,
    generate_readers,
    generate_year_plan,
    plan_statistics,
)
from service.data.demo.campaign import Visit, campaign_moment, consents, perform_visit, run_campaign
from service.data.demo.engagement import make_engagement
from service.data.demo.notices import deliver_past_to_mailbox
from service.domain.errors import DomainError
from service.domain.library.policy import PolicyMatrix, PolicyRule

STAFF = (("admin", "admin", "lector-admin"), ("librarian", "librarian", "lector-librarian"),
         ("desk", "desk", "lector-desk"), ("teacher", "teacher", "lector-teacher"))
DEMO_CLASS = "demo-3-2"
FEEDBACK_CATEGORY = {"facilities": "facility", "digital": "other"}
Progress = Callable[[str, int, int], None]


@dataclass
class DemoReport:
    seed: int
    start: date
    target_loans: int = 15000
    titles: int = 0
    copies: int = 0
    readers: int = 0
    actions: int = 0
    accepted: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    plan: Any = None
    demo_reader: tuple[str, str] | None = None
    demo_child: tuple[str, str] | None = None  # linked to the demo reader: card, PIN
    mailbox: int = 0
    engagement: dict[str, int] = field(default_factory=dict)
    people: Any = None
    branches: tuple[str, ...] = ()


def demo_matrix() -> PolicyMatrix:
    """The policy the generated plan assumes (one rule for everyone)."""
    p = DEMO_POLICY
    rule = PolicyRule(None, None, None, loan_days=p.loan_days, renewals_allowed=p.max_renewals,
                      renewal_days=p.renewal_days, loan_limit=p.loan_limit,
                      hold_limit=p.hold_limit, daily_fine_fen=p.daily_fine_fen,
                      fine_cap_fen=3000, grace_days=0, pickup_days=p.hold_pickup_days)
    return PolicyMatrix((rule,), block_fine_threshold_fen=5000, block_overdue_days=60)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build_demo(config: Config, seed: int = 2025, start: date | None = None,
               progress: Progress | None = None, target_loans: int = 15000) -> DemoReport:
    """Create staff, catalogue, readers and a year of circulation; fold the projections."""
    began = time.monotonic()
    start = start or (datetime.now(UTC).date() - timedelta(days=365))
    clock = _Clock(datetime.combine(start, datetime.min.time(), UTC) - timedelta(days=1))
    lector = bootstrap(config, after_commit=lambda position: None, clock=clock)
    # The year runs through the real command handlers against the in-memory twin of the
    # store (same contract tests), then the log is written to the database verbatim and the
    # projections are folded once: the same events, minutes faster than row by row.
    memory = MemoryEventStore()
    ports = replace(lector.ports, store=memory, uow=memory_units(memory, lector.engine))
    report = DemoReport(seed, start, target_loans=target_loans)
    try:
        _setup(lector, ports, report, seed, start, progress)
        _run_year(ports, report, clock, progress)
        _engagement(ports, report, clock, seed)
        if progress:
            progress("saving the log", 0, 1)
        copy_log(memory, lector.engine)
        if progress:
            progress("saving the log", 1, 1)
        # The year's segment snapshots (month ends), so movement between segments shows at once.
        for day in month_ends_between(start, clock.now.date()):
            handle(lector.ports, Actor(SYSTEM, "worker"), c.RefreshSegments(day))
        head = lector.store.last_position()
        catch_up_together(lector.engine, lector.store, lector.projections, batch=5000,
                          progress=(lambda done, last: progress("projections", done, head))
                          if progress else None)
        if progress:
            progress("notices to the mailbox", 0, 1)
        # The year's notices are its past: delivered to the local mailbox, never queued.
        report.mailbox = deliver_past_to_mailbox(lector, clock.now)
    finally:
        lector.dispose()
    report.seconds = time.monotonic() - began
    return report


DEMO_REPORT_SETTINGS = {"dead_stock_months": 6,
                        "weeding": {"clc": {"default": {"age_years": 10, "idle_years": 1}}}}


def _setup(lector: Lector, ports: Ports, report: DemoReport, seed: int, start: date,
           progress: Progress | None) -> None:
    rng = random.Random(seed)
    cat = generate_catalogue(rng)
    people = generate_readers(rng)
    report.plan = (rng, cat, people)
    admin = Actor(SYSTEM, "worker")
    for username, role, password in STAFF:
        create_staff(lector.engine, username, password, role, f"Demo {role}")
    handle(ports, admin, c.ChangePolicy(demo_matrix().to_dict()))
    # A library with one year of history: dead stock after 6 months, weeding after a year.
    handle(ports, admin, c.ChangeReportSettings(DEMO_REPORT_SETTINGS))
    holidays = [d.isoformat() for d in closed_days(start, 400)]
    for branch in cat.branches:
        handle(ports, admin, c.ChangeCalendar(branch, {"closed_weekdays": [],
                                                       "closed_dates": holidays}))
    for n, t in enumerate(cat.titles, 1):
        handle(ports, admin, c.CatalogueTitle(
            title=t.title, authors=t.authors, isbn=t.isbn13, publisher=t.publisher, year=t.year,
            language=t.language, clc_class=t.clc_class, subjects=t.subjects,
            title_id=t.title_id))
        if progress and n % 100 == 0:
            progress("titles", n, len(cat.titles))
    for copy in cat.copies:
        handle(ports, admin, c.AddCopy(
            copy.barcode, copy.title_id, copy.branch, copy.item_type, copy.shelf_mark,
            copy.price_fen))
    for n, r in enumerate(people):
        handle(ports, admin, c.RegisterReader(
            card_number=r.card_number, name=r.name, category=r.category, language=r.language,
            phone=r.phone, email=r.email, keep_history=r.keep_history, home_branch=r.branch,
            expires_on=start + timedelta(days=3 * 365), reader_id=r.reader_id))
        if consents(n):  # most demo readers agreed to hear from the library (PIPL: opt-in)
            handle(ports, admin, c.SetPreferences(r.reader_id, marketing=True))
        if n == 0:  # one reader who can sign in to the portal (hashing every PIN is slow)
            with lector.engine.begin() as conn:
                set_reader_pin(conn, r.reader_id, r.pin)
            report.demo_reader = (r.card_number, r.pin)
    report.titles, report.copies, report.readers = len(cat.titles), len(cat.copies), len(people)
    report.people, report.branches = people, tuple(cat.branches)

    _family_and_class(lector, ports, report, people, cat)


def _family_and_class(lector: Lector, ports: Ports, report: DemoReport, people: Any,
                      cat: Any) -> None:
    """The demo reader is a guardian of one child (linked at the desk, the child can sign in
    too); the demo teacher has a class of children with a reading list and a class card."""
    children = [r for r in people[1:] if r.category == "child"]
    if not children:
        return
    child = children[0]
    with lector.engine.begin() as conn:
        set_reader_pin(conn, child.reader_id, child.pin)
    desk = Actor(Principal("staff", "desk", "desk"), "desk")
    handle(ports, desk, c.LinkGuardian(child.reader_id, people[0].reader_id, "desk"))
    report.demo_child = (child.card_number, child.pin)
    handle(ports, desk, c.RegisterReader(card_number="CLASS-3-2", name="实验小学三年级二班",
                                         category="child", reader_id="demo-class-card"))
    teacher = Actor(Principal("staff", "teacher", "teacher"), "api")
    handle(ports, teacher, c.CreateClass(DEMO_CLASS, "三年级二班", "实验小学", "CLASS-3-2"))
    handle(ports, teacher, c.SetClassPupils(DEMO_CLASS, tuple(r.card_number
                                                              for r in children[:12])))
    listed = [t.title_id for t in cat.titles if (t.clc_class or "").startswith("I")][:6]
    handle(ports, teacher, c.SetReadingList(DEMO_CLASS, tuple(listed), "寒假阅读书单"))


def _run_year(ports: Ports, report: DemoReport, clock: _Clock,
              progress: Progress | None) -> None:
    rng, cat, people = report.plan
    actions = list(generate_year_plan(rng, cat, people, report.start,
                                      target_loans=report.target_loans))
    report.plan = plan_statistics(actions, cat, report.start, 365)
    ids = {r.card_number: r.reader_id for r in people}
    channels = _Channels(random.Random(report.seed + 1))
    # The past campaign, 90 days before the end: its invited readers' visits join the plan.
    moment = campaign_moment(report.start, ports.timezone)
    before = [a for a in actions if a.at < moment]
    after = [a for a in actions if a.at >= moment]
    for n, action in enumerate(before, 1):
        _step(ports, report, clock, ids, channels, action, n, len(actions), progress)
    clock.now = moment
    visits = run_campaign(ports, people, cat.copies, report.seed, ports.timezone)
    rest: list[Any] = sorted([*after, *visits], key=lambda a: a.at)
    for n, action in enumerate(rest, len(before) + 1):
        _step(ports, report, clock, ids, channels, action, n, len(actions), progress)
    report.actions = len(actions) + len(visits)
    _titles_in_demand(ports, report, cat, people, clock)


def _step(ports: Ports, report: DemoReport, clock: _Clock, ids: dict[str, str],
          channels: _Channels, action: Any, n: int, total: int,
          progress: Progress | None) -> None:
    clock.now = action.at
    name = type(action).__name__
    try:
        if isinstance(action, Visit):
            perform_visit(ports, DESK, action)
        else:
            _perform(ports, channels.actor_for(action, ids), ids, action)
            channels.performed(action)
        report.accepted[name] += 1
    except DomainError as exc:
        report.refused[f"{name}:{exc.code}"] += 1
    if progress and n % 1000 == 0:
        progress("circulation", n, total)

DESK = Actor(Principal("staff", "desk", "desk"), "desk")
# Where a public library's circulation happens (share of each action by channel): most loans
# and returns at the desk or a self-check kiosk, most renewals and holds from the phone.
CHANNEL_SHARES: dict[str, tuple[tuple[str, float], ...]] = {
    "CheckOut": (("desk", 0.6), ("sip2", 0.4)),
    "CheckIn": (("desk", 0.5), ("sip2", 0.5)),
    "Renew": (("portal", 0.6), ("sip2", 0.15), ("desk", 0.25)),
    "PlaceHold": (("portal", 0.7), ("desk", 0.3)),
    "CancelHold": (("portal", 0.8), ("desk", 0.2)),
    "SubmitFeedback": (("portal", 0.85), ("desk", 0.15)),
    "SuggestPurchase": (("portal", 0.85), ("desk", 0.15)),
}


class _Channels:
    """Picks each demo action's channel (desk, kiosk or portal) from its own seeded draw, so
    the year's plan is the same whatever the mix; the portal acts as the reader themself."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.holder: dict[str, str] = {}  # barcode -> card number of the reader who has it

    def actor_for(self, action: Any, ids: dict[str, str]) -> Actor:
        shares = CHANNEL_SHARES.get(type(action).__name__)
        card = getattr(action, "card_number", None) or self.holder.get(
            getattr(action, "barcode", ""))
        channel = self._draw(shares) if shares else "desk"
        if channel == "portal" and card:
            return Actor(Principal("reader", card, "reader", ids[card]), "portal")
        if channel == "sip2":
            branch = getattr(action, "branch", None) or "main"
            return Actor(Principal("kiosk", f"kiosk-{branch}-1", "desk"), "sip2")
        return DESK

    def _draw(self, shares: tuple[tuple[str, float], ...]) -> str:
        point, total = self.rng.random(), 0.0
        for channel, share in shares:
            total += share
            if point < total:
                return channel
        return shares[-1][0]

    def performed(self, action: Any) -> None:
        if isinstance(action, CheckOut):
            self.holder[action.barcode] = action.card_number
        elif isinstance(action, CheckIn):
            self.holder.pop(action.barcode, None)


# Titles that many readers want at the end of the year: every copy out and a queue longer than
# four per copy, so the holds pressure report and the buy list (ceil(holds / 4) - copies) show
# what a library meets (the plan itself finds copies on the shelf).
HOT_TITLES, HOT_HOLDS = 3, 14


def _titles_in_demand(ports: Ports, report: DemoReport, cat: Any, people: Any,
                      clock: _Clock) -> None:
    copies_of: dict[str, list[Any]] = {}
    for copy in cat.copies:
        copies_of.setdefault(copy.title_id, []).append(copy)
    fewest = min(len(cs) for cs in copies_of.values())
    hot = [cs for cs in copies_of.values() if len(cs) == fewest][:HOT_TITLES]
    readers = iter([r for r in people if r.category == "adult"])
    for copies in hot:
        steps: list[tuple[Actor, Any]] = [
            (DESK, c.CheckOut(next(readers).card_number, copy.barcode, copy.branch))
            for copy in copies]
        steps += [(Actor(Principal("reader", r.card_number, "reader", r.reader_id), "portal"),
                   c.PlaceHold(r.reader_id, copies[0].title_id, copies[0].branch))
                  for r in (next(readers) for _ in range(HOT_HOLDS))]
        for actor, command in steps:
            clock.now += timedelta(minutes=7)
            try:
                handle(ports, actor, command)
                report.accepted["InDemand"] += 1
            except DomainError as exc:
                report.refused[f"InDemand:{exc.code}"] += 1


def _engagement(ports: Ports, report: DemoReport, clock: _Clock, seed: int) -> None:
    """Activities with sign-ups and attendance, and an answered survey (real handlers)."""
    people = report.people
    cards = {r.reader_id: r.card_number for r in people}
    before = clock.now
    report.engagement = make_engagement(ports, clock, report.start, before.date(),
                                        report.branches, cards, seed)
    clock.now = before  # the year's clock goes on from where the circulation left it


def _perform(ports: Any, actor: Actor, ids: dict[str, str], action: Any) -> None:
    match action:
        case CheckOut():
            handle(ports, actor, c.CheckOut(action.card_number, action.barcode, action.branch))
        case CheckIn():
            handle(ports, actor, c.CheckIn(action.barcode, action.branch))
        case Renew():
            handle(ports, actor, c.Renew(action.barcode))
        case PlaceHold():
            handle(ports, actor, c.PlaceHold(ids[action.card_number], action.title_id,
                                             action.pickup_branch))
        case CancelHold():
            state = circulation.reader_state(ports, ids[action.card_number])
            for hold in state.holds.values():
                if hold.title_id == action.title_id:
                    handle(ports, actor, c.CancelHold(hold.hold_id, "reader changed mind"))
        case PayFine():
            reader_id = ids[action.card_number]
            owed = circulation.reader_state(ports, reader_id).fines_owed_fen
            if owed > 0:
                handle(ports, actor, c.PayFines(reader_id, min(owed, action.amount_fen),
                                                "wechat"))
        case SubmitFeedback():
            handle(ports, actor, c.SubmitFeedback(
                ids[action.card_number], FEEDBACK_CATEGORY.get(action.category, action.category),
                action.text, action.rating))
        case SuggestPurchase():
            handle(ports, actor, c.SuggestPurchase(ids[action.card_number], action.title,
                                                   action.author, action.isbn, action.reason))
