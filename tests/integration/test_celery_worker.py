"""Real `celery worker` processes on Redis fold the log into PostgreSQL projections.

Skipped only when LECTOR_TEST_REDIS_URL or LECTOR_TEST_DATABASE_URL is unset; a configured
but unreachable server is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from events import PendingEvent
from events.catalogue import TitleCatalogued
from events.readers import ReaderRegistered
from events.sqlalchemy_store import SqlEventStore
from projections.catalogue import titles
from projections.reader_profiles import reader_profiles
from projections.registry import all_projections
from projections.runner import rebuild
from projections.schema import checkpoints
from service.adapters.app import build_app
from service.adapters.dispatch import CATCH_UP_TASK
from service.application.accounts import create_staff
from service.bootstrap import Lector, bootstrap, producer_celery
from service.config import DEFAULT_TIMEZONE, Config
from tests.worker_process import WorkerProcess, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.postgres]



@pytest.fixture
def lector(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Lector]:
    """The API side: after each commit it enqueues the catch-up task on Redis."""
    config = Config(database_url=postgres_url, redis_url=redis_url, secret_key="test-secret",
                    instance_dir=tmp_path, testing=True)
    app = bootstrap(config)
    yield app
    app.celery.close()
    app.dispose()


@pytest.fixture
def workers(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    """Worker processes the test starts; every one is stopped at the end."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.kill()


def new_worker(workers: list[WorkerProcess], name: str, postgres_url: str, redis_url: str,
               folder: Path) -> WorkerProcess:
    worker = WorkerProcess(name, postgres_url, redis_url, folder)
    workers.append(worker)
    return worker


def checkpoints_now(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {n: int(p) for n, p in conn.execute(select(checkpoints.c.name, checkpoints.c.position))}


def all_at(engine: Engine, head: int) -> bool:
    reached = checkpoints_now(engine)
    return all(reached.get(p.name) == head for p in all_projections(DEFAULT_TIMEZONE))


def append_bulk(store: SqlEventStore, titles_n: int, readers_n: int) -> int:
    """Write many events straight through the store, in big atomic appends; return the head."""
    for start in range(0, titles_n, 500):
        store.append([PendingEvent(TitleCatalogued(f"t{i}", f"书名 {i}", ("刘慈欣",)),
                                   (f"title-t{i}",)) for i in range(start, min(start + 500, titles_n))],
                     expected={}, meta={"actor": "system:bulk"})
    for start in range(0, readers_n, 500):
        store.append([PendingEvent(ReaderRegistered(f"r{i}", f"C{i:06d}", f"读者{i}", "adult"),
                                   (f"reader-r{i}", f"card-C{i:06d}"))
                      for i in range(start, min(start + 500, readers_n))],
                     expected={}, meta={"actor": "system:bulk"})
    return store.last_position()


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projection table, in primary-key order."""
    with engine.connect() as conn:
        return {
            table.name: [dict(r) for r in conn.execute(
                select(table).order_by(*table.primary_key.columns)).mappings()]
            for projection in all_projections(DEFAULT_TIMEZONE) for table in projection.tables
        }


def send_catch_up(config: Config, times: int = 1) -> None:
    """What beat's safety net (or the next command) does: enqueue the catch-up by name."""
    producer = producer_celery(config)
    try:
        for _ in range(times):
            producer.send_task(CATCH_UP_TASK)
    finally:
        producer.close()


def rebuilt_equals_incremental(lector: Lector) -> tuple[dict[str, Any], dict[str, Any]]:
    """Snapshot every projection table, rebuild everything from 0, snapshot again."""
    incremental = snapshot(lector.engine)
    for projection in lector.projections:
        rebuild(lector.engine, lector.store, projection)
    return incremental, snapshot(lector.engine)


def test_a_separately_started_worker_makes_api_commands_visible_to_queries(
    lector: Lector, workers: list[WorkerProcess], postgres_url: str, redis_url: str,
    tmp_path: Path,
) -> None:
    create_staff(lector.engine, "librarian1", "librarian-pass-1", "librarian")
    client = build_app(lector).test_client()
    token = client.post("/api/v1/auth/token", json={"username": "librarian1",
                                                    "password": "librarian-pass-1"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    reader = client.post("/api/v1/readers", headers=headers, json={
        "card_number": "R0001", "name": "李华", "category": "adult", "email": "lh@example.cn"})
    title = client.post("/api/v1/titles", headers=headers, json={
        "title": "三体", "authors": ["刘慈欣"], "isbn": "7-5366-9293-5"})
    assert (reader.status_code, title.status_code) == (201, 201)
    reader_url = f"/api/v1/readers/{reader.get_json()['reader_id']}"
    title_url = f"/api/v1/titles/{title.get_json()['title_id']}"
    # Nothing folds in this process, and the two commits were coalesced into one task per
    # projection shard.
    assert client.get(reader_url, headers=headers).status_code == 404
    assert lector.redis.llen("celery") == len(lector.shards)

    new_worker(workers, "api", postgres_url, redis_url, tmp_path).start()

    wait_until(lambda: client.get(reader_url, headers=headers).status_code == 200, 30,
               "the worker to fold the reader")
    wait_until(lambda: client.get(title_url, headers=headers).status_code == 200, 30,
               "the worker to fold the title")
    assert client.get(reader_url, headers=headers).get_json()["name"] == "李华"
    assert client.get(title_url, headers=headers).get_json()["isbn"] == "9787536692930"
    renamed = client.patch(reader_url, headers=headers, json={"name": "李小华"})
    assert renamed.status_code == 200
    wait_until(lambda: client.get(reader_url, headers=headers).get_json()["name"] == "李小华", 30,
               "the running worker to fold a later command")


def test_a_worker_killed_mid_catch_up_resumes_and_equals_a_rebuild(
    lector: Lector, workers: list[WorkerProcess], postgres_url: str, redis_url: str,
    tmp_path: Path,
) -> None:
    titles_n, readers_n = 3000, 400
    head = append_bulk(lector.store, titles_n, readers_n)
    worker = new_worker(workers, "victim", postgres_url, redis_url, tmp_path).start()
    send_catch_up(lector.config)

    def part_way() -> dict[str, int] | None:
        reached = checkpoints_now(lector.engine)
        return reached if 0 < reached.get("catalogue", 0) < titles_n else None

    wait_until(part_way, 60, "the catalogue checkpoint to be part-way", interval_s=0.01)
    worker.kill()
    reached = checkpoints_now(lector.engine)
    assert reached["catalogue"] < titles_n, "the kill came too late to prove anything"
    with lector.engine.connect() as conn:
        # Rows and checkpoint committed together: exactly the titles up to the checkpoint.
        assert conn.scalar(select(func.count()).select_from(titles)) == min(reached["catalogue"],
                                                                          titles_n)
        assert conn.scalar(select(func.count()).select_from(reader_profiles)) == max(
            0, reached.get("reader_profiles", 0) - titles_n)

    worker.start()
    send_catch_up(lector.config)
    wait_until(lambda: all_at(lector.engine, head), 90, "every projection to reach the head")
    worker.stop()
    incremental, rebuilt = rebuilt_equals_incremental(lector)
    assert len(incremental["rm_titles"]) == titles_n
    assert len(incremental["rm_reader_profiles"]) == readers_n
    assert incremental == rebuilt


def test_two_workers_catching_up_the_same_projections_at_once_equal_a_rebuild(
    lector: Lector, workers: list[WorkerProcess], postgres_url: str, redis_url: str,
    tmp_path: Path,
) -> None:
    head = append_bulk(lector.store, 1500, 300)
    pair = [new_worker(workers, name, postgres_url, redis_url, tmp_path).start()
            for name in ("first", "second")]
    send_catch_up(lector.config, times=4)
    wait_until(lambda: all_at(lector.engine, head), 90, "every projection to reach the head")
    wait_until(lambda: all(w.tasks_succeeded() >= 1 for w in pair), 60,
               "both workers to have run a catch-up")
    for worker in pair:
        worker.stop()
    incremental, rebuilt = rebuilt_equals_incremental(lector)
    assert len(incremental["rm_titles"]) == 1500
    assert incremental == rebuilt
