"""Command handlers through ``handle`` on the in-memory unit of work: no database, no Flask.

Each test builds fresh ports over ``MemoryEventStore`` (the store's in-memory twin, run by the
same contract tests as the SQL store) and speaks to the service only in commands.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

import events.domain  # noqa: F401  (registers every event type)
from events.loans import LoanClosed, LoanOpened
from events.memory_store import MemoryEventStore
from events.store import AppendResult, ConcurrencyError
from events.streams import copy_stream
from service.application import commands as c
from service.application.context import Actor, Ports, Principal
from service.application.execute import MAX_ATTEMPTS, ClientKey, Decision, Relocate, run
from service.application.handlers import HANDLERS, handle
from service.application.unit_of_work import InMemoryUnitOfWork, memory_units
from service.domain.errors import Conflict, DomainError
from service.domain.library.policy import default_matrix, loan_limit_for

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Shanghai
DESK = Actor(Principal("staff", "desk-1", "desk"), "desk")
ADMIN = Actor(Principal("staff", "admin", "admin"), "api")


class RacingStore(MemoryEventStore):
    """A memory store where, just before the first append, another desk gets in first."""

    def __init__(self) -> None:
        super().__init__()
        self.before_first_append: Any = None
        self.appends = 0

    def append(self, events: Sequence[Any], **kwargs: Any) -> AppendResult:
        self.appends += 1
        if self.before_first_append is not None:
            competitor, self.before_first_append = self.before_first_append, None
            competitor()
        return super().append(events, **kwargs)


@dataclasses.dataclass
class Library:
    """Ports over one in-memory store, plus what the handlers told after commit."""

    store: MemoryEventStore
    ports: Ports
    committed: list[int]
    units: list[InMemoryUnitOfWork]


def library(store: MemoryEventStore | None = None) -> Library:
    store = store or MemoryEventStore()
    committed: list[int] = []
    units: list[InMemoryUnitOfWork] = []
    ports = Ports(engine=None, store=store, after_commit=committed.append,  # type: ignore[arg-type]
                  uow=memory_units(store, opened=units.append), clock=lambda: NOW)
    return Library(store, ports, committed, units)


def with_title_and_copies(lib: Library, copies: int) -> list[str]:
    handle(lib.ports, ADMIN, c.CatalogueTitle(title="三体", title_id="t1"))
    barcodes = [f"B{n:03d}" for n in range(copies)]
    for barcode in barcodes:
        handle(lib.ports, ADMIN, c.AddCopy(barcode, "t1", "main", "book"))
    return barcodes


def with_reader(lib: Library, card: str, reader_id: str, category: str = "adult") -> None:
    handle(lib.ports, ADMIN, c.RegisterReader(card_number=card, name="读者", category=category,
                                              reader_id=reader_id))


def test_a_reader_can_borrow_a_copy_and_return_it() -> None:
    lib = library()
    [barcode] = with_title_and_copies(lib, 1)
    with_reader(lib, "C1", "r1")
    lent = handle(lib.ports, DESK, c.CheckOut("C1", barcode, "main"))
    returned = handle(lib.ports, DESK, c.CheckIn(barcode, "main"))
    copy_events = [s.event for s in lib.store.load([copy_stream(barcode)]).events]
    assert lent.result["reader_id"] == "r1" and returned.position > lent.position
    assert [type(e) for e in copy_events if isinstance(e, (LoanOpened, LoanClosed))] == \
        [LoanOpened, LoanClosed]
    assert lib.committed[-2:] == [lent.position, returned.position]


def test_a_returned_copy_can_be_lent_to_the_next_reader() -> None:
    lib = library()
    [barcode] = with_title_and_copies(lib, 1)
    with_reader(lib, "C1", "r1")
    with_reader(lib, "C2", "r2")
    handle(lib.ports, DESK, c.CheckOut("C1", barcode))
    handle(lib.ports, DESK, c.CheckIn(barcode))
    assert handle(lib.ports, DESK, c.CheckOut("C2", barcode)).result["reader_id"] == "r2"


def test_a_checkout_over_the_loan_limit_is_refused() -> None:
    lib = library()
    limit = loan_limit_for(default_matrix(), "child")
    barcodes = with_title_and_copies(lib, limit + 1)
    with_reader(lib, "C1", "r1", category="child")
    for barcode in barcodes[:limit]:
        handle(lib.ports, DESK, c.CheckOut("C1", barcode))
    head = lib.store.last_position()
    with pytest.raises(DomainError) as refused:
        handle(lib.ports, DESK, c.CheckOut("C1", barcodes[limit]))
    assert refused.value.code == "loan_limit_reached"
    assert lib.store.last_position() == head  # a refusal appends nothing


def test_a_copy_already_on_loan_cannot_be_lent_again() -> None:
    lib = library()
    [barcode] = with_title_and_copies(lib, 1)
    with_reader(lib, "C1", "r1")
    with_reader(lib, "C2", "r2")
    handle(lib.ports, DESK, c.CheckOut("C1", barcode))
    with pytest.raises(DomainError) as refused:
        handle(lib.ports, DESK, c.CheckOut("C2", barcode))
    assert refused.value.code == "copy_not_available"


def test_the_same_idempotency_key_replays_the_first_answer_and_appends_nothing() -> None:
    lib = library()
    [barcode] = with_title_and_copies(lib, 1)
    with_reader(lib, "C1", "r1")
    first = handle(lib.ports, DESK, c.CheckOut("C1", barcode), "key-1")
    head, told = lib.store.last_position(), len(lib.committed)
    again = handle(lib.ports, DESK, c.CheckOut("C1", barcode), "key-1")
    assert again.replayed and not first.replayed
    assert (again.result, again.position) == (first.result, first.position)
    assert lib.store.last_position() == head and len(lib.committed) == told


def test_a_key_reused_for_another_request_is_refused() -> None:
    lib = library()
    [barcode] = with_title_and_copies(lib, 1)
    with_reader(lib, "C1", "r1")
    handle(lib.ports, DESK, c.CheckOut("C1", barcode), ClientKey("k", "body-a"))
    with pytest.raises(DomainError) as refused:
        handle(lib.ports, DESK, c.CheckOut("C1", barcode), ClientKey("k", "body-b"))
    assert refused.value.code == "idempotency_key_reused"


def test_a_checkout_that_loses_a_race_is_decided_again_on_the_new_state() -> None:
    store = RacingStore()
    lib = library(store)
    [barcode] = with_title_and_copies(lib, 1)
    with_reader(lib, "C1", "r1")
    with_reader(lib, "C2", "r2")
    store.before_first_append = lambda: handle(lib.ports, DESK, c.CheckOut("C2", barcode))
    store.appends, lib.units[:] = 0, []
    with pytest.raises(DomainError) as refused:
        handle(lib.ports, DESK, c.CheckOut("C1", barcode))
    # Our first append met the competitor's loan (ConcurrencyError); the second attempt saw
    # the copy on loan and refused without appending: the copy was lent once.
    assert refused.value.code == "copy_not_available"
    assert store.appends == 2  # ours (lost the race) and the competitor's
    loans = [s for s in store.load([copy_stream(barcode)]).events
             if isinstance(s.event, LoanOpened)]
    assert [s.event.reader_id for s in loans] == ["r2"]


def test_a_return_that_loses_a_race_is_retried_and_succeeds() -> None:
    store = RacingStore()
    lib = library(store)
    barcodes = with_title_and_copies(lib, 2)
    with_reader(lib, "C1", "r1")
    handle(lib.ports, DESK, c.CheckOut("C1", barcodes[0]))
    handle(lib.ports, DESK, c.CheckOut("C1", barcodes[1]))
    # The other copy's return moves the reader's stream under ours: we lose, look again, win.
    store.before_first_append = lambda: handle(lib.ports, DESK, c.CheckIn(barcodes[1]))
    lib.units[:] = []
    returned = handle(lib.ports, DESK, c.CheckIn(barcodes[0]))
    assert returned.result["reader_id"] == "r1" and not returned.replayed
    assert len(lib.units) == 3  # ours (lost the race), the competitor's, ours again


def test_a_command_whose_located_facts_keep_moving_gives_up_with_a_conflict() -> None:
    lib = library()
    attempts: list[int] = []

    def locate(load: Any) -> tuple[list[str], Any]:
        attempts.append(1)

        def decide(loaded: Any) -> Decision:
            raise Relocate

        return ["copy-x"], decide

    with pytest.raises(Conflict) as gave_up:
        run(lib.ports, DESK, "test", locate)
    assert gave_up.value.code == "concurrency_conflict" and len(attempts) == MAX_ATTEMPTS


def test_an_append_that_keeps_conflicting_gives_up_after_the_attempt_budget() -> None:
    class AlwaysLosing(MemoryEventStore):
        def append(self, events: Sequence[Any], **kwargs: Any) -> AppendResult:
            raise ConcurrencyError("copy-x", 0, 1)

    lib = library(AlwaysLosing())
    with pytest.raises(Conflict):
        run(lib.ports, DESK, "test", lambda load: (["copy-x"], lambda loaded: Decision([])))
    assert len(lib.units) == MAX_ATTEMPTS and lib.committed == []


def test_writes_outside_the_log_are_kept_by_the_unit_of_work_that_commits() -> None:
    lib = library()

    def pin_write(conn: Any) -> None:
        raise AssertionError("no database here: the twin records the write, never runs it")

    def decide(loaded: Any) -> Decision:
        return Decision([], {"ok": True}, expected={}, also=pin_write)

    outcome = run(lib.ports, DESK, "test", lambda load: (["reader-x"], decide))
    assert outcome.result == {"ok": True} and lib.units[-1].writes == [pin_write]
    assert lib.committed == []  # nothing was appended, so nothing to fold


def test_an_update_names_only_the_fields_given() -> None:
    lib = library()
    with_reader(lib, "C1", "r1")
    command = c.UpdateReader("r1", phone="13800000000", email=None)
    assert command.changes() == {"phone": "13800000000", "email": None}
    assert handle(lib.ports, DESK, command).result == {"reader_id": "r1"}


def test_every_command_has_exactly_one_handler() -> None:
    commands = {cls for _, cls in inspect.getmembers(c, inspect.isclass)
                if dataclasses.is_dataclass(cls) and cls.__module__ == c.__name__}
    assert commands == set(HANDLERS)
    assert all(cls.__dataclass_params__.frozen for cls in commands)  # type: ignore[attr-defined]


def test_a_value_that_is_not_a_command_is_refused() -> None:
    with pytest.raises(TypeError):
        handle(library().ports, DESK, {"barcode": "B1"})


# Commands that write through ``execute`` outside the application layer, with the reason.
OUTSIDE_THE_REGISTRY = {
    # Scheduled exports validate against the export-kind registry of service/data/exporting,
    # which the application layer may not import; their adapter and worker call them directly.
    "create_export_schedule", "change_export_schedule", "remove_export_schedule",
    "deliver_scheduled_export",
}


def test_every_command_written_through_execute_is_registered_with_a_handler() -> None:
    """A handler that appends (``execute``/``run`` with a command name) is reachable through
    ``handle``: its command class is in HANDLERS, so one place lists every command."""
    import re
    from pathlib import Path

    service = Path(__file__).resolve().parents[2] / "service"
    call = re.compile(r'(?:execute|run|_hold_command)\(\s*ports,\s*actor,\s*"([a-z_]+)"')
    names = {name for path in service.rglob("*.py")
             for name in call.findall(path.read_text(encoding="utf-8"))}
    assert len(names) > 30  # the scan finds the handlers
    registered = {cls.__name__ for cls in HANDLERS}
    camel = {name: "".join(part.title() for part in name.split("_")) for name in names}
    missing = sorted(n for n, cls in camel.items()
                     if cls not in registered and n not in OUTSIDE_THE_REGISTRY)
    assert missing == []
