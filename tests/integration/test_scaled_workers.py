"""Three real `celery worker` processes share the projection shards of a burst of commands.

What `docker compose up --scale worker=3` runs, on one machine: every worker reads the same
Redis queue and PostgreSQL. The workers run tests/fold_tracing.py, the real worker app plus
a trace of every fold (which process, which projections, from lock to commit), and a
trigger in the test database notes every checkpoint move. The tests show that folds spread
over processes, that no projection is ever folded by two at once, that checkpoints only go
forward from where the last fold left them, and that the result equals a rebuild, also
when one worker is killed with -9 in the middle of a fold.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from projections.catalogue import titles
from service.adapters.dispatch import CATCH_UP_TASK
from service.application import catalogue, circulation, readers
from service.application.context import Actor, Principal
from service.bootstrap import Lector, bootstrap, producer_celery
from service.config import Config
from tests.integration.test_celery_worker import (
    all_at,
    append_bulk,
    checkpoints_now,
    rebuilt_equals_incremental,
)
from tests.worker_process import WorkerProcess, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

DESK = Actor(Principal("staff", "desk-a", "desk"), "desk")
SAFETY_NET = "projections.catch_up_shards"  # what beat sends every few seconds
AUDIT = [
    "CREATE TABLE test_checkpoint_moves (id bigserial PRIMARY KEY, name text NOT NULL,"
    " old bigint NOT NULL, new bigint NOT NULL)",
    "CREATE FUNCTION test_note_checkpoint_move() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO test_checkpoint_moves (name, old, new)"
    " VALUES (NEW.name, OLD.position, NEW.position); RETURN NEW; END $$",
    "CREATE TRIGGER test_checkpoint_moves AFTER UPDATE ON projection_checkpoints"
    " FOR EACH ROW EXECUTE FUNCTION test_note_checkpoint_move()",
]



@pytest.fixture
def lector(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Lector]:
    """The API side: after each commit it enqueues one catch-up per shard on Redis."""
    config = Config(database_url=postgres_url, redis_url=redis_url, secret_key="test-secret",
                    instance_dir=tmp_path, testing=True)
    app = bootstrap(config)
    with app.engine.begin() as conn:
        for statement in AUDIT:
            conn.execute(text(statement))
    yield app
    app.celery.close()
    app.dispose()


@pytest.fixture
def trace(tmp_path: Path) -> Path:
    return tmp_path / "folds.jsonl"


@pytest.fixture
def workers(postgres_url: str, redis_url: str, tmp_path: Path,
            trace: Path) -> Iterator[list[WorkerProcess]]:
    """Three worker processes of one child each, tracing their folds; all stopped at the end."""
    started = [WorkerProcess(f"w{i}", postgres_url, redis_url, tmp_path, concurrency=1,
                             app="tests.fold_tracing",
                             env={"LECTOR_TEST_FOLD_TRACE": str(trace)}) for i in range(3)]
    yield started
    for worker in started:
        worker.kill()


def start_all(workers: list[WorkerProcess]) -> None:
    for worker in workers:
        worker.start()


def send(config: Config, task: str, times: int = 1) -> None:
    producer = producer_celery(config)
    try:
        for _ in range(times):
            producer.send_task(task)
    finally:
        producer.close()


def burst(lector: Lector, threads: int = 4, rounds: int = 12) -> int:
    """Each thread catalogues a title with copies, then registers readers who borrow and
    return them; every command commits on its own. Returns the number of commands."""
    crashes: list[BaseException] = []
    done = [0] * threads

    def desk(t: int) -> None:
        try:
            title = f"title-{t}"
            catalogue.catalogue_title(lector.ports, DESK, catalogue.CatalogueTitle(
                title=f"三体 {t}", clc_class="I247.5", title_id=title), None)
            barcodes = [f"B{t}-{j}" for j in range(3)]
            for barcode in barcodes:
                catalogue.add_copy(lector.ports, DESK, catalogue.AddCopy(barcode, title, "main"),
                                   None)
            done[t] += 1 + len(barcodes)
            for r in range(rounds):
                card = f"C{t}-{r}"
                readers.register_reader(lector.ports, DESK, readers.RegisterReader(
                    card, f"读者{t}-{r}", "adult", reader_id=f"r-{t}-{r}"), None)
                barcode = barcodes[r % len(barcodes)]
                circulation.check_out(lector.ports, DESK, card, barcode, None, None)
                circulation.check_in(lector.ports, DESK, barcode, None, None)
                done[t] += 3
        except BaseException as exc:  # re-raised in the test's thread below
            crashes.append(exc)

    running = [threading.Thread(target=desk, args=(t,)) for t in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=180)
    assert not crashes, crashes
    return sum(done)


def folds(trace: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in trace.read_text().splitlines()] if trace.exists() else []


def overlapping(traced: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Pairs of folds of one projection whose lock-to-commit intervals overlap."""
    by_projection: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fold in traced:
        for name in fold["names"]:
            by_projection[name].append(fold)
    found = []
    for name, its in by_projection.items():
        its.sort(key=lambda f: f["start"])
        found += [(name, a, b) for a, b in itertools.pairwise(its) if b["start"] <= a["end"]]
    return found


def broken_checkpoint_chains(engine: Engine, head: int) -> dict[str, list[tuple[int, int]]]:
    """Projections whose checkpoint moves, in commit order, do not run 0 -> ... -> head with
    each move starting where the previous one ended and going forward."""
    moves: dict[str, list[tuple[int, int]]] = defaultdict(list)
    with engine.connect() as conn:
        for name, old, new in conn.execute(text(
                "SELECT name, old, new FROM test_checkpoint_moves ORDER BY id")):
            moves[name].append((int(old), int(new)))
    broken = {}
    for name, chain in moves.items():
        ends = [0] + [new for _old, new in chain]
        if any(old != ends[i] or new <= old for i, (old, new) in enumerate(chain)) \
                or ends[-1] != head:
            broken[name] = chain
    return broken


def test_three_workers_fold_a_burst_shard_by_shard_and_never_one_projection_at_once(
    lector: Lector, workers: list[WorkerProcess], trace: Path,
) -> None:
    # Before any worker runs: a burst of commits enqueues one catch-up per shard, no more.
    readers.register_reader(lector.ports, DESK, readers.RegisterReader("P0", "王芳", "adult"), None)
    for i in range(30):
        catalogue.catalogue_title(lector.ports, DESK, catalogue.CatalogueTitle(
            title=f"书 {i}", clc_class="I247.5", title_id=f"pre-{i}"), None)
    assert len(lector.shards) == 4
    assert lector.redis.llen("celery") == len(lector.shards)

    start_all(workers)
    # Whole-log runners race the shard runners for the same projection locks.
    send(lector.config, CATCH_UP_TASK, times=2)
    commands = burst(lector)
    send(lector.config, CATCH_UP_TASK)
    head = lector.store.last_position()
    wait_until(lambda: all_at(lector.engine, head), 120, "every projection to reach the head")
    for worker in workers:
        worker.stop()

    traced = folds(trace)
    moved = [f for f in traced if f["moved"]]
    folded_by = {f["pid"] for f in moved}
    shard_of = {n: s.name for s in lector.shards for n in s.projection_names}
    shards_by_pid = {pid: sorted({shard_of[n] for f in moved if f["pid"] == pid
                                  for n in f["names"]}) for pid in folded_by}
    print(f"{commands} commands, {len(traced)} folds ({len(moved)} moved a checkpoint); "
          f"shards folded per process: {shards_by_pid}")
    assert len(folded_by) >= 2, shards_by_pid
    assert overlapping(traced) == []
    assert broken_checkpoint_chains(lector.engine, head) == {}
    incremental, rebuilt = rebuilt_equals_incremental(lector)
    assert len(incremental["rm_reader_profiles"]) == 1 + 4 * 12
    assert len(incremental["rm_titles"]) == 30 + 4
    assert incremental == rebuilt


def test_a_worker_killed_mid_fold_leaves_the_others_to_finish_and_equal_a_rebuild(
    lector: Lector, workers: list[WorkerProcess], trace: Path,
) -> None:
    titles_n = 4000
    append_bulk(lector.store, titles_n, 300)  # a backlog, so a fold lasts long enough to cut
    start_all(workers)
    by_pid = {w.proc.pid: w for w in workers if w.proc is not None}
    pool = ThreadPoolExecutor(1)
    desks = pool.submit(burst, lector, rounds=8)

    def folding_the_catalogue() -> int | None:
        if checkpoints_now(lector.engine).get("catalogue", 0) >= titles_n:
            return None
        return next((f["worker"] for f in folds(trace) if f["moved"] and "catalogue" in f["names"]
                     and "title_keys" in f["names"]), None)

    victim = by_pid[wait_until(folding_the_catalogue, 60, "a shard runner part-way through "
                               "the catalogue", interval_s=0.01)]
    victim.kill()
    killed_at = time.monotonic_ns()
    cut = checkpoints_now(lector.engine)["catalogue"]
    assert cut < titles_n, "the kill came too late to prove anything"
    desks.result(timeout=180)  # re-raises what went wrong at a desk
    pool.shutdown()
    send(lector.config, SAFETY_NET)  # beat's safety net: what any lost or cut task leaves
    head = lector.store.last_position()
    wait_until(lambda: all_at(lector.engine, head), 120, "the surviving workers to reach the head")
    for worker in workers:
        worker.stop()

    traced = folds(trace)
    after_kill = {f["worker"] for f in traced if f["moved"] and f["start"] > killed_at}
    assert after_kill and victim.proc is not None and victim.proc.pid not in after_kill
    assert overlapping(traced) == []
    assert broken_checkpoint_chains(lector.engine, head) == {}
    incremental, rebuilt = rebuilt_equals_incremental(lector)
    with lector.engine.connect() as conn:
        assert len(conn.execute(select(titles.c.title_id)).all()) == titles_n + 4
    assert incremental == rebuilt


def test_a_shard_claimed_by_one_runner_is_refused_to_a_second_until_it_lets_go(
    postgres_url: str,
) -> None:
    from events.engine import make_engine
    from projections.shards import claim

    engine = make_engine(postgres_url)
    try:
        with claim(engine, "circulation") as first, claim(engine, "circulation") as second, \
                claim(engine, "readers") as other:  # taken in this order
            assert (first, second, other) == (True, False, True)
        with claim(engine, "circulation") as again:
            assert again
    finally:
        engine.dispose()
