"""The circulation invariants under real concurrency: threads (and processes) against a database.

Every race calls the core command handlers directly, with all callers released together by
a barrier. Each test then audits the whole event log in position order (the log is the
truth) and checks that every projection, caught up in small batches, equals its rebuild.
Runs on PostgreSQL (LECTOR_TEST_DATABASE_URL) and on the embedded SQLite back end.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Table, select

import events.domain  # noqa: F401  (registers every event type)
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import ConcurrencyError, StoredEvent
from projections.hold_queue import list_holds
from projections.runner import catch_up, catch_up_batch, rebuild
from service.application import catalogue, circulation, readers
from service.application.context import Actor, Principal
from service.application.execute import Outcome
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.domain.errors import DomainError
from service.domain.library.policy import default_matrix, loan_limit_for

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Shanghai
DESK_A = Actor(Principal("staff", "desk-a", "desk"), "desk")
DESK_B = Actor(Principal("staff", "desk-b", "desk"), "desk")
SYSTEM = Actor(Principal("system", "lector", "system"), "worker")


class MovableClock:
    """The library's clock, shared by every thread and moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Conflicts:
    """Counts appends refused because a stream moved (each is one retry of a command)."""

    def __init__(self, lector: Lector) -> None:
        self.count = 0
        self._lock = threading.Lock()
        original = lector.store.append

        def counting(*args: Any, **kwargs: Any) -> Any:
            try:
                return original(*args, **kwargs)
            except ConcurrencyError:
                with self._lock:
                    self.count += 1
                raise

        lector.store.append = counting  # type: ignore[method-assign]


def _url_for(request: pytest.FixtureRequest, backend: str) -> str:
    if backend == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    factory = request.getfixturevalue("sqlite_factory")
    url = str(factory.new())
    request.addfinalizer(lambda: factory.drop(url))
    return url


@pytest.fixture(params=["postgres", "sqlite"])
def racing(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Lector]:
    """Ports on a fresh database; projections are caught up by the tests, not after commit."""
    url = _url_for(request, request.param)
    lector = bootstrap(Config(database_url=url, secret_key="t", instance_dir=tmp_path),
                       after_commit=lambda position: None)
    lector.ports.clock = MovableClock(START)
    lector.extras["conflicts"] = Conflicts(lector)
    yield lector
    print(f"[{request.param}] {request.node.name}: "
          f"{lector.extras['conflicts'].count} append conflicts retried")
    lector.dispose()


# --- building a library and running races ---------------------------------------------------


def add_readers(lector: Lector, prefix: str, n: int, category: str = "adult") -> list[str]:
    """Register readers with cards <prefix>0..; return the card numbers."""
    cards = [f"{prefix}{i}" for i in range(n)]
    for card in cards:
        cmd = readers.RegisterReader(card, f"读者{card}", category, reader_id=f"r-{card}")
        readers.register_reader(lector.ports, DESK_A, cmd, None)
    return cards


def add_title(lector: Lector, title_id: str, *barcodes: str) -> str:
    cmd = catalogue.CatalogueTitle(title="三体", clc_class="I247.5", title_id=title_id)
    catalogue.catalogue_title(lector.ports, DESK_A, cmd, None)
    for barcode in barcodes:
        catalogue.add_copy(lector.ports, DESK_A, catalogue.AddCopy(barcode, title_id, "main"),
                           None)
    return title_id


def race(n: int, run: Callable[[int], Any]) -> list[Any]:
    """Run ``run(i)`` for i in 0..n-1 in n threads released together; each result or code."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    crashes: list[BaseException] = []

    def body(i: int) -> None:
        barrier.wait()
        try:
            results[i] = run(i)
        except DomainError as exc:
            results[i] = exc.code
        except BaseException as exc:  # re-raised in the test's thread below
            crashes.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not crashes, crashes
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return results


def codes(results: list[Any]) -> Counter[str]:
    return Counter(r if isinstance(r, str) else "ok" for r in results)


def log(lector: Lector, *types: type) -> list[StoredEvent]:
    everything = list(lector.store.iter_all())
    return [s for s in everything if not types or isinstance(s.event, types)]


# --- the auditor: invariants 1-4 checked over the whole log, in position order ---------------


def audit(events_: list[StoredEvent]) -> None:
    """Replay the log and fail on any state the invariants forbid."""
    matrix = default_matrix()
    on_loan: dict[str, str] = {}  # barcode -> loan_id
    loans_of: dict[str, set[str]] = {}
    trapped_for: dict[str, str] = {}  # barcode -> reader
    queues: dict[str, list[tuple[str, str]]] = {}  # title -> [(hold_id, reader)] waiting
    for stored in events_:
        e = stored.event
        where = f"position {stored.position}"
        if isinstance(e, LoanOpened):
            assert e.barcode not in on_loan, f"{where}: {e.barcode} lent twice"
            mine = loans_of.setdefault(e.reader_id, set())
            assert len(mine) < loan_limit_for(matrix, e.reader_category), f"{where}: over limit"
            owner = trapped_for.pop(e.barcode, e.reader_id)
            assert owner == e.reader_id, f"{where}: {e.barcode} trapped for {owner}"
            on_loan[e.barcode] = e.loan_id
            mine.add(e.loan_id)
        elif isinstance(e, LoanRenewed):
            assert on_loan.get(e.barcode) == e.loan_id, f"{where}: renewal of a closed loan"
        elif isinstance(e, LoanClosed):
            assert on_loan.pop(e.barcode) == e.loan_id
            loans_of[e.reader_id].discard(e.loan_id)
        elif isinstance(e, HoldPlaced):
            queue = queues.setdefault(e.title_id, [])
            assert e.reader_id not in {r for _, r in queue}, f"{where}: held twice"
            queue.append((e.hold_id, e.reader_id))
        elif isinstance(e, HoldTrapped):
            queue = queues[e.title_id]
            assert queue[0] == (e.hold_id, e.reader_id), f"{where}: trapped out of FIFO order"
            queue.pop(0)
            trapped_for[e.barcode] = e.reader_id
        elif isinstance(e, HoldExpired | HoldCancelled | HoldFulfilled):
            queue = queues.get(e.title_id, [])
            queues[e.title_id] = [h for h in queue if h[0] != e.hold_id]
            if not isinstance(e, HoldFulfilled) and e.barcode is not None:
                assert trapped_for.get(e.barcode) == e.reader_id
                del trapped_for[e.barcode]


def snapshot(engine: Engine, lector: Lector) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for projection in lector.projections:
            for table in projection.tables:
                out[table.name] = [dict(r) for r in conn.execute(_ordered(table)).mappings()]
    return out


def _ordered(table: Table) -> Any:
    return select(table).order_by(*(list(table.primary_key.columns) or list(table.columns)))


def assert_rebuild_equals_incremental(lector: Lector, seed: int = 0) -> None:
    """Invariant 6: fold in random small batches, then compare with a rebuild from 0."""
    rng = random.Random(seed)
    for projection in lector.projections:
        while not catch_up_batch(lector.engine, lector.store, projection, rng.randint(1, 9))[1]:
            pass
    incremental = snapshot(lector.engine, lector)
    for projection in lector.projections:
        rebuild(lector.engine, lector.store, projection)
    assert snapshot(lector.engine, lector) == incremental


# --- invariant 1: one copy, 50 readers -------------------------------------------------------


def test_fifty_readers_racing_for_one_copy_get_exactly_one_loan(racing: Lector) -> None:
    cards = add_readers(racing, "R", 50)
    add_title(racing, "t1", "B1")
    results = race(50, lambda i: circulation.check_out(racing.ports, DESK_A, cards[i], "B1",
                                                       None, None))
    assert codes(results) == {"ok": 1, "copy_not_available": 49}
    [opened] = [s.event for s in log(racing, LoanOpened)]
    winner = next(r for r in results if isinstance(r, Outcome))
    assert opened.barcode == "B1" and opened.loan_id == winner.result["loan_id"]
    audit(log(racing))
    assert_rebuild_equals_incremental(racing)


# --- invariant 2: loan limit at two desks ----------------------------------------------------


def test_a_reader_one_below_the_limit_borrowing_ten_copies_at_two_desks_gets_one(
    racing: Lector,
) -> None:
    [card] = add_readers(racing, "L", 1)
    limit = loan_limit_for(default_matrix(), "adult")
    add_title(racing, "t1", *[f"OLD{i}" for i in range(limit - 1)])
    add_title(racing, "t2", *[f"NEW{i}" for i in range(10)])
    for i in range(limit - 1):
        circulation.check_out(racing.ports, DESK_A, card, f"OLD{i}", None, None)
    desks = [DESK_A, DESK_B]
    results = race(10, lambda i: circulation.check_out(racing.ports, desks[i % 2], card,
                                                       f"NEW{i}", None, None))
    assert codes(results) == {"ok": 1, "loan_limit_reached": 9}
    assert len(log(racing, LoanOpened)) == limit
    audit(log(racing))
    assert_rebuild_equals_incremental(racing)


# --- invariant 3: a trapped copy waits for its reader until the hold expires ----------------


def test_a_trapped_copy_is_refused_to_everyone_else_until_it_expires_then_passes_on(
    racing: Lector,
) -> None:
    ports = racing.ports
    borrower, first, second, *others = add_readers(racing, "T", 23)
    add_title(racing, "t1", "B1")
    circulation.check_out(ports, DESK_A, borrower, "B1", None, None)
    holds = [circulation.place_hold(ports, DESK_A, f"r-{card}", "t1", "main", None)
             .result["hold_id"] for card in (first, second)]
    returned = circulation.check_in(ports, DESK_A, "B1", None, None)
    assert returned.result["hold_reader_id"] == f"r-{first}"

    refused = race(21, lambda i: circulation.check_out(ports, DESK_A, [second, *others][i],
                                                       "B1", None, None))
    assert codes(refused) == {"hold_for_other_reader": 21}

    clock: MovableClock = ports.clock  # type: ignore[assignment]
    clock.now += timedelta(days=8)  # pickup was due within 7 days
    expirers, grabbers = 5, 20

    def expire_or_grab(i: int) -> Any:
        if i < expirers:
            return circulation.expire_hold(ports, SYSTEM, holds[0])
        return circulation.check_out(ports, DESK_B, others[i - expirers], "B1", None, None)

    results = race(expirers + grabbers, expire_or_grab)
    assert codes(results[expirers:]) == {"hold_for_other_reader": grabbers}
    assert sum(bool(r.result["expired"]) for r in results[:expirers]) == 1
    assert [s.event.reader_id for s in log(racing, HoldExpired)] == [f"r-{first}"]
    trapped = [s.event for s in log(racing, HoldTrapped)]
    assert [(t.reader_id, t.hold_id) for t in trapped] == [(f"r-{first}", holds[0]),
                                                           (f"r-{second}", holds[1])]
    assert trapped[1].reason.startswith("previous hold expired")
    taken = circulation.check_out(ports, DESK_A, second, "B1", None, None)
    assert taken.result["hold_fulfilled"] == holds[1]
    audit(log(racing))
    assert_rebuild_equals_incremental(racing)


# --- invariant 4: return racing renew; holds racing each other -------------------------------


def test_a_return_racing_a_renewal_never_leaves_a_renewal_after_the_close(
    racing: Lector,
) -> None:
    rounds = 12
    cards = add_readers(racing, "N", rounds)
    add_title(racing, "t1", *[f"B{i}" for i in range(rounds)])
    outcomes: Counter[str] = Counter()
    clock: MovableClock = racing.ports.clock  # type: ignore[assignment]
    for n in range(rounds):
        barcode = f"B{n}"
        circulation.check_out(racing.ports, DESK_A, cards[n], barcode, None, None)
        clock.now += timedelta(days=1)  # renewing on the day of lending would be too early
        renew, closed = race(2, lambda i, b=barcode: (
            circulation.renew(racing.ports, DESK_B, b, None) if i == 0
            else circulation.check_in(racing.ports, DESK_A, b, None, None)))
        assert isinstance(closed, Outcome) and closed.result["loan_closed"]
        kinds = [type(s.event) for s in log(racing) if getattr(s.event, "barcode", "") == barcode
                 and isinstance(s.event, LoanOpened | LoanRenewed | LoanClosed)]
        if isinstance(renew, Outcome):
            outcomes["renewed then closed"] += 1
            assert kinds == [LoanOpened, LoanRenewed, LoanClosed]
        else:
            outcomes["closed, renewal refused"] += 1
            assert renew == "loan_not_found" and kinds == [LoanOpened, LoanClosed]
    print(f"return vs renew over {rounds} rounds: {dict(outcomes)}")
    audit(log(racing))
    assert_rebuild_equals_incremental(racing)


def test_thirty_concurrent_holds_queue_in_the_order_they_were_accepted(racing: Lector) -> None:
    cards = add_readers(racing, "H", 30)
    add_title(racing, "t1", "B1")
    results = race(30, lambda i: circulation.place_hold(racing.ports, DESK_A, f"r-{cards[i]}",
                                                        "t1", "main", None))
    assert codes(results) == {"ok": 30}
    accepted = sorted(results, key=lambda o: o.position)
    # Each caller was told its place; in acceptance (commit) order they are 1..30.
    assert [o.result["queue_position"] for o in accepted] == list(range(1, 31))
    placed = [s for s in log(racing, HoldPlaced)]
    assert [s.event.hold_id for s in placed] == [o.result["hold_id"] for o in accepted]
    assert sorted(s.event.reader_id for s in placed) == sorted(f"r-{c}" for c in cards)
    title_stream = racing.store.load(["title-t1"]).events
    assert [s.event.hold_id for s in title_stream if isinstance(s.event, HoldPlaced)] == \
        [o.result["hold_id"] for o in accepted]
    for projection in racing.projections:
        catch_up(racing.engine, racing.store, projection)
    with racing.engine.connect() as conn:
        queue = list_holds(conn, title_id="t1", status="waiting")
    assert [(h["hold_id"], h["queue_position"]) for h in queue] == \
        [(o.result["hold_id"], n) for n, o in enumerate(accepted, start=1)]
    audit(log(racing))
    assert_rebuild_equals_incremental(racing)


# --- invariant 5: one idempotency key, many callers ------------------------------------------


def test_twenty_concurrent_checkouts_with_one_idempotency_key_have_one_effect(
    racing: Lector,
) -> None:
    [card] = add_readers(racing, "I", 1)
    add_title(racing, "t1", "B1")
    results = race(20, lambda i: circulation.check_out(racing.ports, DESK_A, card, "B1", None,
                                                       "key-1"))
    assert codes(results) == {"ok": 20}
    [opened] = [s.event for s in log(racing, LoanOpened)]
    assert {r.result["loan_id"] for r in results} == {opened.loan_id}
    assert sum(not r.replayed for r in results) == 1
    # The key is scoped to the actor: another desk using the same key is a new request.
    with pytest.raises(DomainError) as other:
        circulation.check_out(racing.ports, DESK_B, card, "B1", None, "key-1")
    assert other.value.code == "copy_not_available"
    assert_rebuild_equals_incremental(racing)


# --- processes: separate engines, separate interpreters --------------------------------------


def _process_racer(url: str, tmp: str, cards: list[str], key: str | None, barrier: Any,
                   out: Any) -> None:
    """Child process: its own engine; check out B1 for each card in its own threads."""
    lector = bootstrap(Config(database_url=url, secret_key="t", instance_dir=Path(tmp)),
                       after_commit=lambda position: None)
    barrier.wait()
    results = race(len(cards), lambda i: circulation.check_out(lector.ports, DESK_A, cards[i],
                                                               "B1", None, key))
    out.put([r if isinstance(r, str) else r.result["loan_id"] for r in results])
    lector.dispose()


def race_processes(lector: Lector, tmp: Path, groups: list[list[str]], key: str | None,
                   ) -> list[str]:
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(len(groups)), ctx.Queue()
    url = lector.config.database_url
    procs = [ctx.Process(target=_process_racer, args=(url, str(tmp), g, key, barrier, out))
             for g in groups]
    for proc in procs:
        proc.start()
    results = [r for _ in procs for r in out.get(timeout=120)]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return results


def test_readers_racing_for_one_copy_from_four_processes_get_exactly_one_loan(
    racing: Lector, tmp_path: Path,
) -> None:
    cards = add_readers(racing, "P", 24)
    add_title(racing, "t1", "B1")
    results = race_processes(racing, tmp_path, [cards[i::4] for i in range(4)], None)
    assert Counter(r if r == "copy_not_available" else "ok" for r in results) == \
        {"ok": 1, "copy_not_available": 23}
    assert len(log(racing, LoanOpened)) == 1
    audit(log(racing))


def test_one_idempotency_key_repeated_from_four_processes_has_one_effect(
    racing: Lector, tmp_path: Path,
) -> None:
    [card] = add_readers(racing, "K", 1)
    add_title(racing, "t1", "B1")
    results = race_processes(racing, tmp_path, [[card] * 3 for _ in range(4)], "same-key")
    [opened] = [s.event for s in log(racing, LoanOpened)]
    assert results == [opened.loan_id] * 12


# --- invariant 6 under a mixed workload, with catch-up running while events arrive -----------


def test_a_mixed_workload_with_concurrent_catch_up_keeps_every_invariant(
    racing: Lector,
) -> None:
    ports = racing.ports
    cards = add_readers(racing, "M", 16)
    barcodes = [f"B{t}{c}" for t in range(4) for c in range(3)]
    for t in range(4):
        add_title(racing, f"t{t}", *[f"B{t}{c}" for c in range(3)])
    holds: list[str] = []
    stop = threading.Event()

    def catcher(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            catch_up_batch(racing.engine, racing.store, rng.choice(racing.projections),
                           rng.randint(1, 12))

    def worker(i: int) -> None:
        rng = random.Random(i)
        for _ in range(30):
            card, barcode = rng.choice(cards), rng.choice(barcodes)
            action = rng.randrange(6)
            try:
                if action <= 1:
                    circulation.check_out(ports, DESK_A, card, barcode, None, None)
                elif action == 2:
                    circulation.check_in(ports, DESK_B, barcode, None, None)
                elif action == 3:
                    circulation.renew(ports, DESK_A, barcode, None)
                elif action == 4:
                    placed = circulation.place_hold(ports, DESK_A, f"r-{card}",
                                                    f"t{rng.randrange(4)}", "main", None)
                    holds.append(placed.result["hold_id"])
                elif holds:
                    circulation.cancel_hold(ports, DESK_B, rng.choice(holds), "asked", None)
            except DomainError:
                pass

    catchers = [threading.Thread(target=catcher, args=(s,)) for s in range(2)]
    for thread in catchers:
        thread.start()
    try:
        race(8, worker)
    finally:
        stop.set()
        for thread in catchers:
            thread.join(timeout=60)
    everything = log(racing)
    assert len(log(racing, LoanOpened)) > 10, "the workload should lend a fair amount"
    audit(everything)
    for projection in racing.projections:
        catch_up(racing.engine, racing.store, projection)
    incremental = snapshot(racing.engine, racing)
    for projection in racing.projections:
        rebuild(racing.engine, racing.store, projection)
    assert snapshot(racing.engine, racing) == incremental
