"""Erasing a reader (PIPL Art. 47) leaves none of their personal data anywhere in the database."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from projections.reader_profiles import get_reader
from projections.runner import rebuild
from service.adapters.sip2.lector_backend import LectorSip2Backend
from service.application.erasure import flush_storage
from service.config import Config
from tests.api.circulation_helpers import Library
from tests.integration.notices_harness import Sink, start_smtp
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending

PERSON = {
    "card_number": "E900", "name": "欧阳澜汐", "phone": "13904172286",
    "email": "lanxi.ouyang.erasure@example.org", "id_number": "11010519491231702X",
    "address": "北京市东城区银杏胡同17号", "pin": "4321", "category": "adult",
}
OLD_PHONE = "13807551234"  # replaced before the erase: the old value must go too
FEEDBACK = "我是欧阳澜汐，阅览室的灯坏了，请回电13904172286"
ANSWER = "欧阳澜汐您好：灯已修好，谢谢提醒"
SUBJECT = "【{{ library_name }}】{{ reader_name }}，您的留言已收到回复"
TRENDS = "/api/v1/reports/trends?from=2020-01-01&to=2035-12-31&interval=month&group_by=class"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    box = Sink()
    controller, port = start_smtp(box)
    yield box, port
    controller.stop()


@pytest.fixture
def config(database_url: str, tmp_path: Any, sink: tuple[Sink, int]) -> Config:
    return Config(database_url=database_url, secret_key="test-secret", instance_dir=tmp_path,
                  testing=True, min_position_wait_s=0.5, smtp_host="127.0.0.1",
                  smtp_port=sink[1], smtp_sender="图书馆 <noreply@lib.example.cn>")


@pytest.fixture
def lib(client: Any, auth: Any) -> Library:
    return Library(client, auth)


def database_bytes(url: str) -> bytes:
    """Everything the database holds: pg_dump on PostgreSQL, the raw file and WAL on SQLite."""
    if url.startswith("sqlite"):
        path = Path(url[len("sqlite:///"):])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run([pg_dump, "--no-owner", libpq], capture_output=True,
                          check=True).stdout


def encodings(value: str) -> set[bytes]:
    """The ways a value can sit in a dump: UTF-8 (also lower-cased), JSON \\uXXXX escapes."""
    escaped = json.dumps(value)[1:-1]
    return {value.encode(), value.lower().encode(), escaped.encode(),
            escaped.upper().replace("\\U", "\\u").encode()}


def leaks(dump: bytes, values: list[str]) -> list[str]:
    return [v for v in values if any(form in dump for form in encodings(v))]


def personal_values() -> list[str]:
    return [PERSON[k] for k in ("name", "phone", "email", "id_number", "address")] + [
        OLD_PHONE, FEEDBACK, ANSWER]


def profile_row(lector: Any, reader_id: str) -> dict[str, Any]:
    with lector.engine.connect() as conn:
        return get_reader(conn, reader_id) or {}


def reader_token(lib: Library) -> dict[str, str]:
    reply = lib.client.post("/api/v1/auth/token", json={"card_number": PERSON["card_number"],
                                                        "pin": PERSON["pin"]})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def a_full_reader_life(lib: Library, lector: Any, sink: Sink) -> tuple[str, dict[str, str]]:
    """Register, borrow, return, hold, give feedback, be answered and mailed, export."""
    reply = lib.client.post("/api/v1/readers", json=PERSON, headers=lib.auth("desk"))
    assert reply.status_code == 201, reply.get_json()
    reader_id = reply.get_json()["reader_id"]
    for phone in (OLD_PHONE, PERSON["phone"]):
        changed = lib.client.patch(f"/api/v1/readers/{reader_id}", json={"phone": phone},
                                   headers=lib.auth("desk"))
        assert changed.status_code == 200, changed.get_json()
    fiction, poetry = lib.title("活着", "I247.57"), lib.title("唐诗三百首", "I222.742")
    lib.copy(fiction, "EB1")
    lib.copy(poetry, "EB2")
    assert lib.checkout("E900", "EB1").status_code == 201
    assert lib.checkin("EB1").status_code == 200
    lib.reader("OTHER1")
    lib.checkout("OTHER1", "EB2")
    assert lib.hold("E900", poetry).status_code == 201  # waiting: the erase cancels it
    me = reader_token(lib)
    sent = lib.client.post("/api/v1/feedback", json={"category": "facility", "text": FEEDBACK},
                           headers=me)
    feedback_id = sent.get_json()["feedback_id"]
    template = lib.client.put("/api/v1/notice-templates/feedback_answered/zh-CN/subject",
                              json={"source": SUBJECT}, headers=lib.auth("admin"))
    assert template.status_code == 200, template.get_json()
    lib.post(f"/api/v1/feedback/{feedback_id}/answer", {"answer": ANSWER}, role="librarian")
    dispatch_pending(lector, enqueuer(lector, None))
    assert [m.to for m in sink.snapshot()] == [PERSON["email"]]
    assert PERSON["name"] in sink.snapshot()[0].subject
    export = lib.client.get("/api/v1/readers/me/export", headers=me)
    assert export.status_code == 200 and export.get_json()["profile"]["name"] == PERSON["name"]
    return reader_id, me


def test_erasing_a_reader_leaves_none_of_their_personal_data_in_the_database(
        lib: Library, lector: Any, config: Config, sink: tuple[Sink, int]) -> None:
    reader_id, token = a_full_reader_life(lib, lector, sink[0])
    flush_storage(lector.engine)
    assert set(leaks(database_bytes(config.database_url), personal_values())) >= {
        PERSON["name"], PERSON["email"], PERSON["address"]}  # the dump does see them
    trends = lib.get(TRENDS, role="librarian").get_json()
    lifetime = profile_row(lector, reader_id)["lifetime_loans"]
    assert lifetime == 1

    erased = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "读者申请 #2026-17"},
                      role="admin")

    assert erased.status_code == 200, erased.get_json()
    assert erased.get_json()["erased"] is True and erased.get_json()["settled"] is True
    assert leaks(database_bytes(config.database_url), personal_values()) == []
    profile = lib.get(f"/api/v1/readers/{reader_id}").get_json()
    assert profile["erased"] is True and profile["name"] is None and profile["email"] is None
    assert profile_row(lector, reader_id)["lifetime_loans"] == lifetime
    assert lib.get(TRENDS, role="librarian").get_json() == trends
    assert lib.get(f"/api/v1/readers?q={PERSON['name']}").get_json()["total"] == 0
    assert lib.get(f"/api/v1/readers/{reader_id}/holds").get_json()[0]["status"] == "cancelled"
    assert lib.get(f"/api/v1/readers/{reader_id}/feedback").get_json()[0]["text"] == ""

    assert lib.client.get("/api/v1/auth/me", headers=token).status_code == 401
    login = lib.client.post("/api/v1/auth/token", json={"card_number": PERSON["card_number"],
                                                        "pin": PERSON["pin"]})
    assert login.status_code == 401
    kiosk = LectorSip2Backend(lector)
    assert kiosk.check_patron(None, PERSON["card_number"], PERSON["pin"]).found is False  # type: ignore[arg-type]
    assert kiosk.patron_information(None, PERSON["card_number"]) is None  # type: ignore[arg-type]

    for projection in lector.projections:
        rebuild(lector.engine, lector.store, projection)
    flush_storage(lector.engine)
    assert leaks(database_bytes(config.database_url), personal_values()) == []
    assert lib.get(TRENDS, role="librarian").get_json() == trends
    rebuilt = lib.get(f"/api/v1/readers/{reader_id}").get_json()
    assert rebuilt["erased"] is True and rebuilt["name"] is None
    assert profile_row(lector, reader_id)["lifetime_loans"] == lifetime


def test_exports_list_an_erased_reader_as_erased(lib: Library, lector: Any,
                                                 sink: tuple[Sink, int]) -> None:
    reader_id, _token = a_full_reader_life(lib, lector, sink[0])
    lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "request 9"}, role="admin")
    feedback_csv = lib.get("/api/v1/exports/feedback?format=csv", role="librarian")
    assert feedback_csv.status_code == 200
    text = feedback_csv.get_data(as_text=True)
    assert "[已删除 erased]" in text and PERSON["name"] not in text and "灯坏了" not in text
    readers_csv = lib.get("/api/v1/exports/readers?format=csv", role="librarian")
    assert "E900" not in readers_csv.get_data(as_text=True)


def test_open_loans_and_unpaid_fines_refuse_the_erase_unless_forced(lib: Library) -> None:
    reader_id = lib.reader("E1")
    lib.copy(lib.title("围城"), "EL1")
    lib.checkout("E1", "EL1")
    refused = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "asked"}, role="admin")
    assert refused.status_code == 409 and refused.get_json()["code"] == "reader_has_open_loans"
    assert lib.get(f"/api/v1/readers/{reader_id}").get_json()["erased"] is False
    forced = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "asked", "force": True},
                      role="admin").get_json()
    assert forced["forced"] is True and forced["open_loans"] == 1
    again = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "asked"}, role="admin")
    assert again.status_code == 409 and again.get_json()["code"] == "reader_already_erased"


def test_an_unpaid_fine_refuses_the_erase(lib: Library, lector: Any) -> None:
    from datetime import timedelta

    reader_id = lib.reader("E2")
    lib.copy(lib.title("边城"), "EF1")
    lib.checkout("E2", "EF1")
    real = lector.ports.clock
    lector.ports.clock = lambda: real() + timedelta(days=40)
    assert lib.checkin("EF1").get_json()["fine_fen"] > 0
    refused = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "asked"}, role="admin")
    assert refused.status_code == 409 and refused.get_json()["code"] == "reader_has_unpaid_fines"


def test_only_an_admin_erases_and_always_with_a_reason(lib: Library) -> None:
    reader_id = lib.reader("E3")
    for role in ("desk", "librarian"):
        reply = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "x"}, role=role)
        assert reply.status_code == 403
    blank = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "  "}, role="admin")
    assert blank.status_code == 422 and "reason" in blank.get_json()["errors"]
    missing = lib.post("/api/v1/readers/nobody/erase", {"reason": "x"}, role="admin")
    assert missing.status_code == 404 and missing.get_json()["code"] == "reader_not_found"


def test_a_repeated_erase_with_the_same_key_replays_the_first_answer(lib: Library) -> None:
    reader_id = lib.reader("E4")
    first = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "r"}, role="admin",
                     **{"Idempotency-Key": "erase-1"}).get_json()
    second = lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "r"}, role="admin",
                      **{"Idempotency-Key": "erase-1"}).get_json()
    assert second["replayed"] is True and second["position"] == first["position"]


def test_a_readers_export_holds_everything_about_them_and_nothing_about_others(
        lib: Library, lector: Any, sink: tuple[Sink, int]) -> None:
    reader_id, me = a_full_reader_life(lib, lector, sink[0])
    mine = lib.client.get("/api/v1/readers/me/export", headers=me).get_json()
    assert mine["reader_id"] == reader_id
    assert {k: mine["profile"][k] for k in ("name", "phone", "email", "id_number", "address")} \
        == {k: PERSON[k] for k in ("name", "phone", "email", "id_number", "address")}
    assert [h["barcode"] for h in mine["history"]["items"]] == ["EB1"]
    assert [h["status"] for h in mine["holds"]] == ["waiting"]
    assert mine["feedback"][0]["text"] == FEEDBACK and mine["feedback"][0]["answer"] == ANSWER
    assert [n["kind"] for n in mine["notices"]] == ["feedback_answered"]
    assert mine["notices"][0]["status"] == "sent"
    types = [e["type"] for e in mine["events"]]
    assert types[0] == "reader.registered" and "loan.opened" in types
    assert mine["events"][0]["data"]["id_number"] == PERSON["id_number"]
    assert mine["fines"]["balance_fen"] == 0 and mine["payments"] == []
    assert "search_text" not in mine["profile"] and "OTHER1" not in json.dumps(mine)

    staff = lib.get(f"/api/v1/readers/{reader_id}/export", role="librarian").get_json()
    assert staff["profile"] == mine["profile"] and staff["events"] == mine["events"]
    assert lib.get(f"/api/v1/readers/{reader_id}/export", role="desk").status_code == 403
    other = lib.get("/api/v1/readers", role="desk").get_json()["items"]
    other_id = next(r["reader_id"] for r in other if r["card_number"] == "OTHER1")
    assert lib.client.get(f"/api/v1/readers/{other_id}/export", headers=me).status_code == 403
    staff_me = lib.get("/api/v1/readers/me/export", role="admin")
    assert staff_me.status_code == 404 and staff_me.get_json()["code"] == "not_a_reader"


def test_stored_command_answers_naming_the_reader_are_blanked(lib: Library, lector: Any) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from events.schema import idempotency_keys

    reply = lib.client.post("/api/v1/readers", json=PERSON, headers=lib.auth("desk"))
    reader_id = reply.get_json()["reader_id"]
    with lector.engine.begin() as conn:  # an answer of some command that echoed the contact
        conn.execute(insert(idempotency_keys).values(
            key="greet:staff:desk1:k1", positions=[1],
            stream_versions={f"reader-{reader_id}": 1}, recorded_at=datetime.now(UTC),
            result={"reader_id": reader_id, "greeting": f"你好，{PERSON['name']}",
                    "contact": {"email": PERSON["email"]}}))
    lib.post(f"/api/v1/readers/{reader_id}/erase", {"reason": "r"}, role="admin")
    with lector.engine.connect() as conn:
        result = conn.scalar(select(idempotency_keys.c.result)
                             .where(idempotency_keys.c.key == "greet:staff:desk1:k1"))
    assert result == {"reader_id": reader_id, "greeting": None, "contact": {"email": None}}


def test_lector_readers_erase_takes_a_card_number(lib: Library, config: Config,
                                                  monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from service.cli import main

    reader_id = lib.reader("E5")
    monkeypatch.setenv("DATABASE_URL", config.database_url)
    monkeypatch.setenv("LECTOR_SECRET_KEY", "test-secret")
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(config.instance_dir))
    monkeypatch.delenv("REDIS_URL", raising=False)
    runner = CliRunner()
    refused = runner.invoke(main, ["readers", "erase", "E5"])
    assert refused.exit_code == 2 and "--reason" in refused.output
    done = runner.invoke(main, ["readers", "erase", "E5", "--reason", "ticket 7"])
    assert done.exit_code == 0, done.output
    assert f"erased reader {reader_id}" in done.output
    assert lib.get(f"/api/v1/readers/{reader_id}").get_json()["erased"] is True
    again = runner.invoke(main, ["readers", "erase", reader_id, "--reason", "ticket 7"])
    assert again.exit_code == 1 and "reader_already_erased" in again.output


def test_a_v1_erase_event_reads_back_with_the_v2_fields(lector: Any) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from events.engine import write_connection
    from events.readers import ReaderErased
    from events.schema import event_streams, events

    with write_connection(lector.engine) as conn, conn.begin():
        position = conn.scalar(insert(events).returning(events.c.position).values(
            event_id="00000000-0000-0000-0000-00000000e1e1", stream_id="reader-old",
            version=1, type="reader.erased", schema_version=1, data={"reader_id": "old"},
            meta={}, recorded_at=datetime.now(UTC)))
        conn.execute(insert(event_streams).values(stream_id="reader-old", version=1,
                                                  position=position))
    (stored,) = lector.store.load(["reader-old"]).events
    assert stored.event == ReaderErased(reader_id="old")
