"""One projection failing on one event stops only itself, says so, and heals once fixed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from events import sqlalchemy_store
from events.engine import write_connection
from events.feedback import FeedbackSubmitted
from projections.failures import stuck_in
from projections.feedback_inbox import FeedbackInbox
from projections.runner import catch_up_together, checkpoint, lag, rebuild
from projections.schema import checkpoints, failures
from service.adapters.app import build_app
from service.application import feedback as feedback_handlers
from service.application.accounts import create_staff
from service.application.context import Actor, Principal
from service.bootstrap import bootstrap
from service.cli import main
from service.config import Config
from tests.integration.test_projection_rebuild_property import snapshot

POISON = "this one breaks the inbox"


@pytest.fixture
def faulty_inbox(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The feedback inbox's handler raises on one particular feedback, like a bug would."""
    original = FeedbackInbox._handlers[FeedbackSubmitted]

    def handler(self: Any, conn: Any, event: Any, stored: Any) -> None:
        if event.text == POISON:
            raise RuntimeError("simulated bug in the inbox fold")
        original(self, conn, event, stored)

    monkeypatch.setitem(FeedbackInbox._handlers, FeedbackSubmitted, handler)
    return lambda: monkeypatch.setitem(FeedbackInbox._handlers, FeedbackSubmitted, original)


@pytest.fixture
def reader(client: Any, auth: Any) -> dict[str, str]:
    client.post("/api/v1/readers", json={"card_number": "F1", "name": "读者", "pin": "2468",
                                         "category": "adult"}, headers=auth("desk"))
    token = client.post("/api/v1/auth/token", json={"card_number": "F1", "pin": "2468"})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


def feedback(client: Any, headers: dict[str, str], text: str) -> int:
    reply = client.post("/api/v1/feedback", json={"category": "service", "text": text},
                        headers=headers)
    assert reply.status_code == 201, reply.get_json()  # the command never pays for the fold
    return int(reply.get_json()["position"])


def metric(client: Any, line_start: str) -> str | None:
    text = client.get("/metrics").get_data(as_text=True)
    return next((line for line in text.splitlines() if line.startswith(line_start)), None)


def test_a_failing_fold_stops_only_its_projection_and_heals_after_the_fix(
    client: Any, auth: Any, lector: Any, reader: dict[str, str], faulty_inbox: Any
) -> None:
    feedback(client, reader, "first, fine")
    poison = feedback(client, reader, POISON)
    feedback(client, reader, "after the poison")
    client.post("/api/v1/readers", json={"card_number": "F2", "name": "后来者",
                                         "category": "adult"}, headers=auth("desk"))
    head = lector.store.last_position()

    behind = lag(lector.engine, lector.projections)
    assert {n: v for n, v in behind.items() if v} == {"feedback_inbox": head - (poison - 1)}
    with lector.engine.connect() as conn:
        assert checkpoint(conn, "feedback_inbox") == poison - 1
    failure = stuck_in(lector.engine)["feedback_inbox"]
    assert (failure.position, failure.event_type) == (poison, "feedback.submitted")
    assert "simulated bug" in failure.error and failure.attempts >= 2  # retried on each run

    health = client.get("/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    stuck = health.get_json()["projections"]["stuck"]
    assert list(stuck) == ["feedback_inbox"] and stuck["feedback_inbox"]["position"] == poison
    assert "RuntimeError" in stuck["feedback_inbox"]["error"]
    assert metric(client, 'lector_projection_stuck{projection="feedback_inbox"}') \
        .endswith(" 1.0")
    assert metric(client, 'lector_projection_stuck{projection="catalogue"}').endswith(" 0.0")
    assert metric(client, 'lector_projection_stuck_position{event_type="feedback.submitted",'
                          'projection="feedback_inbox"}').endswith(f" {float(poison)}")

    faulty_inbox()  # the code fix ships; the next run retries the stuck projection
    catch_up_together(lector.engine, lector.store, lector.projections)
    assert stuck_in(lector.engine) == {}
    assert set(lag(lector.engine, lector.projections).values()) == {0}
    assert client.get("/health").get_json()["status"] == "ok"
    assert "stuck" not in client.get("/health").get_json()["projections"]
    assert metric(client, 'lector_projection_stuck{projection="feedback_inbox"}') \
        .endswith(" 0.0")
    inbox = client.get("/api/v1/feedback", headers=auth("librarian")).get_json()
    assert sorted(f["text"] for f in inbox) == sorted(["first, fine", POISON, "after the poison"])

    incremental = snapshot(lector.engine)
    for projection in lector.projections:
        rebuild(lector.engine, lector.store, projection)
    assert snapshot(lector.engine) == incremental


def test_a_rebuild_of_every_projection_rebuilds_the_others_and_names_the_stuck_one(
    client: Any, lector: Any, reader: dict[str, str], faulty_inbox: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    poison = feedback(client, reader, POISON)
    feedback(client, reader, "later")
    monkeypatch.setenv("DATABASE_URL", lector.config.database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, ["rebuild", "--all", "--batch", "3"])
    assert result.exit_code == 1
    assert f"feedback_inbox is stuck at position {poison} (feedback.submitted)" in result.output
    head = lector.store.last_position()
    with lector.engine.connect() as conn:
        positions = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)).all())
    assert {n: p for n, p in positions.items() if p != head} == {"feedback_inbox": poison - 1}


def test_without_a_fault_nothing_is_reported_stuck(client: Any, lector: Any,
                                                   reader: dict[str, str]) -> None:
    feedback(client, reader, "ordinary")
    assert stuck_in(lector.engine) == {}
    assert client.get("/health").get_json()["status"] == "ok"


def test_on_postgresql_a_nul_left_in_the_log_by_older_code_stops_only_the_inbox(
    postgres_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original failure, for real: the text column refuses NUL inside the inbox's fold."""
    lector = bootstrap(Config(database_url=postgres_url, secret_key="s", instance_dir=tmp_path,
                              testing=True))
    try:
        client = build_app(lector).test_client()
        create_staff(lector.engine, "desk1", "desk-pass-1", "desk")
        token = client.post("/api/v1/auth/token", json={"username": "desk1",
                                                        "password": "desk-pass-1"})
        desk = {"Authorization": f"Bearer {token.get_json()['token']}"}
        reader_id = client.post("/api/v1/readers", json={"card_number": "P1", "name": "读者",
                                                         "category": "adult"},
                                headers=desk).get_json()["reader_id"]
        staff = Actor(Principal("staff", "desk1", "desk"), "api")
        with monkeypatch.context() as old_code:  # the store as it was: no check on append
            old_code.setattr(sqlalchemy_store, "refuse_unstorable", lambda *a: None)
            old_code.setattr(sqlalchemy_store, "refuse_unstorable_append", lambda *a: None)
            poison = feedback_handlers.submit_feedback(
                lector.ports, staff, reader_id, "service", "hello\u0000", None, None, None
            ).position
        fine = client.post("/api/v1/feedback", json={"card_number": "P1", "category": "service",
                                                     "text": "all is well"}, headers=desk)
        assert fine.status_code == 201
        client.post("/api/v1/readers", json={"card_number": "P2", "name": "又一位",
                                             "category": "adult"}, headers=desk)

        failure = stuck_in(lector.engine)["feedback_inbox"]
        assert list(stuck_in(lector.engine)) == ["feedback_inbox"]
        assert failure.position == poison and "NUL" in failure.error
        assert {n for n, v in lag(lector.engine, lector.projections).items() if v} == \
            {"feedback_inbox"}
        assert client.get("/api/v1/readers?card_number=P2", headers=desk).get_json()["total"] == 1
        health = client.get("/health").get_json()
        assert health["status"] == "degraded"
        assert health["projections"]["stuck"]["feedback_inbox"]["position"] == poison

        original = FeedbackInbox._handlers[FeedbackSubmitted]

        def fixed(self: Any, conn: Any, event: Any, stored: Any) -> None:  # the shipped fix
            original(self, conn, replace(event, text=event.text.replace("\u0000", "\ufffd")),
                     stored)

        monkeypatch.setitem(FeedbackInbox._handlers, FeedbackSubmitted, fixed)
        catch_up_together(lector.engine, lector.store, lector.projections)
        assert stuck_in(lector.engine) == {}
        assert set(lag(lector.engine, lector.projections).values()) == {0}
        incremental = snapshot(lector.engine)
        for projection in lector.projections:
            rebuild(lector.engine, lector.store, projection)
        assert snapshot(lector.engine) == incremental
    finally:
        lector.dispose()


def test_a_failure_noted_after_another_runner_folded_past_it_is_cleared_on_the_next_run(
    client: Any, lector: Any, reader: dict[str, str]
) -> None:
    position = feedback(client, reader, "folded by a fixed runner")
    now = datetime.now(UTC)
    with write_connection(lector.engine) as conn, conn.begin():  # a late note from an old runner
        conn.execute(insert(failures).values(
            name="feedback_inbox", position=position, event_type="feedback.submitted",
            error="RuntimeError: old code", since=now, last_attempt_at=now, attempts=1))
    assert list(stuck_in(lector.engine)) == ["feedback_inbox"]
    catch_up_together(lector.engine, lector.store, lector.projections)
    assert stuck_in(lector.engine) == {}
