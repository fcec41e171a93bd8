"""Embedded mode: the beat schedule's safety-net catch-up runs in-process, no broker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from projections.reader_profiles import get_reader
from service.application.context import Actor
from service.application.readers import RegisterReader, register_reader
from service.bootstrap import Lector, bootstrap
from service.config import Config
from workers.embedded import EmbeddedScheduler

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SAFETY_NET = "projections-safety-net"


@pytest.fixture
def quiet_lector(config: Config) -> Iterator[Lector]:
    """A Lector whose commands enqueue nothing: only the scheduler can fold events."""
    lector = bootstrap(replace(config, catch_up_interval_s=0.2),
                       after_commit=lambda position: None)
    yield lector
    lector.dispose()


def register(lector: Lector, actor: Actor, card: str) -> str:
    outcome = register_reader(lector.ports, actor, RegisterReader(card, "张伟", "adult"), None)
    return str(outcome.result["reader_id"])


def profile(lector: Lector, reader_id: str) -> dict[str, object] | None:
    with lector.engine.connect() as conn:
        return get_reader(conn, reader_id)


def test_run_due_folds_events_appended_with_after_commit_disabled(
    quiet_lector: Lector, staff_actor: Actor,
) -> None:
    reader_id = register(quiet_lector, staff_actor, "E0001")
    assert profile(quiet_lector, reader_id) is None
    ran = EmbeddedScheduler(quiet_lector).run_due(T0)
    assert SAFETY_NET in ran
    assert profile(quiet_lector, reader_id)["card_number"] == "E0001"  # type: ignore[index]


def test_the_safety_net_runs_again_only_once_its_interval_has_passed(
    quiet_lector: Lector, staff_actor: Actor,
) -> None:
    scheduler = EmbeddedScheduler(quiet_lector)
    scheduler.run_due(T0)
    reader_id = register(quiet_lector, staff_actor, "E0002")
    assert SAFETY_NET not in scheduler.run_due(T0 + timedelta(seconds=0.1))
    assert profile(quiet_lector, reader_id) is None
    assert SAFETY_NET in scheduler.run_due(T0 + timedelta(seconds=0.3))
    assert profile(quiet_lector, reader_id) is not None


def test_the_background_thread_folds_new_events_without_being_asked(
    quiet_lector: Lector, staff_actor: Actor,
) -> None:
    scheduler = EmbeddedScheduler(quiet_lector, tick_s=0.05)
    scheduler.start()
    try:
        reader_id = register(quiet_lector, staff_actor, "E0003")
        deadline = time.monotonic() + 10
        while profile(quiet_lector, reader_id) is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert profile(quiet_lector, reader_id) is not None
