"""Collection reports reconcile exactly with the raw log: incremental == rebuild == a separate,
simple recomputation (tests/integration/collection_oracle.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, select

from projections.collection import Collection, coll_copy_use
from projections.collection_holds import report_buy_list, report_holds_pressure
from projections.collection_scope import Scope
from projections.collection_stock import (
    report_copies,
    report_dead_stock,
    report_titles,
    report_weeding,
)
from projections.collection_use import report_class_use
from projections.runner import catch_up, catch_up_batch, rebuild
from service.adapters.database import alembic_config, upgrade
from service.application import catalogue, circulation, readers
from service.application.context import Actor, Principal
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.domain.errors import DomainError
from tests.integration import collection_oracle as oracle

ACTOR = Actor(Principal("staff", "reconcile", "admin"), "api")
ZONE = "Europe/Vilnius"  # evening checkouts cross UTC midnight, so local days matter
START = datetime(2023, 1, 2, 6, tzinfo=UTC)
CLASSES = ["I247.5", "TP311", "TN91", "K825", "O13", "R73", "B82", None, "tp312"]
RULES = {"default": (10, 1), "I": (None, 1), "TP": (3, 1), "K": (30, 2)}
RATIOS, DEFAULT_RATIO = {"book": 1, "periodical": 2}, 4


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def build_workload(lector: Lector, clock: Clock, rng: random.Random, steps: int,
                   between: Any) -> None:
    """Titles, copies and readers, then a few years of checkouts, returns, renewals, holds,
    withdrawals and losses through the real command handlers (refusals are part of it)."""
    ports = lector.ports
    for n in range(12):
        other = rng.choice([None, {"ddc": "895.1"}, {"lc": "QA76.7"}, {"dewey": "004"}])
        catalogue.catalogue_title(ports, ACTOR, catalogue.CatalogueTitle(
            title=f"书{n}", clc_class=rng.choice(CLASSES), other_classes=other,
            year=rng.choice([None, 1965, 1990, 2005, 2015, 2021, 2023]), title_id=f"t{n}"), None)
    barcodes: list[str] = []

    def add_copy() -> None:
        barcode = f"B{len(barcodes)}"
        catalogue.add_copy(ports, ACTOR, catalogue.AddCopy(
            barcode, f"t{rng.randrange(12)}", rng.choice(["main", "east"]),
            rng.choice(["book", "book", "periodical"])), None)
        barcodes.append(barcode)

    for _ in range(26):
        add_copy()
    for n in range(14):
        readers.register_reader(ports, ACTOR, readers.RegisterReader(
            f"C{n}", f"读者{n}", "adult", reader_id=f"r{n}"), None)
    holds: list[str] = []
    for step in range(steps):
        clock.now += timedelta(hours=rng.choice([1, 3, 7, 13, 26, 49, 97]))
        kind = rng.choices(["out", "in", "renew", "hold", "cancel", "copy", "withdraw",
                            "lost", "retitle"], [30, 26, 8, 14, 2, 2, 1, 1, 1])[0]
        barcode = rng.choice(barcodes)
        with contextlib.suppress(DomainError):
            if kind == "out":
                circulation.check_out(ports, ACTOR, f"C{rng.randrange(14)}", barcode, "main",
                                      None)
            elif kind == "in":
                circulation.check_in(ports, ACTOR, barcode, "main", None)
            elif kind == "renew":
                circulation.renew(ports, ACTOR, barcode, None)
            elif kind == "hold":
                outcome = circulation.place_hold(ports, ACTOR, f"r{rng.randrange(14)}",
                                                 f"t{rng.randrange(12)}",
                                                 rng.choice(["main", "east"]), None)
                holds.append(outcome.result["hold_id"])
            elif kind == "cancel" and holds:
                circulation.cancel_hold(ports, ACTOR, rng.choice(holds), "", None)
            elif kind == "copy":
                add_copy()
            elif kind == "withdraw":
                catalogue.withdraw_copy(ports, ACTOR, barcode, "worn", None)
            elif kind == "lost":
                circulation.mark_lost(ports, ACTOR, barcode, None)
            elif kind == "retitle":
                catalogue.update_title(ports, ACTOR, f"t{rng.randrange(12)}",
                                       {"clc_class": rng.choice(CLASSES[:-2]), "year": 1999},
                                       None)
        between(step)


def projected(lector: Lector, scope: Scope) -> dict[str, Any]:
    """Every collection report, from the read model."""
    with lector.engine.connect() as conn:
        return {
            "class_use": report_class_use(conn, scope), "copies": report_copies(conn, scope),
            "titles": report_titles(conn, scope),
            "dead_stock": report_dead_stock(conn, scope, 6),
            "weeding": report_weeding(conn, scope, RULES),
            "holds": report_holds_pressure(conn, scope, RATIOS, DEFAULT_RATIO),
            "buy": report_buy_list(conn, scope, RATIOS, DEFAULT_RATIO),
        }


def recomputed(lector: Lector, scope: Scope) -> dict[str, Any]:
    """Every collection report, recomputed from the raw log by the simple implementation."""
    log = oracle.Log(list(lector.store.iter_all(0)))
    ask = oracle.Ask(log, scope.as_of, scope.timezone, scope.scheme, scope.branch,
                     scope.class_prefix, scope.item_type)
    holds = oracle.holds_pressure(ask, RATIOS, DEFAULT_RATIO)
    return {
        "class_use": oracle.class_use(ask), "copies": oracle.copies(ask),
        "titles": oracle.titles(ask), "dead_stock": oracle.dead_stock(ask, 6),
        "weeding": oracle.weeding(ask, RULES), "holds": holds,
        "buy": sorted([r for r in holds if r["copies_needed"] > 0],
                      key=lambda r: (-r["copies_needed"], -r["active_holds"], r["title_id"])),
    }


def scopes(end: date) -> list[Scope]:
    return [
        Scope(end, ZONE), Scope(end - timedelta(days=200), ZONE),
        Scope(date(2023, 9, 30), ZONE), Scope(end, ZONE, branch="east"),
        Scope(end, ZONE, class_prefix="T"), Scope(end, ZONE, item_type="periodical"),
        Scope(end, ZONE, scheme="ddc"), Scope(end - timedelta(days=90), ZONE, scheme="lcc"),
    ]


@pytest.mark.parametrize("seed", [3, 8])
def test_collection_reports_built_in_random_batches_equal_a_rebuild_and_the_raw_log(
    database_url: str, tmp_path: Any, seed: int,
) -> None:
    clock = Clock()
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    timezone=ZONE, testing=True)
    lector = bootstrap(config, after_commit=lambda position: None, clock=clock)
    rng = random.Random(seed)
    projection = next(p for p in lector.projections if isinstance(p, Collection))
    try:
        def between(step: int) -> None:  # catch up now and then, in uneven batches
            if rng.random() < 0.15:
                catch_up_batch(lector.engine, lector.store, projection, rng.randint(1, 40))

        build_workload(lector, clock, rng, 700, between)
        catch_up(lector.engine, lector.store, projection, rng.randint(1, 60))
        end = clock.now.date()
        incremental = {s: projected(lector, s) for s in scopes(end)}
        expected = {s: recomputed(lector, s) for s in scopes(end)}
        for scope in scopes(end):
            assert incremental[scope] == expected[scope], scope
        rebuild(lector.engine, lector.store, projection)
        assert {s: projected(lector, s) for s in scopes(end)} == incremental
        now = incremental[Scope(end, ZONE)]
        # The workload is rich enough that every report has something to say.
        assert all(now[name] for name in now), str({k: len(v) for k, v in now.items()})
        assert any(r["reason"] == "never" for r in now["dead_stock"])
        assert any(r["reason"] == "idle" for r in now["dead_stock"])
    finally:
        lector.dispose()


def test_upgrading_a_library_to_copy_totals_refolds_the_collection_to_the_same_reports(
    database_url: str, tmp_path: Any,
) -> None:
    """Migration 0026 adds each copy's totals to date; a library that upgrades has them
    filled by the next catch-up, and every report reads as it did."""
    clock = Clock()
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    timezone=ZONE, testing=True)
    lector = bootstrap(config, after_commit=lambda position: None, clock=clock)
    projection = next(p for p in lector.projections if isinstance(p, Collection))
    try:
        build_workload(lector, clock, random.Random(5), 300, lambda step: None)
        catch_up(lector.engine, lector.store, projection, 100)
        end = clock.now.date()
        before = {s: projected(lector, s) for s in scopes(end)}
        lector.engine.dispose()
        command.downgrade(alembic_config(database_url), "0025_event_log_partitions")
        upgrade(database_url)
        with lector.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(coll_copy_use)) == 0
        catch_up(lector.engine, lector.store, projection, 100)
        with lector.engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(coll_copy_use)) > 0
        assert {s: projected(lector, s) for s in scopes(end)} == before
    finally:
        lector.dispose()
