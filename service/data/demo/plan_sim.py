"""A small simulated library state that turns intents into actions the real handlers accept."""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from service.data.demo.actions import (
    CancelHold,
    CheckIn,
    CheckOut,
    PayFine,
    PlaceHold,
    PlannedAction,
    Renew,
)
from service.data.demo.calendar_cn import local_date, local_instant, next_open_day
from service.data.demo.catalogue_gen import Catalogue
from service.data.demo.plan_demand import minute_of_visit
from service.data.demo.plan_policy import DemoPolicy
from service.data.demo.readers_gen import ReaderSpec

RENEW_SHARE = 0.26  # loans the reader means to renew
LATE_SHARE = 0.09  # loans brought back late on purpose; refused renewals add a little more
HOLD_WHEN_NONE_ON_SHELF = 0.6  # otherwise the reader walks away
CANCEL_SHARE = 0.1
GO_TO_OTHER_BRANCH = 0.6


@dataclass
class Loan:
    """A copy on loan in the simulation."""

    card: str
    title_id: str
    branch: str
    due: date
    renewed: bool
    token: int


class Simulation:
    """Copies, loans, hold queues and a time-ordered agenda of what readers will do next."""

    def __init__(
        self, rng: random.Random, catalogue: Catalogue, readers: list[ReaderSpec], policy: DemoPolicy
    ) -> None:
        self.rng = rng
        self.policy = policy
        self.readers = {r.card_number: r for r in readers}
        self.title_of = catalogue.title_of()
        self.shelf: dict[str, dict[str, list[str]]] = {}
        for copy in catalogue.copies:
            self.shelf.setdefault(copy.title_id, {}).setdefault(copy.branch, []).append(copy.barcode)
        self.loans: dict[str, Loan] = {}
        # dicts used as ordered sets: set iteration order would depend on PYTHONHASHSEED
        self.loans_of: dict[str, dict[str, None]] = {c: {} for c in self.readers}
        self.holds_of: dict[str, dict[str, None]] = {c: {} for c in self.readers}
        self.queue: dict[str, deque[tuple[str, str]]] = {}
        self.trapped: dict[str, str] = {}
        self._agenda: list[tuple[datetime, int, str, tuple[object, ...]]] = []
        self._seq = itertools.count()
        self._tokens = itertools.count(1)

    def schedule(self, at: datetime, kind: str, *args: object) -> None:
        """Put an intent on the agenda."""
        heapq.heappush(self._agenda, (at, next(self._seq), kind, args))

    def _at(self, day: date, card: str) -> datetime:
        return local_instant(day, minute_of_visit(self.rng, self.readers[card].category, day))

    def run_until(self, end: datetime) -> Iterator[PlannedAction]:
        """Carry out every intent before `end`, yielding the actions in time order."""
        while self._agenda and self._agenda[0][0] < end:
            at, _, kind, args = heapq.heappop(self._agenda)
            yield from getattr(self, f"_on_{kind}")(at, *args)

    def busy(self, card: str) -> int:
        """Loans plus holds the reader has, counted against the loan limit."""
        return len(self.loans_of[card]) + len(self.holds_of[card])

    def _on_attempt(self, at: datetime, card: str, branch: str, title_id: str) -> Iterator[PlannedAction]:
        on_loan = {self.loans[b].title_id for b in self.loans_of[card]}
        if title_id in on_loan or title_id in self.holds_of[card]:
            return
        if self.busy(card) >= self.policy.loan_limit:
            return
        shelves = self.shelf.get(title_id, {})
        if shelves.get(branch):
            yield from self._check_out(at, card, shelves[branch].pop(), branch)
        elif any(shelves.values()):
            # Only the other branch has it on the shelf (a hold would be refused there): some
            # readers go over and borrow it at that desk, the rest move on.
            if self.rng.random() < GO_TO_OTHER_BRANCH:
                other = next(b for b, copies in shelves.items() if copies)
                yield from self._check_out(at, card, shelves[other].pop(), other)
        elif (
            self.rng.random() < HOLD_WHEN_NONE_ON_SHELF and len(self.holds_of[card]) < self.policy.hold_limit
        ):
            self.holds_of[card][title_id] = None
            self.queue.setdefault(title_id, deque()).append((card, branch))
            yield PlaceHold(at, card, title_id, branch)
            if self.rng.random() < CANCEL_SHARE:
                day = next_open_day(local_date(at) + timedelta(days=self.rng.randint(2, 10)))
                self.schedule(self._at(day, card), "cancel", card, title_id)

    def _check_out(self, at: datetime, card: str, barcode: str, branch: str) -> Iterator[PlannedAction]:
        today = local_date(at)
        token = next(self._tokens)
        loan = Loan(card, self.title_of[barcode], branch, self.policy.due_date(today), False, token)
        self.loans[barcode] = loan
        self.loans_of[card][barcode] = None
        yield CheckOut(at, card, barcode, branch)
        roll = self.rng.random()
        if roll < RENEW_SHARE:
            renew_after = self.rng.randint(10, 27)
            renew_day = next_open_day(today + timedelta(days=renew_after))
            self.schedule(self._at(renew_day, card), "renew", barcode, token)
            keep = self.rng.randint(max(renew_after + 3, 20), 40)
        elif roll < RENEW_SHARE + LATE_SHARE:
            keep = self.rng.randint(33, 40)
        else:
            keep = int(self.rng.triangular(7, 30, 20))
        return_day = next_open_day(today + timedelta(days=keep))
        self.schedule(self._at(return_day, card), "return", barcode, token)

    def _on_renew(self, at: datetime, barcode: str, token: int) -> Iterator[PlannedAction]:
        loan = self.loans.get(barcode)
        today = local_date(at)
        if loan is None or loan.token != token or loan.renewed or today > loan.due:
            return
        if self.queue.get(loan.title_id):
            return  # others are waiting: Lector refuses the renewal, so the reader does not try
        loan.due = self.policy.renewed_due_date(loan.due, today)
        loan.renewed = True
        yield Renew(at, barcode)

    def _on_return(self, at: datetime, barcode: str, token: int) -> Iterator[PlannedAction]:
        loan = self.loans.get(barcode)
        if loan is None or loan.token != token:
            return
        del self.loans[barcode]
        del self.loans_of[loan.card][barcode]
        yield CheckIn(at, barcode, loan.branch)
        today = local_date(at)
        fine = self.policy.fine_fen(loan.due, today)
        if fine:
            if self.rng.random() < 0.6:
                self.schedule(at + timedelta(minutes=2), "pay", loan.card, fine)
            else:
                day = next_open_day(today + timedelta(days=self.rng.randint(3, 20)))
                self.schedule(self._at(day, loan.card), "pay", loan.card, fine)
        waiting = self.queue.get(loan.title_id)
        if waiting:
            card, pickup = waiting.popleft()
            self.trapped[barcode] = card
            day = next_open_day(today + timedelta(days=self.rng.randint(1, 4)))
            self.schedule(self._at(day, card), "pickup", barcode, card, pickup, loan.title_id)
        else:
            self.shelf[loan.title_id].setdefault(loan.branch, []).append(barcode)

    def _on_pickup(
        self, at: datetime, barcode: str, card: str, branch: str, title_id: str
    ) -> Iterator[PlannedAction]:
        if self.trapped.get(barcode) != card:
            return
        del self.trapped[barcode]
        del self.holds_of[card][title_id]
        yield from self._check_out(at, card, barcode, branch)

    def _on_cancel(self, at: datetime, card: str, title_id: str) -> Iterator[PlannedAction]:
        waiting = self.queue.get(title_id, deque())
        entry = next((e for e in waiting if e[0] == card), None)
        if entry is None:
            return  # already trapped for the reader: they will collect it instead
        waiting.remove(entry)
        del self.holds_of[card][title_id]
        yield CancelHold(at, card, title_id)

    def _on_pay(self, at: datetime, card: str, amount: int) -> Iterator[PlannedAction]:
        yield PayFine(at, card, amount)

    def _on_emit(self, at: datetime, action: PlannedAction) -> Iterator[PlannedAction]:
        yield action
