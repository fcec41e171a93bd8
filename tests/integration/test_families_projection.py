"""The families read model built in random batches while guardians link and unlink and
pupils borrow from their class lists equals a rebuild from position 0 (both databases)."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from projections.families import Families
from projections.runner import catch_up, catch_up_batch, rebuild
from service.application import catalogue, circulation, readers
from service.application.commands import (
    CreateClass,
    LinkGuardian,
    SetClassPupils,
    SetReadingList,
    UnlinkGuardian,
)
from service.application.context import Actor, Principal
from service.application.handlers import handle
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.domain.errors import DomainError

ACTOR = Actor(Principal("staff", "reconcile", "admin"), "api")
TEACHER = Actor(Principal("staff", "t1", "teacher"), "api")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 6, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def tables(lector: Lector, projection: Families) -> dict[str, list[tuple[Any, ...]]]:
    with lector.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t)))
                for t in projection.tables}


def workload(lector: Lector, clock: Clock, rng: random.Random, between: Any) -> None:
    ports = lector.ports
    for n in range(6):
        catalogue.catalogue_title(ports, ACTOR, catalogue.CatalogueTitle(
            title=f"书{n}", clc_class="I287", title_id=f"t{n}"), None)
        for k in range(2):
            catalogue.add_copy(ports, ACTOR, catalogue.AddCopy(f"B{n}{k}", f"t{n}", "main",
                                                               "book"), None)
    for n in range(10):
        readers.register_reader(ports, ACTOR, readers.RegisterReader(
            f"C{n}", f"读者{n}", "adult", reader_id=f"r{n}"), None)
    handle(ports, TEACHER, CreateClass("c1", "一班", "实小"))
    handle(ports, TEACHER, CreateClass("c2", "二班", "实小"))
    for step in range(260):
        clock.now += timedelta(hours=rng.choice([1, 5, 26]))
        kind = rng.choices(["out", "in", "link", "unlink", "pupils", "list"],
                           [30, 24, 4, 2, 2, 2])[0]
        with contextlib.suppress(DomainError):
            if kind == "out":
                circulation.check_out(ports, ACTOR, f"C{rng.randrange(10)}",
                                      f"B{rng.randrange(6)}{rng.randrange(2)}", "main", None)
            elif kind == "in":
                circulation.check_in(ports, ACTOR, f"B{rng.randrange(6)}{rng.randrange(2)}",
                                     "main", None)
            elif kind == "link":
                handle(ports, ACTOR, LinkGuardian(f"r{rng.randrange(10)}",
                                                  f"r{rng.randrange(10)}"))
            elif kind == "unlink":
                handle(ports, ACTOR, UnlinkGuardian(f"r{rng.randrange(10)}",
                                                    f"r{rng.randrange(10)}"))
            elif kind == "pupils":
                handle(ports, TEACHER, SetClassPupils(rng.choice(["c1", "c2"]), tuple(
                    f"C{n}" for n in rng.sample(range(10), rng.randint(1, 6)))))
            else:
                handle(ports, TEACHER, SetReadingList(rng.choice(["c1", "c2"]), tuple(
                    f"t{n}" for n in rng.sample(range(6), rng.randint(1, 4)))))
        between(step)


@pytest.mark.parametrize("seed", [4])
def test_the_families_read_model_built_in_random_batches_equals_a_rebuild(
    database_url: str, tmp_path: Any, seed: int,
) -> None:
    clock = Clock()
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    testing=True)
    lector = bootstrap(config, after_commit=lambda position: None, clock=clock)
    rng = random.Random(seed)
    projection = next(p for p in lector.projections if isinstance(p, Families))
    try:
        def between(step: int) -> None:
            if rng.random() < 0.2:
                catch_up_batch(lector.engine, lector.store, projection, rng.randint(1, 30))

        workload(lector, clock, rng, between)
        catch_up(lector.engine, lector.store, projection, rng.randint(1, 40))
        incremental = tables(lector, projection)
        assert incremental["rm_guardians"] and incremental["rm_class_progress"]
        assert any(row[4] for row in incremental["rm_class_progress"])  # something returned
        rebuild(lector.engine, lector.store, projection)
        assert tables(lector, projection) == incremental
    finally:
        lector.dispose()
