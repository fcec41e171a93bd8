"""`lector demo` builds a living library through the command handlers (small scale here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from events.sqlalchemy_store import SqlEventStore
from projections.catalogue import copies, titles
from projections.current_loans import current_loans
from projections.reader_profiles import reader_profiles
from projections.runner import lag
from projections.trends import report
from service.bootstrap import bootstrap
from service.config import Config
from service.data.demo.executor import build_demo


def test_the_demo_builds_branches_titles_readers_and_a_year_of_loans(database_url: str,
                                                                      tmp_path: Path) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path)
    built = build_demo(config, seed=7, start=date(2025, 1, 1), target_loans=600)
    assert (built.titles, built.copies, built.readers) == (1000, 3000, 500)
    assert built.accepted["CheckOut"] > 400
    assert sum(built.refused.values()) < 0.02 * built.actions  # the plan agrees with the rules
    lector = bootstrap(config)
    with lector.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(titles)) == 1000
        assert conn.scalar(select(func.count()).select_from(copies)) == 3000
        assert conn.scalar(select(func.count()).select_from(reader_profiles)) == 500
        branches = conn.scalars(select(copies.c.branch).distinct()).all()
        assert len(branches) >= 2
        classes = {c[0] for c in conn.scalars(select(titles.c.clc_class)).all()}
        assert len(classes) == 22  # every top-level class of the Chinese Library Classification
        assert conn.scalar(select(func.count()).select_from(current_loans)) > 0
        months = {r["period"] for r in report(conn, date(2025, 1, 1), date(2025, 12, 31), "month")}
    assert len(months) == 12
    assert all(v == 0 for v in lag(lector.engine, lector.projections).values())
    events = SqlEventStore(lector.engine).read_all(0, 50_000)
    loan_actors = {e.meta.get("channel") for e in events if e.type == "loan.opened"}
    assert loan_actors == {"desk"}
    lector.dispose()


def test_the_same_seed_builds_the_same_circulation(tmp_path: Path, sqlite_factory: Any) -> None:
    outcomes = []
    for n in range(2):
        url = sqlite_factory.new()
        config = Config(database_url=url, secret_key="t", instance_dir=tmp_path / str(n))
        built = build_demo(config, seed=11, start=date(2025, 3, 1), target_loans=300)
        outcomes.append((built.actions, dict(built.accepted), dict(built.refused)))
    assert outcomes[0] == outcomes[1]
