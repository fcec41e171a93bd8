"""Every report, folded incrementally in random batches, equals its rebuild and a separate,
deliberately simple recomputation from the raw log (tests/report_oracle.py), exactly."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from projections.report_readers import report_readers
from projections.report_service import (
    branch_comparison,
    channel_mix,
    heatmap,
    holds_fill,
    overdue_aging,
    reader_messages,
)
from projections.report_top import report_top
from projections.runner import catch_up, catch_up_batch, rebuild
from projections.trends import report
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests import report_oracle as oracle
from tests.report_workload import Workload, write

ZONE = "Asia/Shanghai"
DAYS = 120
START = date(2025, 11, 3)
NAMES = ("trends", "report_rollups")


def _build(url: str, folder: Path) -> tuple[Lector, oracle.Log, dict[str, Any]]:
    config = Config(database_url=url, secret_key="t", instance_dir=folder, testing=True,
                    timezone=ZONE)
    lector = bootstrap(config, after_commit=lambda position: None)  # we drive the catch-up
    chosen = [p for p in lector.projections if p.name in NAMES]
    rng, work = random.Random(20261202), Workload(7, start=START, zone=ZONE)
    write(lector.store, work.setup())
    for offset in range(DAYS):
        write(lector.store, work.day(offset))
        if rng.random() < 0.3:
            for projection in chosen:
                for _ in range(rng.randint(0, 3)):
                    catch_up_batch(lector.engine, lector.store, projection, rng.randint(1, 400))
    for projection in chosen:
        catch_up(lector.engine, lector.store, projection, rng.randint(50, 700))
    incremental = _snapshot(lector.engine, chosen)
    for projection in chosen:
        rebuild(lector.engine, lector.store, projection)
    return lector, oracle.Log(list(lector.store.iter_all()), ZONE), incremental


def _snapshot(engine: Engine, projections: list[Any]) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        return {t.name: [dict(r) for r in conn.execute(
            select(t).order_by(*t.primary_key.columns)).mappings()]
            for p in projections for t in p.tables}


RANGES = [(date(2025, 11, 3), date(2026, 3, 31)), (date(2025, 11, 17), date(2025, 12, 9)),
          (date(2025, 12, 1), date(2026, 1, 31)), (date(2026, 1, 15), date(2026, 1, 15)),
          (date(2025, 12, 24), date(2026, 2, 3)), (date(2026, 2, 1), date(2026, 2, 28)),
          (date(2026, 11, 1), date(2026, 12, 31))]


@pytest.fixture
def library(database_url: str, tmp_path: Path) -> Any:
    lector, log, incremental = _build(database_url, tmp_path)
    yield lector, log, incremental
    lector.dispose()


def test_every_report_equals_its_rebuild_and_a_recount_from_the_log(library: Any) -> None:
    lector, log, incremental = library
    chosen = [p for p in lector.projections if p.name in NAMES]
    assert _snapshot(lector.engine, chosen) == incremental  # incremental == rebuild
    assert len(log.events) > 2000
    with lector.engine.connect() as conn:
        for start, end in RANGES:
            _readers_match(conn, log, start, end)
            _top_matches(conn, log, start, end)
            _trends_match(conn, log, start, end)
            _service_matches(conn, log, start, end)
        for as_of in (date(2025, 11, 20), date(2026, 1, 1), date(2026, 3, 31), date(2026, 6, 1)):
            assert {r["bucket"]: r["loans"] for r in overdue_aging(conn, as_of, ZONE)} \
                == oracle.overdue(log, as_of)
        assert sum(overdue_aging(conn, date(2026, 3, 31), ZONE)[i]["loans"] for i in range(4)) > 0


def _readers_match(conn: Any, log: oracle.Log, start: date, end: date) -> None:
    for group_by in (None, "branch", "category"):
        assert report_readers(conn, start, end, group_by=group_by) == \
            oracle.readers(log, start, end, group_by)
    assert report_readers(conn, start, end, group_by="category", branch="东区") == \
        oracle.readers(log, start, end, "category", branch="东区")
    assert report_readers(conn, start, end, branch="main", category="child") == \
        oracle.readers(log, start, end, None, branch="main", category="child")


def _top_matches(conn: Any, log: oracle.Log, start: date, end: date) -> None:
    for by in ("title", "author", "class"):
        rows, total = report_top(conn, start, end, by=by, limit=10_000)
        expected = oracle.top(log, start, end, by)
        assert [(r["key"], r["loans"], r["renewals"]) for r in rows] == expected
        assert total == len(expected)
    rows, _ = report_top(conn, start, end, by="title", branch="east", category="adult", clc="I",
                         limit=10_000)
    assert [(r["key"], r["loans"], r["renewals"]) for r in rows] == \
        oracle.top(log, start, end, "title", "east", "adult", "I")
    page, total = report_top(conn, start, end, by="title", offset=3, limit=5)
    assert [r["rank"] for r in page] == list(range(4, 4 + len(page)))


def _trends_match(conn: Any, log: oracle.Log, start: date, end: date) -> None:
    for interval in ("day", "week", "month"):
        for group_by in (None, "class", "branch", "category"):
            assert report(conn, start, end, interval, group_by) == \
                oracle.trends(log, start, end, interval, group_by)


def _service_matches(conn: Any, log: oracle.Log, start: date, end: date) -> None:
    fill = holds_fill(conn, start, end, ZONE)
    expected = oracle.hold_fill(log, start, end)
    assert (fill["placed"], fill["trapped"]) == (expected["placed"], expected["trapped"])
    for name in ("fill", "pickup"):
        assert (fill[name]["count"], fill[name]["median_hours"], fill[name]["p90_hours"]) == \
            expected[name]
    acts = oracle.actions(log, start, end)
    for channel in ("desk", "sip2", "portal"):
        cells = Counter((a["weekday"], a["hour"]) for a in acts if a["channel"] == channel)
        assert {(c["weekday"], c["hour"]): c["actions"] for c in heatmap(
            conn, start, end, channel=channel) if c["actions"]} == dict(cells)
    mix = Counter((a["channel"], a["kind"]) for a in acts)
    assert {(r["channel"], k): r[k] for r in channel_mix(conn, start, end)
            for k in ("checkout", "return", "renewal", "hold") if r[k]} == dict(mix)
    assert [tuple(r.values()) for r in reader_messages(conn, start, end, ZONE)] == \
        oracle.messages(log, start, end)
    branches = branch_comparison(conn, start, end)
    kinds = Counter((a["branch"], a["kind"]) for a in acts)
    active = Counter(b for b, _ in {(u["branch"], u["reader"])
                                    for u in oracle.uses(log, start, end)})
    assert {r["branch"]: (r["checkout"], r["return"], r["renewal"], r["hold"], r["active_readers"])
            for r in branches} == {
        b: (kinds[(b, "checkout")], kinds[(b, "return")], kinds[(b, "renewal")],
            kinds[(b, "hold")], active[b]) for b in {a["branch"] for a in acts}}
