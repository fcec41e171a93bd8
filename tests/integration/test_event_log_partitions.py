"""PostgreSQL's event log is partitioned by month of recorded_at; reads do not notice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from events import PendingEvent
from events.catalogue import TitleCatalogued
from events.engine import make_engine, write_connection
from events.partitions import (
    add_months,
    ensure_months,
    ensure_partitions,
    is_partitioned,
    list_partitions,
    month_of,
    partition_name,
)
from events.sqlalchemy_store import SqlEventStore
from service.adapters.database import alembic_config, upgrade
from service.cli.ops import main

END_OF_JANUARY = datetime(2030, 1, 31, 23, 59, 59, 999000, tzinfo=UTC)
START_OF_FEBRUARY = datetime(2030, 2, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def catalogue(store: SqlEventStore, at: datetime, title_id: str, version: int,
              also: str | None = None) -> int:
    """Append one title event recorded at ``at``; its position."""
    store.clock = lambda: at
    streams = (f"title-{title_id}",) + ((also,) if also else ())
    expected = {s: version - 1 for s in streams}
    if also:
        expected[also] = store.load([also]).version(also)
    result = store.append([PendingEvent(TitleCatalogued(title_id, f"书 {version}"), streams)],
                          expected=expected, meta={"actor": "test"})
    return result.positions[0]


def partition_of(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT position, tableoid::regclass::text FROM events"))
        return {int(p): str(t) for p, t in rows}


def test_events_either_side_of_a_month_boundary_read_back_in_order_from_their_months(
    engine: Engine,
) -> None:
    ensure_months(engine, [date(2030, 1, 1), date(2030, 2, 1)])
    store = SqlEventStore(engine)
    before = catalogue(store, END_OF_JANUARY, "t1", 1, also="shelf-new")
    after = catalogue(store, START_OF_FEBRUARY, "t2", 1, also="shelf-new")
    later = catalogue(store, END_OF_JANUARY, "t3", 1)  # a late stamp still lands by its time

    log = store.read_all()
    assert [e.position for e in log] == [before, after, later]
    assert [e.recorded_at for e in log] == [END_OF_JANUARY, START_OF_FEBRUARY, END_OF_JANUARY]
    assert partition_of(engine) == {before: "events_p203001", after: "events_p203002",
                                    later: "events_p203001"}
    shelf = store.load(["shelf-new"])
    assert shelf.version("shelf-new") == 2
    assert [e.position for e in shelf.events] == [before, after]
    assert store.safe_position() == later
    assert [e.position for e in store.read_all(after=before, until=after)] == [after]


def test_rows_in_the_default_partition_move_into_their_month_when_it_is_made(
    engine: Engine,
) -> None:
    store = SqlEventStore(engine)
    stray = catalogue(store, datetime(2031, 6, 15, tzinfo=UTC), "t1", 1)
    kept = catalogue(store, datetime(2031, 7, 15, tzinfo=UTC), "t2", 1)
    assert partition_of(engine) == {stray: "events_default", kept: "events_default"}

    assert ensure_months(engine, [date(2031, 6, 1)]) == ["events_p203106"]

    assert partition_of(engine) == {stray: "events_p203106", kept: "events_default"}
    assert [e.position for e in store.read_all()] == [stray, kept]
    assert store.load(["title-t1"]).version("title-t1") == 1
    with write_connection(engine) as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM events_default"))
    for table in ("events_p203106", "events_default"):
        with write_connection(engine) as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text(f"TRUNCATE {table}"))


def test_two_processes_making_the_same_months_at_once_both_succeed_with_one_result(
    engine: Engine, postgres_url: str,
) -> None:
    stray = catalogue(SqlEventStore(engine), datetime(2032, 1, 10, tzinfo=UTC), "t1", 1)
    months = [date(2032, 1, 1), date(2032, 2, 1), date(2032, 3, 1)]
    start = threading.Barrier(2)
    created: list[list[str]] = []
    failures: list[BaseException] = []

    def make() -> None:
        own = make_engine(postgres_url)  # its own pool: another process, as far as PG knows
        try:
            start.wait()
            created.append(ensure_months(own, months))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=make) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert sorted(created, key=len) == [[], ["events_p203201", "events_p203202",
                                             "events_p203203"]]
    with engine.connect() as conn:
        names = [p.name for p in list_partitions(conn)]
    assert names.count("events_p203201") == 1
    assert partition_of(engine)[stray] == "events_p203201"


def test_a_link_to_a_position_no_event_has_is_still_refused(engine: Engine) -> None:
    with write_connection(engine) as conn, pytest.raises(IntegrityError, match="position"):
        conn.execute(text("INSERT INTO event_streams (stream_id, version, position) "
                          "VALUES ('title-x', 1, 999)"))


def test_downgrade_and_upgrade_keep_every_event_and_the_position_sequence(
    engine: Engine, postgres_url: str,
) -> None:
    ensure_months(engine, [date(2030, 1, 1), date(2030, 2, 1)])
    store = SqlEventStore(engine)
    written = [catalogue(store, END_OF_JANUARY, "t1", 1, also="shelf-new"),
               catalogue(store, START_OF_FEBRUARY, "t2", 1, also="shelf-new"),
               catalogue(store, datetime(2033, 5, 1, tzinfo=UTC), "t3", 1)]
    before = [(e.position, e.event_id, e.recorded_at, e.event) for e in store.read_all()]
    engine.dispose()

    command.downgrade(alembic_config(postgres_url), "0024_campaign_surveys")
    with engine.connect() as conn:
        assert not is_partitioned(conn)
    assert [(e.position, e.event_id, e.recorded_at, e.event)
            for e in store.read_all()] == before
    engine.dispose()

    upgrade(postgres_url)
    with engine.connect() as conn:
        assert is_partitioned(conn)
        assert conn.scalar(text("SELECT pg_get_serial_sequence('events', 'position')"))
    assert [(e.position, e.event_id, e.recorded_at, e.event)
            for e in store.read_all()] == before
    assert partition_of(engine)[written[2]] == "events_p203305"
    assert store.load(["shelf-new"]).version("shelf-new") == 2
    assert catalogue(store, START_OF_FEBRUARY, "t4", 1) == written[-1] + 1


def test_the_cli_makes_missing_months_and_lists_them_with_row_counts(
    engine: Engine, postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    catalogue(SqlEventStore(engine), datetime.now(UTC), "t1", 1)
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setenv("LECTOR_SECRET_KEY", "s")
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)

    result = CliRunner().invoke(main, ["db", "partitions", "--months-ahead", "6"])

    assert result.exit_code == 0, result.output
    this_month = datetime.now(UTC).strftime("%Y%m")
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()}
    assert lines[f"events_p{this_month}"][2] == "1"
    assert sum(1 for line in result.output.splitlines() if line.startswith("created")) == 3
    assert lines["events_default"][2] == "0"


def test_sqlite_keeps_its_plain_table_and_making_partitions_is_a_no_op(
    sqlite_factory: object,
) -> None:
    url = sqlite_factory.new()  # type: ignore[attr-defined]
    engine = make_engine(url)
    try:
        assert ensure_partitions(engine) == []
        with engine.connect() as conn:
            assert list_partitions(conn) == []
    finally:
        engine.dispose()


def test_the_nightly_beat_task_makes_the_configured_months_ahead(
    database_url: str, tmp_path: Path,
) -> None:
    from service.bootstrap import bootstrap
    from service.config import Config
    from workers.celery_app import create_celery
    from workers.schedule import beat_schedule

    config = Config(database_url=database_url, secret_key="s", instance_dir=tmp_path,
                    testing=True, event_partition_months_ahead=5)
    lector = bootstrap(config)
    try:
        entry = beat_schedule(config)["events-partitions-nightly"]
        celery = create_celery(config, lector)
        celery.loader.import_default_modules()  # what a worker and the embedded beat do
        task = celery.tasks[entry["task"]]
        made = task.apply().get()
        with lector.engine.connect() as conn:
            months = [p.month for p in list_partitions(conn) if p.month is not None]
    finally:
        lector.dispose()
    if database_url.startswith("sqlite"):
        assert (made, months) == ([], [])
        return
    this_month = month_of(datetime.now(UTC))  # the template was migrated with 3 ahead
    assert made == [partition_name(add_months(this_month, n)) for n in (4, 5)]
    assert months[-6:] == [add_months(this_month, n) for n in range(6)]
