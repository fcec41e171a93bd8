"""An in-memory Sip2Backend with just enough circulation rules to exercise the SIP2 server."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from service.adapters.sip2.backend import (
    CheckinResult,
    CheckoutResult,
    FeePaidResult,
    HoldResult,
    ItemInfo,
    ItemStatus,
    KioskAccount,
    Outcome,
    PatronCheck,
    PatronInfo,
    RenewAllResult,
    RenewResult,
)

LOAN_DAYS = 28
MAX_RENEWALS = 2


@dataclass
class FakeReader:
    card: str
    name: str
    pin: str
    language: str = "zh-CN"
    block_reasons: tuple[str, ...] = ()
    loan_limit: int = 5
    fines_fen: int = 0
    pickup_branch: str = "MAIN"


@dataclass
class FakeCopy:
    barcode: str
    title_id: str
    location: str = "MAIN"


@dataclass
class FakeLoan:
    card: str
    due: date
    renewals: int = 0


@dataclass
class FakeLibrary:
    """The state the fake backend reads and changes; tests assert on it directly."""

    titles: dict[str, str] = field(default_factory=dict)
    copies: dict[str, FakeCopy] = field(default_factory=dict)
    readers: dict[str, FakeReader] = field(default_factory=dict)
    loans: dict[str, FakeLoan] = field(default_factory=dict)
    holds: dict[str, list[str]] = field(default_factory=dict)
    trapped: dict[str, str] = field(default_factory=dict)
    returns: list[tuple[str, datetime, str]] = field(default_factory=list)
    payments: list[tuple[str, int]] = field(default_factory=list)
    ended_sessions: list[str] = field(default_factory=list)
    calls: int = 0


class FakeSip2Backend:
    """Implements service.adapters.sip2.backend.Sip2Backend over a FakeLibrary, thread-safely."""

    def __init__(self, today: date, kiosks: dict[tuple[str, str], KioskAccount]) -> None:
        self.today, self.kiosks = today, kiosks
        self.library = FakeLibrary()
        self._lock = threading.RLock()
        self._results: dict[str, Outcome] = {}

    # --- set-up helpers used by tests -------------------------------------------------
    def add_title(self, title_id: str, title: str, *barcodes: str) -> None:
        self.library.titles[title_id] = title
        for barcode in barcodes:
            self.library.copies[barcode] = FakeCopy(barcode, title_id)

    def add_reader(self, reader: FakeReader) -> None:
        self.library.readers[reader.card] = reader

    # --- Sip2Backend ------------------------------------------------------------------
    def authenticate_kiosk(self, user_id: str, password: str, location: str | None):
        return self.kiosks.get((user_id, password))

    def check_patron(self, kiosk: KioskAccount, card: str, pin: str | None) -> PatronCheck:
        reader = self.library.readers.get(card)
        if reader is None:
            return PatronCheck(found=False)
        pin_ok = None if pin is None else pin == reader.pin
        return PatronCheck(found=True, pin_ok=pin_ok, language=reader.language)

    def patron_information(self, kiosk: KioskAccount, card: str) -> PatronInfo | None:
        with self._lock:
            reader = self.library.readers.get(card)
            if reader is None:
                return None
            charged = tuple(b for b, loan in self.library.loans.items() if loan.card == card)
            overdue = tuple(b for b in charged if self.library.loans[b].due < self.today)
            ready = tuple(b for b, c in self.library.trapped.items() if c == card)
            waiting = tuple(self.library.titles[t] for t, q in self.library.holds.items()
                            if card in q)
            return PatronInfo(
                card=card, name=reader.name, language=reader.language,
                block_reasons=reader.block_reasons, loan_count=len(charged),
                overdue_count=len(overdue), holds_ready_count=len(ready),
                holds_waiting_count=len(waiting), loan_limit=reader.loan_limit,
                hold_limit=10, fines_fen=reader.fines_fen, fine_limit_fen=5000,
                charged_items=charged, overdue_items=overdue, hold_items=ready,
                unavailable_hold_items=waiting,
            )

    def item_information(self, kiosk: KioskAccount, barcode: str) -> ItemInfo | None:
        with self._lock:
            copy = self.library.copies.get(barcode)
            if copy is None:
                return None
            loan = self.library.loans.get(barcode)
            status = ItemStatus.AVAILABLE
            if loan:
                status = ItemStatus.ON_LOAN
            elif barcode in self.library.trapped:
                status = ItemStatus.ON_HOLD_SHELF
            return ItemInfo(
                barcode=barcode, title=self.library.titles[copy.title_id], status=status,
                due_date=loan.due if loan else None,
                hold_queue_length=len(self.library.holds.get(copy.title_id, [])),
                permanent_location=copy.location, current_location=copy.location,
                trapped_for_card=self.library.trapped.get(barcode),
            )

    def _once(self, key: str | None, action):
        with self._lock:
            self.library.calls += 1
            if key is not None and key in self._results:
                return self._results[key]
            result = action()
            if key is not None:
                self._results[key] = result
            return result

    def checkout(self, kiosk, card, barcode, *, idempotency_key):
        return self._once(idempotency_key, lambda: self._checkout(card, barcode))

    def _checkout(self, card: str, barcode: str) -> CheckoutResult:
        lib = self.library
        reader, copy = lib.readers.get(card), lib.copies.get(barcode)
        if reader is None:
            return CheckoutResult(ok=False, code="reader_not_found")
        if copy is None:
            return CheckoutResult(ok=False, code="copy_not_found")
        title = lib.titles[copy.title_id]
        if reader.block_reasons:
            return CheckoutResult(ok=False, code="reader_blocked", title=title)
        loan = lib.loans.get(barcode)
        if loan is not None and loan.card == card:
            renewed = self._renew(card, barcode)
            return CheckoutResult(ok=renewed.ok, code=renewed.code, title=title,
                                  due_date=renewed.due_date, renewed=renewed.ok)
        if loan is not None:
            return CheckoutResult(ok=False, code="copy_not_available", title=title)
        if lib.trapped.get(barcode, card) != card:
            return CheckoutResult(ok=False, code="hold_for_other_reader", title=title)
        if sum(1 for x in lib.loans.values() if x.card == card) >= reader.loan_limit:
            return CheckoutResult(ok=False, code="loan_limit_reached", title=title)
        lib.trapped.pop(barcode, None)
        due = self.today + timedelta(days=LOAN_DAYS)
        lib.loans[barcode] = FakeLoan(card, due)
        return CheckoutResult(ok=True, title=title, due_date=due)

    def checkin(self, kiosk, barcode, *, returned_at, location, idempotency_key):
        return self._once(idempotency_key, lambda: self._checkin(barcode, returned_at, location))

    def _checkin(self, barcode: str, returned_at: datetime, location: str) -> CheckinResult:
        lib = self.library
        copy = lib.copies.get(barcode)
        if copy is None:
            return CheckinResult(ok=False, code="copy_not_found")
        loan = lib.loans.pop(barcode, None)
        lib.returns.append((barcode, returned_at, location))
        reader = lib.readers.get(loan.card) if loan else None
        common = dict(ok=True, title=lib.titles[copy.title_id], permanent_location=copy.location,
                      card=loan.card if loan else None,
                      language=reader.language if reader else None)
        queue = lib.holds.get(copy.title_id, [])
        if queue:
            waiting = queue.pop(0)
            lib.trapped[barcode] = waiting
            hold_reader = lib.readers[waiting]
            return CheckinResult(**common, sort_bin="HOLDS", trapped_for_card=waiting,
                                 trapped_for_name=hold_reader.name,
                                 pickup_branch=hold_reader.pickup_branch,
                                 pickup_deadline=self.today + timedelta(days=7))
        return CheckinResult(**common, sort_bin="SHELF")

    def renew(self, kiosk, card, barcode, *, idempotency_key):
        return self._once(idempotency_key, lambda: self._renew(card, barcode))

    def _renew(self, card: str, barcode: str) -> RenewResult:
        lib = self.library
        loan = lib.loans.get(barcode)
        if loan is None or loan.card != card:
            return RenewResult(ok=False, code="not_on_loan")
        title_id = lib.copies[barcode].title_id
        if lib.holds.get(title_id):
            return RenewResult(ok=False, code="title_has_holds", title=lib.titles[title_id])
        if loan.renewals >= MAX_RENEWALS:
            return RenewResult(ok=False, code="renewal_limit_reached", title=lib.titles[title_id])
        loan.renewals += 1
        loan.due = max(loan.due, self.today) + timedelta(days=LOAN_DAYS)
        return RenewResult(ok=True, title=lib.titles[title_id], due_date=loan.due)

    def renew_all(self, kiosk, card, *, idempotency_key):
        def run() -> RenewAllResult:
            mine = [b for b, loan in self.library.loans.items() if loan.card == card]
            results = {b: self._renew(card, b) for b in mine}
            return RenewAllResult(
                ok=True, renewed=tuple(b for b, r in results.items() if r.ok),
                unrenewed=tuple(b for b, r in results.items() if not r.ok))
        return self._once(idempotency_key, run)

    def _title_of(self, barcode: str | None, title_id: str | None) -> str | None:
        if barcode is not None:
            copy = self.library.copies.get(barcode)
            return copy.title_id if copy else None
        return title_id if title_id in self.library.titles else None

    def place_hold(self, kiosk, card, *, barcode, title_id, pickup_location, idempotency_key):
        def run() -> HoldResult:
            tid = self._title_of(barcode, title_id)
            if tid is None:
                return HoldResult(ok=False, code="copy_not_found")
            queue = self.library.holds.setdefault(tid, [])
            if card in queue:
                return HoldResult(ok=False, code="hold_exists", title=self.library.titles[tid])
            queue.append(card)
            return HoldResult(ok=True, title=self.library.titles[tid], title_id=tid,
                              queue_position=len(queue), pickup_location=pickup_location or "",
                              expires_on=self.today + timedelta(days=180))
        return self._once(idempotency_key, run)

    def cancel_hold(self, kiosk, card, *, barcode, title_id, idempotency_key):
        def run() -> HoldResult:
            tid = self._title_of(barcode, title_id)
            queue = self.library.holds.get(tid or "", [])
            if card not in queue:
                return HoldResult(ok=False, code="hold_not_found")
            queue.remove(card)
            return HoldResult(ok=True, title=self.library.titles[tid or ""], title_id=tid or "")
        return self._once(idempotency_key, run)

    def fee_paid(self, kiosk, card, amount_fen, *, fee_type, payment_type, fee_id,
                 transaction_id, idempotency_key):
        def run() -> FeePaidResult:
            reader = self.library.readers[card]
            reader.fines_fen = max(0, reader.fines_fen - amount_fen)
            self.library.payments.append((card, amount_fen))
            return FeePaidResult(ok=True, transaction_id=transaction_id or f"P{len(self.library.payments)}",
                                 balance_fen=reader.fines_fen)
        return self._once(idempotency_key, run)

    def end_session(self, kiosk: KioskAccount, card: str) -> None:
        with self._lock:
            self.library.ended_sessions.append(card)
