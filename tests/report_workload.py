"""A generated library year for the report tests and bench: fixed seed, written through the
store's bulk path (appends of many events), business times spread over the simulated days.

Each loan and hold keeps one channel for its whole life (a hold's pickup loan too), so the
events of one life stay in order although appends are grouped by channel.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from events.catalogue import CopyAdded, TitleCatalogued
from events.feedback import FeedbackAnswered, FeedbackSubmitted, SuggestionDecided, SuggestionSubmitted
from events.holds import HoldCancelled, HoldExpired, HoldPlaced, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import ReaderRegistered
from events.sqlalchemy_store import SqlEventStore
from events.store import PendingEvent

BRANCHES = ("main", "east", "东区")
CATEGORIES = ("adult", "child", "senior")
CHANNELS = ("desk", "desk", "desk", "sip2", "portal", "api")
CLASSES = ("I247.5", "TP311", "K825", "O13", None, "B84")
AUTHORS = ("鲁迅", "刘慈欣", "Ken Liu", "老舍", "张爱玲", "Knuth")


class Workload:
    """Deterministic events: titles, readers, then day by day loans, holds and messages."""

    def __init__(self, seed: int, *, readers: int = 60, titles: int = 40,
                 start: date = date(2025, 11, 3), zone: str = "Asia/Shanghai",
                 per_day: tuple[int, int] = (3, 12), copies: int = 6) -> None:
        self.rng = random.Random(seed)
        self.readers, self.titles, self.start, self.zone = readers, titles, start, ZoneInfo(zone)
        # Each title has 1..copies copies, added the day before the history starts; a checkout
        # takes a copy on the shelf (none: the reader leaves without it) and a return puts it
        # back or sets it aside for the title's first waiting hold.
        self.copies = {f"t{i}": [f"B{i}-{k}" for k in range(1 + i % copies)]
                       for i in range(titles)}
        self.shelf = {title: list(barcodes) for title, barcodes in self.copies.items()}
        self.open: dict[str, dict[str, object]] = {}  # loan id -> facts
        self.waiting: dict[str, dict[str, object]] = {}  # hold id -> facts
        self.trapped: dict[str, dict[str, object]] = {}
        self.messages: list[tuple[str, str, str]] = []
        self.n = 0
        self.per_day = per_day
        self.category = {f"r{i}": self.rng.choice(CATEGORIES) for i in range(readers)}

    def _id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def _at(self, day: date) -> datetime:
        clock = time(self.rng.randrange(8, 22), self.rng.randrange(60), self.rng.randrange(60))
        return datetime.combine(day, clock, self.zone).astimezone(UTC)

    def setup(self) -> Iterator[tuple[str, PendingEvent]]:
        for i in range(self.titles):
            names = tuple(self.rng.sample(AUTHORS, self.rng.randint(0, 2)))
            yield "api", PendingEvent(TitleCatalogued(
                f"t{i}", f"书 {i}", names, clc_class=self.rng.choice(CLASSES)), (f"title-t{i}",))
        for i in range(self.readers):
            yield "desk", PendingEvent(ReaderRegistered(
                f"r{i}", f"C{i:05d}", f"读者{i}", self.category[f"r{i}"],
                home_branch=self.rng.choice(BRANCHES)), (f"reader-r{i}",))
        added = self._at(self.start - timedelta(days=1))
        for title, barcodes in self.copies.items():
            for barcode in barcodes:
                yield "api", PendingEvent(CopyAdded(
                    barcode, title, self.rng.choice(BRANCHES), added_at=added),
                    (f"copy-{barcode}", f"title-{title}"))

    def day(self, offset: int) -> Iterator[tuple[str, PendingEvent]]:
        """One simulated day of activity (a few dozen events)."""
        day, rng = self.start + timedelta(days=offset), self.rng
        for _ in range(rng.randint(*self.per_day)):
            yield from self._checkout(day, rng.choice(CHANNELS), None)
        for loan_id in sorted(self.open):
            facts = self.open[loan_id]
            if facts["day"] == day:  # returned or renewed from tomorrow on, never before it left
                continue
            roll = rng.random()
            if roll < 0.12:
                yield from self._close(day, loan_id, facts)
            elif roll < 0.16 and int(facts["renewals"]) < 2:  # type: ignore[call-overload]
                yield from self._renew(day, loan_id, facts)
        for _ in range(max(1, self.per_day[1] // 10)):
            if rng.random() < 0.5:
                yield from self._hold(day)
        for hold_id in sorted(self.trapped):
            roll = rng.random()
            if roll < 0.4:
                facts = self.trapped.pop(hold_id)
                yield from self._checkout(day, str(facts["channel"]), (hold_id, facts))
            elif roll < 0.5:
                facts = self.trapped.pop(hold_id)
                self.shelf[str(facts["title"])].append(str(facts["barcode"]))
                yield str(facts["channel"]), PendingEvent(HoldExpired(
                    hold_id, str(facts["title"]), str(facts["reader"]), str(facts["barcode"]), self._at(day)),
                    (f"hold-{hold_id}",))
        yield from self._messages(day)

    def _checkout(self, day: date, channel: str, hold: tuple[str, dict[str, object]] | None
                  ) -> Iterator[tuple[str, PendingEvent]]:
        rng = self.rng
        reader = str(hold[1]["reader"]) if hold else f"r{rng.randrange(self.readers)}"
        title = str(hold[1]["title"]) if hold else f"t{rng.randrange(self.titles)}"
        shelf = self.shelf[title]
        if hold:
            barcode = str(hold[1]["barcode"])  # the copy set aside for this hold
        elif shelf:
            barcode = shelf.pop(rng.randrange(len(shelf)))
        else:
            return
        loan_id, opened = self._id("L"), self._at(day)
        facts: dict[str, object] = {
            "reader": reader, "title": title, "branch": rng.choice(BRANCHES), "day": day,
            "clc": CLASSES[int(title[1:]) % len(CLASSES)], "channel": channel, "renewals": 0,
            "due": day + timedelta(days=rng.choice((7, 14, 30))), "barcode": barcode}
        self.open[loan_id] = facts
        yield channel, PendingEvent(LoanOpened(
            loan_id, str(facts["barcode"]), title, reader, str(facts["branch"]), "book",
            self.category[reader], facts["clc"], opened, facts["due"],  # type: ignore[arg-type]
            hold[0] if hold else None), (f"copy-{facts['barcode']}", f"reader-{reader}"))

    def _renew(self, day: date, loan_id: str, facts: dict[str, object]
               ) -> Iterator[tuple[str, PendingEvent]]:
        previous = facts["due"]
        facts["due"] = day + timedelta(days=14)
        facts["renewals"] = int(facts["renewals"]) + 1  # type: ignore[call-overload]
        reader = str(facts["reader"])
        yield str(facts["channel"]), PendingEvent(LoanRenewed(
            loan_id, str(facts["barcode"]), reader, str(facts["title"]), self._at(day),
            facts["due"], previous, int(facts["renewals"]),  # type: ignore[arg-type, call-overload]
            str(facts["branch"]), self.category[reader], facts["clc"]),  # type: ignore[arg-type]
            (f"copy-{facts['barcode']}", f"reader-{reader}"))

    def _close(self, day: date, loan_id: str, facts: dict[str, object]
               ) -> Iterator[tuple[str, PendingEvent]]:
        del self.open[loan_id]
        reader = str(facts["reader"])
        late = max((day - facts["due"]).days, 0)  # type: ignore[operator]
        yield str(facts["channel"]), PendingEvent(LoanClosed(
            loan_id, str(facts["barcode"]), reader, str(facts["title"]), str(facts["branch"]),
            self._at(day), facts["due"], self.category[reader], facts["clc"],  # type: ignore[arg-type]
            "book", late), (f"copy-{facts['barcode']}", f"reader-{reader}"))
        for hold_id, hold in sorted(self.waiting.items()):
            if hold["title"] == facts["title"]:
                del self.waiting[hold_id]
                hold["barcode"] = facts["barcode"]
                self.trapped[hold_id] = hold
                yield str(hold["channel"]), PendingEvent(HoldTrapped(
                    hold_id, str(hold["title"]), str(hold["reader"]), str(facts["barcode"]),
                    str(hold["branch"]), day + timedelta(days=7), self._at(day), "first"),
                    (f"hold-{hold_id}",))
                break
        else:
            self.shelf[str(facts["title"])].append(str(facts["barcode"]))

    def _hold(self, day: date) -> Iterator[tuple[str, PendingEvent]]:
        rng = self.rng
        hold_id, reader = self._id("H"), f"r{rng.randrange(self.readers)}"
        title = f"t{rng.randrange(self.titles)}"
        hold = {"reader": reader, "title": title, "branch": rng.choice(BRANCHES),
                "channel": rng.choice(("portal", "desk", "api"))}
        self.waiting[hold_id] = hold
        yield str(hold["channel"]), PendingEvent(HoldPlaced(
            hold_id, title, reader, str(hold["branch"]), self._at(day), self.category[reader],
            CLASSES[int(title[1:]) % len(CLASSES)]), (f"hold-{hold_id}",))
        if rng.random() < 0.1 and len(self.waiting) > 1:
            old = sorted(self.waiting)[0]
            gone = self.waiting.pop(old)
            yield str(gone["channel"]), PendingEvent(HoldCancelled(
                old, str(gone["title"]), str(gone["reader"]), None, self._at(day), "reader"),
                (f"hold-{old}",))

    def _messages(self, day: date) -> Iterator[tuple[str, PendingEvent]]:
        rng = self.rng
        if rng.random() < 0.3:
            kind, item, reader = rng.choice(("feedback", "suggestion")), self._id("M"), \
                f"r{rng.randrange(self.readers)}"
            self.messages.append((kind, item, reader))
            event = (FeedbackSubmitted(item, reader, "service", "好", self._at(day))
                     if kind == "feedback" else SuggestionSubmitted(item, reader, "新书", self._at(day)))
            yield "portal", PendingEvent(event, (f"{kind}-{item}",))
        if self.messages and rng.random() < 0.25:
            kind, item, reader = self.messages.pop(0)
            later = self._at(day)
            event = (FeedbackAnswered(item, reader, "谢谢", later) if kind == "feedback"
                     else SuggestionDecided(item, reader, "accepted", later))
            yield "portal", PendingEvent(event, (f"{kind}-{item}",))


def write(store: SqlEventStore, items: Iterator[tuple[str, PendingEvent]], batch: int = 500) -> int:
    """Append through the bulk path, one append per channel bucket; return events written."""
    buckets: dict[str, list[PendingEvent]] = {}
    written = 0
    for channel, pending in items:
        bucket = buckets.setdefault(channel, [])
        bucket.append(pending)
        if len(bucket) >= batch:
            store.append(bucket, expected={}, meta={"actor": "bench", "channel": channel})
            written += len(bucket)
            bucket.clear()
    for channel, bucket in buckets.items():
        if bucket:
            store.append(bucket, expected={}, meta={"actor": "bench", "channel": channel})
            written += len(bucket)
    return written
