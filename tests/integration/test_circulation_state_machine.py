"""A long random life of a library: every circulation command, time passing, and a model.

Hypothesis drives the real command handlers on SQLite. A small model tracks what the
answers promise (who has which copy, who waits in which order, who owes what); after every
step the model is compared with the state folded from the log, and the invariants are
checked. Projections are caught up in random batches while the workload runs; at the end
they must equal a rebuild from position 0, and agree with the model.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import Table, select

import events.domain  # noqa: F401  (registers every event type)
from projections.current_loans import current_loans
from projections.fines import fines
from projections.runner import catch_up_batch, rebuild
from service.application import catalogue, circulation, erasure, feedback, payments, readers
from service.application.catalogue import copy_stream, title_stream
from service.application.context import Actor, Principal
from service.bootstrap import bootstrap
from service.config import Config
from service.domain.catalogue.title_state import fold_title
from service.domain.circulation.copy_state import fold_copy
from service.domain.errors import DomainError
from service.domain.library.policy import default_matrix, loan_limit_for
from service.domain.readers.reader_state import fold_reader
from tests.databases import SqliteFactory

DESK = Actor(Principal("staff", "desk", "librarian"), "desk")
SYSTEM = Actor(Principal("system", "lector", "system"), "worker")
ADMIN = Actor(Principal("staff", "admin", "admin"), "api")
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CARDS = [f"C{i}" for i in range(6)]
TITLES = [f"t{i}" for i in range(3)]
BARCODES = [f"B{i}" for i in range(7)]
MATRIX = default_matrix()
_FACTORY: list[SqliteFactory] = []


def factory() -> SqliteFactory:
    """One migrated template per test run; each example copies it."""
    if not _FACTORY:
        _FACTORY.append(SqliteFactory(Path(tempfile.mkdtemp(prefix="lector-sm-"))))
    return _FACTORY[0]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def attempt(call: Any) -> Any:
    """The outcome of a command, or the refusal code."""
    try:
        return call()
    except DomainError as exc:
        return exc.code


class Library(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.url = factory().new()
        self.lector = bootstrap(
            Config(database_url=self.url, secret_key="sm", instance_dir=factory().folder),
            after_commit=lambda position: None)
        self.ports = self.lector.ports
        self.ports.clock = self.clock = Clock()
        # The model: what the answers so far promise.
        self.readers: dict[str, str] = {}  # card -> reader_id
        self.categories: dict[str, str] = {}
        self.titles: list[str] = []
        self.copies: dict[str, str] = {}  # barcode -> title
        self.on_loan: dict[str, str] = {}  # barcode -> reader_id
        self.trapped: dict[str, tuple[str, str]] = {}  # barcode -> (reader_id, hold_id)
        self.queues: dict[str, list[str]] = {}  # title -> waiting hold ids, first come first
        self.holds: dict[str, str] = {}  # every hold id -> title
        self.owed: dict[str, int] = {}  # reader_id -> fen
        self.feedback: list[str] = []
        self.suggestions: list[str] = []
        self.erased: set[str] = set()  # reader ids erased (forced: loans and fines stay open)
        self.rng = random.Random(0)

    @initialize(seed=st.integers(0, 2**16),
                categories=st.lists(st.sampled_from(["adult", "child"]), min_size=4,
                                    max_size=4),
                item_types=st.lists(st.sampled_from(["book", "book", "av"]), min_size=5,
                                    max_size=5))
    def open_the_library(self, seed: int, categories: list[str], item_types: list[str]) -> None:
        """Every example starts with four readers, two titles and five copies."""
        self.rng = random.Random(seed)
        for card, category in zip(CARDS, categories, strict=False):
            self.register(card, category)
        for title in TITLES[:2]:
            self.catalogue_title(title, "I247.5")
        for n, item_type in enumerate(item_types):
            self.add_copy(BARCODES[n], n, item_type, None)

    # --- people and books ---------------------------------------------------------------

    @rule(card=st.sampled_from(CARDS), category=st.sampled_from(["adult", "child"]))
    def register(self, card: str, category: str) -> None:
        cmd = readers.RegisterReader(card, f"读者{card}", category, reader_id=f"r{card}")
        out = attempt(lambda: readers.register_reader(self.ports, DESK, cmd, None))
        assert (out == "card_number_taken") == (card in self.readers)  # erased cards stay taken
        self.readers.setdefault(card, cmd.reader_id)
        self.categories.setdefault(cmd.reader_id, category)
        self.owed.setdefault(cmd.reader_id, 0)

    @rule(title=st.sampled_from(TITLES), clc=st.sampled_from(["I247.5", "TP311", None]))
    def catalogue_title(self, title: str, clc: str | None) -> None:
        cmd = catalogue.CatalogueTitle(title=f"书{title}", clc_class=clc, title_id=title)
        out = attempt(lambda: catalogue.catalogue_title(self.ports, DESK, cmd, None))
        assert (out == "title_exists") == (title in self.titles)
        if title not in self.titles:
            self.titles.append(title)
            self.queues[title] = []

    @rule(barcode=st.sampled_from(BARCODES), n=st.integers(0, 9),
          item_type=st.sampled_from(["book", "book", "av"]),
          price=st.none() | st.integers(1, 9000))
    def add_copy(self, barcode: str, n: int, item_type: str, price: int | None) -> None:
        title = self.titles[n % len(self.titles)]
        cmd = catalogue.AddCopy(barcode, title, "main", item_type, None, price)
        out = attempt(lambda: catalogue.add_copy(self.ports, DESK, cmd, None))
        assert (out == "barcode_taken") == (barcode in self.copies)
        self.copies.setdefault(barcode, title)

    # --- lending ------------------------------------------------------------------------

    @rule(who=st.integers(0, 20), which=st.integers(0, 20))
    def check_out(self, who: int, which: int) -> None:
        card = sorted(self.readers)[who % len(self.readers)]
        barcode = sorted(self.copies)[which % len(self.copies)]
        reader_id = self.readers[card]
        loans_before = len(self.real_reader(reader_id).loans)
        out = attempt(lambda: circulation.check_out(self.ports, DESK, card, barcode, None, None))
        if reader_id in self.erased:
            assert out == "reader_erased"
            return
        waiting_for = self.trapped[barcode][0] if barcode in self.trapped else None
        if isinstance(out, str):
            if waiting_for is not None and waiting_for != reader_id:
                assert out == "hold_for_other_reader"
            if barcode in self.on_loan:
                assert out in ("copy_not_available", "hold_for_other_reader")
            return
        assert barcode not in self.on_loan, "lent a copy that is on loan"
        assert waiting_for in (None, reader_id), "lent a trapped copy to someone else"
        assert loans_before < loan_limit_for(MATRIX, self.categories[reader_id])
        self.on_loan[barcode] = reader_id
        if barcode in self.trapped:
            assert out.result["hold_fulfilled"] == self.trapped.pop(barcode)[1]

    @rule(which=st.integers(0, 20), prefer_loaned=st.booleans())
    def check_in(self, which: int, prefer_loaned: bool) -> None:
        pool = sorted(self.on_loan) if prefer_loaned and self.on_loan else sorted(self.copies)
        barcode = pool[which % len(pool)]
        title = self.copies[barcode]
        first = self.queues[title][0] if self.queues[title] else None
        out = attempt(lambda: circulation.check_in(self.ports, DESK, barcode, None, None))
        if isinstance(out, str):
            assert out == "copy_not_available"  # only a withdrawn copy refuses a return
            return
        reader_id = self.on_loan.pop(barcode, None)
        assert out.result.get("loan_closed") is not None or reader_id is None
        if reader_id is not None:
            self.owed[reader_id] += out.result["fine_fen"]
        if barcode in self.trapped:
            assert out.result["route"] == "hold_shelf"
        elif first is not None:
            assert out.result["hold_id"] == first, "the copy went past the head of the queue"
            self.queues[title].pop(0)
            self.trapped[barcode] = (out.result["hold_reader_id"], first)
        else:
            assert out.result["route"] == "shelf"

    @precondition(lambda self: self.on_loan)
    @rule(n=st.integers(0, 20))
    def renew(self, n: int) -> None:
        barcode = sorted(self.on_loan)[n % len(self.on_loan)]
        before = fold_copy(self.ports.store.load([copy_stream(barcode)]).events, barcode)
        out = attempt(lambda: circulation.renew(self.ports, DESK, barcode, None))
        if not isinstance(out, str):
            assert before.due_on is not None and out.result["due_on"] >= before.due_on.isoformat()
            assert not self.queues[self.copies[barcode]], "renewed over waiting holds"

    @rule(who=st.integers(0, 20))
    def renew_all(self, who: int) -> None:
        card = sorted(self.readers)[who % len(self.readers)]
        if self.readers[card] not in self.erased:
            answer = circulation.renew_all(self.ports, DESK, self.readers[card], None)
            mine = {b for b, r in self.on_loan.items() if r == self.readers[card]}
            assert {r["barcode"] for r in answer["results"]} == mine

    @precondition(lambda self: self.on_loan)
    @rule(n=st.integers(0, 20))
    def mark_lost(self, n: int) -> None:
        barcode = sorted(self.on_loan)[n % len(self.on_loan)]
        out = attempt(lambda: circulation.mark_lost(self.ports, DESK, barcode, None))
        assert not isinstance(out, str), out
        self.owed[self.on_loan.pop(barcode)] += out.result["charge_fen"]

    # --- holds --------------------------------------------------------------------------

    @rule(who=st.integers(0, 20), n=st.integers(0, 9))
    def place_hold(self, who: int, n: int) -> None:
        card = sorted(self.readers)[who % len(self.readers)]
        title = self.titles[n % len(self.titles)]
        out = attempt(lambda: circulation.place_hold(self.ports, DESK, self.readers[card], title,
                                                     "main", None))
        if self.readers[card] in self.erased:
            assert out == "reader_erased"
            return
        if not isinstance(out, str):
            self.queues[title].append(out.result["hold_id"])
            self.holds[out.result["hold_id"]] = title
            assert out.result["queue_position"] == len(self.queues[title])

    @precondition(lambda self: self.holds)
    @rule(n=st.integers(0, 50))
    def cancel_hold(self, n: int) -> None:
        hold_id = sorted(self.holds)[n % len(self.holds)]
        title = self.holds[hold_id]
        out = attempt(lambda: circulation.cancel_hold(self.ports, DESK, hold_id, "asked", None))
        if isinstance(out, str):
            assert out == "hold_not_found"
            return
        self._hold_ended(title, hold_id, out.result["passed_to"])

    @rule(days=st.integers(1, 12))
    def time_passes_and_expired_holds_go_on(self, days: int) -> None:
        self.clock.now += timedelta(days=days)
        for hold_id in sorted(self.holds):
            out = circulation.expire_hold(self.ports, SYSTEM, hold_id)
            if out.result.get("expired"):
                self._hold_ended(self.holds[hold_id], hold_id, out.result["passed_to"])

    def _hold_ended(self, title: str, hold_id: str, passed_to: str | None) -> None:
        """A hold left: if its copy was set aside, the head of the queue gets it."""
        queue = self.queues[title]
        if hold_id in queue:
            queue.remove(hold_id)
            assert passed_to is None
            return
        [barcode] = [b for b, (_, h) in self.trapped.items() if h == hold_id]
        if passed_to is None:
            assert not queue, "a set-aside copy was shelved while readers wait"
            del self.trapped[barcode]
        else:
            assert queue, "a copy passed on with nobody waiting"
            self.trapped[barcode] = (passed_to, queue.pop(0))

    # --- fines --------------------------------------------------------------------------

    @precondition(lambda self: any(self.owed.values()))
    @rule(n=st.integers(0, 9), share=st.floats(0.1, 1.2))
    def pay(self, n: int, share: float) -> None:
        debtors = sorted(r for r, owed in self.owed.items() if owed)
        reader_id = debtors[n % len(debtors)]
        amount = max(1, int(self.owed[reader_id] * share))
        out = attempt(lambda: payments.pay_fines(self.ports, DESK, reader_id, amount, "cash",
                                                 None))
        if amount > self.owed[reader_id]:
            assert out == "payment_exceeds_balance"
        else:
            assert out.result["balance_fen"] == self.owed[reader_id] - amount
            self.owed[reader_id] -= amount

    @precondition(lambda self: any(self.owed.values()))
    @rule(n=st.integers(0, 9), whole=st.booleans())
    def waive(self, n: int, whole: bool) -> None:
        debtors = sorted(r for r, owed in self.owed.items() if owed)
        reader_id = debtors[n % len(debtors)]
        fine_id, left = sorted(self.real_reader(reader_id).fines.items())[0]
        amount = None if whole else max(1, left // 2)
        out = payments.waive_fine(self.ports, DESK, reader_id, fine_id, amount, "goodwill", None)
        self.owed[reader_id] -= out.result["waived_fen"]

    # --- readers' voices and choices ----------------------------------------------------

    @precondition(lambda self: self.readers)
    @rule(card=st.sampled_from(CARDS), rating=st.none() | st.integers(1, 5))
    def submit_feedback(self, card: str, rating: int | None) -> None:
        if self.present(card):
            out = feedback.submit_feedback(self.ports, DESK, self.readers[card], "service",
                                           "太吵了", rating, None, None)
            self.feedback.append(out.result["feedback_id"])

    @precondition(lambda self: self.feedback)
    @rule(n=st.integers(0, 9), close=st.booleans())
    def answer(self, n: int, close: bool) -> None:
        feedback_id = self.feedback[n % len(self.feedback)]
        attempt(lambda: feedback.answer_feedback(self.ports, DESK, feedback_id, "已处理", close,
                                                 None))

    @precondition(lambda self: self.readers)
    @rule(card=st.sampled_from(CARDS))
    def suggest(self, card: str) -> None:
        if self.present(card):
            out = feedback.suggest_purchase(self.ports, DESK, self.readers[card], "活着", "余华",
                                            "9787506365437", "好书", None)
            self.suggestions.append(out.result["suggestion_id"])

    @precondition(lambda self: self.suggestions)
    @rule(n=st.integers(0, 9), decision=st.sampled_from(["accepted", "ordered", "rejected"]))
    def decide(self, n: int, decision: str) -> None:
        suggestion_id = self.suggestions[n % len(self.suggestions)]
        feedback.decide_suggestion(self.ports, DESK, suggestion_id, decision, "预算", None)

    @precondition(lambda self: self.readers)
    @rule(card=st.sampled_from(CARDS), keep=st.booleans())
    def keep_history(self, card: str, keep: bool) -> None:
        if self.present(card):
            readers.set_preferences(self.ports, DESK, self.readers[card], None, keep_history=keep)

    @precondition(lambda self: self.readers)
    @rule(card=st.sampled_from(CARDS), block=st.booleans())
    def block_or_unblock(self, card: str, block: bool) -> None:
        if not self.present(card):
            return
        if block:
            readers.block_reader(self.ports, DESK, self.readers[card], "核查", None)
        else:
            readers.unblock_reader(self.ports, DESK, self.readers[card], "", None)

    @precondition(lambda self: self.readers)
    @rule(card=st.sampled_from(CARDS))
    def erase(self, card: str) -> None:
        """Forced: open loans and fines stay with the anonymous id, holds are cancelled."""
        if not self.present(card):
            return
        reader_id = self.readers[card]
        out = erasure.erase_reader(self.ports, ADMIN, reader_id, "request", True, None)
        for cancelled in out.result["cancelled_holds"]:
            self._hold_ended(self.holds[cancelled["hold_id"]], cancelled["hold_id"],
                             cancelled["passed_to"])
        self.erased.add(reader_id)
        again = attempt(lambda: erasure.erase_reader(self.ports, ADMIN, reader_id, "r", True,
                                                     None))
        assert again == "reader_already_erased"

    def present(self, card: str) -> bool:
        """A registered reader who has not been erased."""
        return card in self.readers and self.readers[card] not in self.erased

    @rule(n=st.integers(0, 99), batch=st.integers(1, 7))
    def catch_up_a_little(self, n: int, batch: int) -> None:
        projections = self.lector.projections
        catch_up_batch(self.lector.engine, self.lector.store, projections[n % len(projections)],
                       batch)

    # --- the invariants, against the state folded from the log -------------------------

    def real_copy(self, barcode: str) -> Any:
        return fold_copy(self.ports.store.load([copy_stream(barcode)]).events, barcode)

    def real_reader(self, reader_id: str) -> Any:
        loaded = self.ports.store.load([f"reader-{reader_id}"])
        return fold_reader(loaded.events, reader_id)

    @invariant()
    def the_log_agrees_with_the_model(self) -> None:
        lent: dict[str, str] = {}
        for reader_id, category in self.categories.items():
            state = self.real_reader(reader_id)
            assert len(state.loans) <= loan_limit_for(MATRIX, category)
            assert all(owed > 0 for owed in state.fines.values()), "a fine below zero"
            assert state.fines_owed_fen == self.owed[reader_id]
            for loan in state.loans.values():
                assert loan.barcode not in lent, "a copy on loan to two readers"
                lent[loan.barcode] = reader_id
        assert lent == self.on_loan
        for barcode in self.copies:
            copy = self.real_copy(barcode)
            expected = self.trapped.get(barcode)
            assert ((copy.trapped_for, copy.hold_id) if copy.status == "trapped" else None) == \
                expected
        for title in self.titles:
            state = fold_title(self.ports.store.load([title_stream(title)]).events, title)
            assert [h.hold_id for h in state.waiting] == self.queues[title]
            order = [h.placed_position for h in state.waiting]
            assert order == sorted(order), "the queue is not first come, first served"

    def teardown(self) -> None:
        try:
            self._projections_equal_a_rebuild_and_the_model()
        finally:
            self.lector.dispose()
            factory().drop(self.url)

    def _projections_equal_a_rebuild_and_the_model(self) -> None:
        engine, store = self.lector.engine, self.lector.store
        for projection in self.lector.projections:
            while not catch_up_batch(engine, store, projection, self.rng.randint(1, 13))[1]:
                pass
        incremental = snapshot(self.lector)
        for projection in self.lector.projections:
            rebuild(engine, store, projection)
        assert snapshot(self.lector) == incremental
        loans = {r["barcode"]: r["reader_id"] for r in incremental["rm_current_loans"]}
        assert loans == self.on_loan
        owed: dict[str, int] = {}
        for row in incremental["rm_fines"]:
            assert row["owed_fen"] >= 0
            owed[row["reader_id"]] = owed.get(row["reader_id"], 0) + row["owed_fen"]
        assert {r: v for r, v in owed.items() if v} == {r: v for r, v in self.owed.items() if v}


def snapshot(lector: Any) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with lector.engine.connect() as conn:
        for projection in lector.projections:
            for table in projection.tables:
                out[table.name] = [dict(r) for r in conn.execute(_ordered(table)).mappings()]
    assert current_loans.name in out and fines.name in out
    return out


def _ordered(table: Table) -> Any:
    return select(table).order_by(*(list(table.primary_key.columns) or list(table.columns)))


Library.TestCase.settings = settings(
    max_examples=12, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCirculationStateMachine = Library.TestCase
