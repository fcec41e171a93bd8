"""A rebuild counts trend days in the configured library zone, like the incremental fold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from events import PendingEvent
from events.loans import LoanOpened
from projections.runner import catch_up_together
from projections.trends import trends
from service.adapters.database import upgrade
from service.bootstrap import bootstrap
from service.cli import main
from service.config import Config

ZONE = "America/Los_Angeles"  # 02:00 UTC on 2 March is still 1 March there


def trend_days(engine: Engine) -> list[date]:
    with engine.connect() as conn:
        return [row.day for row in conn.execute(select(trends.c.day))]


def test_the_rebuild_command_uses_the_configured_zone_not_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'lector.db'}"
    upgrade(url)
    lector = bootstrap(Config(database_url=url, secret_key="s", timezone=ZONE,
                              instance_dir=tmp_path))
    opened = LoanOpened("l1", "B1", "t1", "r1", "main", "book", "adult", "I247",
                        datetime(2026, 3, 2, 2, 0, tzinfo=UTC), date(2026, 3, 30))
    lector.store.append([PendingEvent(opened, ("loan-l1",))], expected={},
                        meta={"actor": "system:test"})
    catch_up_together(lector.engine, lector.store, lector.projections)
    assert trend_days(lector.engine) == [date(2026, 3, 1)]

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LECTOR_TIMEZONE", ZONE)
    monkeypatch.setenv("LECTOR_SECRET_KEY", "s")
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["rebuild", "trends"])
    assert result.exit_code == 0, result.output
    assert trend_days(lector.engine) == [date(2026, 3, 1)]
