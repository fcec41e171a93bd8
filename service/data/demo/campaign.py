"""The demo's past campaign: an activity invitation to adult readers 90 days before the end
of the year, with a 10 % hold-out, built through the real handlers like everything else.

Four readers in five consented to marketing (set at registration time). Some invited readers
came back: a share of the consenting sent group borrows a book within 25 days and returns it
two weeks later, so the uplift report shows a difference next to the hold-out's baseline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service.application import circulation
from service.application import commands as c
from service.application.context import SYSTEM, Actor, Principal
from service.application.handlers import handle
from service.domain.campaigns.assignment import SENT
from service.domain.errors import DomainError
from service.domain.notices.keys import campaign_key

LIBRARIAN = Actor(Principal("staff", "librarian", "librarian"), "desk")
WORKER = Actor(SYSTEM, "worker")
DAYS_BEFORE_END = 90
CAME_BACK = 0.18  # share of the invited (consenting, sent) readers who came back
MESSAGE = ("本周六下午两点，总馆三楼报告厅举办“科幻之夜”读书会，欢迎您来参加，也可借阅活动书单上的图书。\n"
           "Join our science-fiction reading evening this Saturday at 2 pm, lecture hall on "
           "the 3rd floor of the main library, and borrow from the club's reading list.")


def consents(index: int) -> bool:
    """Whether the demo's reader number ``index`` agreed to marketing (four in five)."""
    return index % 5 != 4


@dataclass(frozen=True)
class Visit:
    """A reader who came back after the invitation borrows ``barcode``; returns it later."""

    at: datetime
    reader_id: str
    card_number: str
    barcodes: tuple[str, ...]
    returns: bool = False


def campaign_moment(start: date, timezone: str) -> datetime:
    day = start + timedelta(days=365 - DAYS_BEFORE_END)
    return datetime.combine(day, time(10), ZoneInfo(timezone)).astimezone(UTC)


def run_campaign(ports: Any, people: list[Any], copies: list[Any], seed: int,
                 timezone: str) -> list[Visit]:
    """Create, launch and schedule the campaign at the clock's now; return the visits to add."""
    now = ports.clock()
    adults = tuple(sorted(r.reader_id for r in people if r.category == "adult"))
    cid = handle(ports, LIBRARIAN, c.CreateCampaign(
        "科幻之夜读书会邀请 · Sci-fi reading evening", {"category": "adult"},
        "campaign_activity", now, MESSAGE, 10)).result["campaign_id"]
    launched = handle(ports, LIBRARIAN, c.LaunchCampaign(cid, seed=seed, readers=adults))
    groups = _groups(ports, cid)
    day = now.astimezone(ZoneInfo(timezone)).date()
    for reader_id in sorted(r for r, g in groups.items() if g == SENT):
        key = campaign_key("campaign_activity", cid, reader_id)
        handle(ports, WORKER, c.ScheduleNotice(key, reader_id, "campaign_activity",
                                               {"campaign_id": cid, "message": MESSAGE}, day))
    rng = random.Random(seed)
    consenting = {r.reader_id for i, r in enumerate(people) if consents(i)}
    cards = {r.reader_id: r.card_number for r in people}
    barcodes = [cp.barcode for cp in copies]
    visits = []
    for reader_id in sorted(groups):
        if groups[reader_id] != SENT or reader_id not in consenting or rng.random() >= CAME_BACK:
            continue
        at = now + timedelta(days=rng.randint(1, 25), hours=rng.randint(0, 6))
        picks = tuple(rng.sample(barcodes, 5))
        visits.append(Visit(at, reader_id, cards[reader_id], picks))
        visits.append(Visit(at + timedelta(days=14), reader_id, cards[reader_id], picks, True))
    assert launched.result["sent"] > 0
    return visits


def _groups(ports: Any, campaign_id: str) -> dict[str, str]:
    from events.campaigns import CampaignLaunched
    from events.streams import campaign_stream

    for stored in ports.store.load([campaign_stream(campaign_id)]).events:
        if isinstance(stored.event, CampaignLaunched):
            return dict(stored.event.assignments)
    return {}


def perform_visit(ports: Any, actor: Actor, visit: Visit) -> None:
    """Borrow the first free copy of the picks, or return what this visit borrowed."""
    if visit.returns:
        loans = circulation.reader_state(ports, visit.reader_id).loans.values()
        for loan in loans:
            if loan.barcode in visit.barcodes:
                handle(ports, actor, c.CheckIn(loan.barcode, None))
        return
    for barcode in visit.barcodes:
        try:
            handle(ports, actor, c.CheckOut(visit.card_number, barcode, None))
            return
        except DomainError:
            continue
