"""Tasks reach the Lector bound to their Celery app (LectorTask), never a process global."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import text

from projections.reader_profiles import get_reader
from service.application.context import Actor
from service.application.readers import RegisterReader, register_reader
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.databases import SqliteFactory
from workers.celery_app import LectorHolder, create_celery

CATCH_UP = "projections.catch_up_all"


def quiet(config: Config) -> Lector:
    """A Lector whose commands enqueue nothing: only a task can fold its events."""
    return bootstrap(config, after_commit=lambda position: None)


@pytest.fixture
def two_lectors(config: Config, sqlite_factory: SqliteFactory) -> Iterator[tuple[Lector, Lector]]:
    other_url = sqlite_factory.new()
    first, second = quiet(config), quiet(replace(config, database_url=other_url))
    yield first, second
    first.dispose()
    second.dispose()
    sqlite_factory.drop(other_url)


def register(lector: Lector, actor: Actor, card: str) -> str:
    outcome = register_reader(lector.ports, actor, RegisterReader(card, "张伟", "adult"), None)
    return str(outcome.result["reader_id"])


def visible(lector: Lector, reader_id: str) -> bool:
    with lector.engine.connect() as conn:
        return get_reader(conn, reader_id) is not None


def test_each_celery_app_runs_its_tasks_on_the_lector_installed_on_it(
    two_lectors: tuple[Lector, Lector], staff_actor: Actor,
) -> None:
    first, second = two_lectors
    first_reader = register(first, staff_actor, "T0001")
    second_reader = register(second, staff_actor, "T0002")
    first_app = create_celery(first.config, first)
    second_app = create_celery(second.config, second)
    first_app.loader.import_default_modules()
    second_app.loader.import_default_modules()

    first_app.tasks[CATCH_UP].apply()
    assert visible(first, first_reader) and not visible(second, second_reader)

    second_app.tasks[CATCH_UP].apply()
    assert visible(second, second_reader)


def test_a_forked_child_builds_its_own_lector_and_never_uses_the_parents(config: Config) -> None:
    holder = LectorHolder(config)
    parent = holder.get()
    with parent.engine.connect() as conn:  # the parent's pool now holds a live connection
        conn.execute(text("select 1"))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what worker_process_init does, then a query on its own engine
        verdict = b"shared"
        try:
            holder.reset_after_fork()
            child = holder.get()
            if child is not parent and child.engine is not parent.engine:
                with child.engine.connect() as conn:
                    verdict = b"own:%d" % conn.execute(text("select 41 + 1")).scalar_one()
        except Exception as error:  # report, never raise inside the forked pytest
            verdict = repr(error).encode()
        os.write(write, verdict)
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as answer:
        assert answer.read() == b"own:42"
    assert holder.get() is parent  # the parent keeps its own, still working
    with parent.engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar_one() == 1
    parent.dispose()
