"""Every path that rebuilds a projection uses the library's LECTOR_TIMEZONE, not a default.

In Los Angeles a return at 18:00 local time is 01:00 UTC the next day (and 09:00 the next
day in Shanghai, the old fallback), so a zone lost on the way moves it to the wrong day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from events import PendingEvent
from events.loans import LoanClosed, LoanOpened
from projections.runner import catch_up
from projections.trends import Trends, report
from service.bootstrap import Lector, bootstrap, producer_celery
from service.cli import main
from service.config import Config
from tests.worker_process import WorkerProcess, wait_until

ZONE = "America/Los_Angeles"
LOCAL = ZoneInfo(ZONE)
RETURN_DAY = date(2026, 6, 10)


def lend_and_return_in_the_evening(lector: Lector) -> None:
    """A loan opened one morning and returned at 18:00 local time on RETURN_DAY."""
    opened = datetime(2026, 6, 1, 10, 0, tzinfo=LOCAL).astimezone(UTC)
    closed = datetime(2026, 6, 10, 18, 0, tzinfo=LOCAL).astimezone(UTC)
    assert closed.date() == date(2026, 6, 11)  # the case at stake: the UTC day is the next one
    common = {"loan_id": "L1", "barcode": "B1", "reader_id": "r1", "title_id": "t1",
              "branch": "main", "reader_category": "adult", "clc_class": "I247"}
    lector.store.append([
        PendingEvent(LoanOpened(**common, item_type="book", opened_at=opened,
                                due_on=date(2026, 6, 30)), ("copy-B1",)),
        PendingEvent(LoanClosed(**common, item_type="book", closed_at=closed,
                                due_on=date(2026, 6, 30)),
                     ("copy-B1",)),
    ], expected={}, meta={"actor": "system:test"})


def returns_by_day(lector: Lector) -> dict[str, int]:
    with lector.engine.connect() as conn:
        rows = report(conn, date(2026, 6, 1), date(2026, 6, 30))
    return {row["period"]: row["returns"] for row in rows if row["returns"]}


def folded_in_the_wrong_zone(lector: Lector) -> None:
    """The state a rebuild without the configured zone leaves: the return on the next day."""
    catch_up(lector.engine, lector.store, Trends("Asia/Shanghai"))
    assert returns_by_day(lector) == {"2026-06-11": 1}


def test_lector_rebuild_counts_an_evening_return_on_the_local_day(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    lector = bootstrap(Config(database_url=database_url, secret_key="s", instance_dir=tmp_path,
                              testing=True, timezone=ZONE))
    try:
        lend_and_return_in_the_evening(lector)
        folded_in_the_wrong_zone(lector)
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("LECTOR_TIMEZONE", ZONE)
        monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(tmp_path))
        monkeypatch.delenv("REDIS_URL", raising=False)
        result = CliRunner().invoke(main, ["rebuild", "trends"])
        assert result.exit_code == 0, result.output
        assert returns_by_day(lector) == {RETURN_DAY.isoformat(): 1}
    finally:
        lector.dispose()


@pytest.fixture
def worker_lector(postgres_url: str, redis_url: str,
                  tmp_path: Path) -> Iterator[tuple[Lector, WorkerProcess]]:
    config = Config(database_url=postgres_url, redis_url=redis_url, secret_key="s",
                    instance_dir=tmp_path, testing=True, timezone=ZONE)
    lector = bootstrap(config)
    worker = WorkerProcess("tz", postgres_url, redis_url, tmp_path)
    worker.env["LECTOR_TIMEZONE"] = ZONE
    yield lector, worker
    worker.stop()
    lector.celery.close()
    lector.dispose()


@pytest.mark.redis
@pytest.mark.postgres
def test_the_celery_rebuild_task_in_a_worker_counts_an_evening_return_on_the_local_day(
    worker_lector: tuple[Lector, WorkerProcess],
) -> None:
    lector, worker = worker_lector
    lend_and_return_in_the_evening(lector)
    folded_in_the_wrong_zone(lector)
    worker.start()
    producer = producer_celery(lector.config)
    try:
        producer.send_task("projections.rebuild", args=["trends"])
    finally:
        producer.close()
    wait_until(lambda: returns_by_day(lector) == {RETURN_DAY.isoformat(): 1}, 60,
               f"the worker's rebuild to put the return on {RETURN_DAY}")
    # The task's own success line follows its commit by a moment.
    wait_until(lambda: " succeeded in " in worker.log(), 10, "the worker to log the task's end")
