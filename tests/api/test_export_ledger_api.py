"""The catalogue, copies, payments and notices-sent exports, the event log as JSON Lines, and
CSV through PostgreSQL COPY cell for cell equal to the Python writer."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from events.codec import decode
from events.fines import FineAssessed
from events.notices import NoticeSent
from events.store import ANY, PendingEvent
from service.application.context import Actor, Principal
from service.application.erasure import erase_reader
from service.application.payments import pay_fines, waive_fine
from service.application.readers import reader_stream
from service.bootstrap import Lector
from service.data.exporting import KINDS, ExportParams, open_export
from tests.api.circulation_helpers import Library

STAFF = Actor(Principal("staff", "tester", "admin"), "api")
AT = datetime(2026, 11, 30, 16, 30, 5, 250000, tzinfo=UTC)  # 1 Dec 00:30:05.25 in Shanghai


def _append(lector: Lector, event: Any, stream: str) -> None:
    result = lector.store.append([PendingEvent(event, (stream,))], expected={stream: ANY},
                                 meta=STAFF.meta("test"))
    lector.ports.after_commit(result.last_position)


@pytest.fixture
def ledger(client: Any, auth: Any, lector: Lector) -> dict[str, str]:
    """A reader with two fines (one paid in part, one waived), one notice sent, two copies."""
    lib = Library(client, auth)
    reader = lib.reader("A100", name="张三")
    title_id = lib.title("=HYPERLINK 红楼梦", clc="I242.4")
    lib.copy(title_id, "B1", price_fen=3850)
    lib.copy(title_id, "B2", branch="east")
    assert lib.checkout("A100", "B2").status_code == 201
    for fine_id, amount in (("f1", 150), ("f2", 500)):
        _append(lector, FineAssessed(fine_id, reader, amount, "overdue", AT, barcode="B1",
                                     title_id=title_id, days_late=3), reader_stream(reader))
    pay_fines(lector.ports, STAFF, reader, 200, "wechat", None)
    waive_fine(lector.ports, STAFF, reader, "f2", None, "图书馆闭馆误计", None)
    _append(lector, NoticeSent("fine_assessed:f1", reader, "fine_assessed", "email", "<m1@lib>",
                               AT, "罚款通知"), "notice-fine_assessed:f1")
    return {"reader": reader, "title": title_id}


def _csv(client: Any, auth: Any, kind: str, role: str = "librarian") -> list[list[str]]:
    reply = client.get(f"/api/v1/exports/{kind}?format=csv&lang=en", headers=auth(role))
    assert reply.status_code == 200, reply.get_json()
    return list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))


def _by(rows: list[list[str]], column: str) -> list[dict[str, str]]:
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_catalogue_lists_each_title_with_its_copies_on_the_shelf(
        client: Any, auth: Any, ledger: dict[str, str]) -> None:
    (title,) = _by(_csv(client, auth, "catalogue"), "title_id")
    assert title["title_id"] == ledger["title"]
    assert title["title"] == "'=HYPERLINK 红楼梦"  # a formula-looking title stays text
    assert (title["clc_class"], title["copies"], title["available"]) == ("I242.4", "2", "1")


def test_copies_carry_status_branch_item_type_and_price(client: Any, auth: Any,
                                                        ledger: dict[str, str]) -> None:
    copies = {c["barcode"]: c for c in _by(_csv(client, auth, "copies"), "barcode")}
    assert (copies["B1"]["status"], copies["B1"]["branch"], copies["B1"]["price_cny"]) == (
        "available", "main", "38.50")
    assert (copies["B2"]["status"], copies["B2"]["branch"]) == ("on_loan", "east")
    assert copies["B2"]["due"] and copies["B1"]["item_type"] == copies["B2"]["item_type"]


def test_payments_list_every_fine_assessed_paid_and_waived_with_its_reason(
        client: Any, auth: Any, ledger: dict[str, str]) -> None:
    rows = _by(_csv(client, auth, "payments"), "at")
    assert [(r["movement"], r["fine_id"], r["amount_cny"]) for r in rows] == [
        ("assessed", "f1", "1.50"), ("assessed", "f2", "5.00"),
        ("paid", "f1", "1.50"), ("paid", "f2", "0.50"), ("waived", "f2", "4.50")]
    assert rows[0]["at"] == "2026-12-01T00:30:05.250000"  # library time
    assert rows[2]["method"] == "wechat" and rows[2]["payment_id"] == rows[3]["payment_id"]
    assert rows[4]["reason"] == "图书馆闭馆误计"
    assert {r["card_number"] for r in rows} == {"A100"}


def test_notices_sent_list_what_the_library_told_whom_and_when(
        client: Any, auth: Any, ledger: dict[str, str]) -> None:
    (sent,) = _by(_csv(client, auth, "notices"), "sent_at")
    assert (sent["card_number"], sent["kind"], sent["channel"], sent["message_id"]) == (
        "A100", "fine_assessed", "email", "<m1@lib>")
    assert sent["sent_at"] == "2026-12-01T00:30:05.250000"


@pytest.mark.parametrize("kind", sorted(k for k, v in KINDS.items() if v.copy is not None))
def test_copy_csv_on_postgresql_has_the_same_cells_as_the_python_writer(
        lector: Lector, ledger: dict[str, str], kind: str) -> None:
    params = ExportParams(datetime(2027, 6, 1).date(), "Asia/Shanghai")
    if lector.engine.dialect.name != "postgresql":  # COPY is PostgreSQL's
        assert open_export(lector.engine, KINDS[kind], params, "en").copy_query is None
        return

    def cells(use_copy: bool) -> list[list[str]]:
        export = open_export(lector.engine, KINDS[kind], params, "zh-CN", use_copy=use_copy)
        assert (export.copy_query is not None) == use_copy
        body = b"".join(export.stream("csv"))
        assert body.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))

    by_copy, by_python = cells(True), cells(False)
    assert by_copy == by_python and len(by_copy) > 1


def _jsonl(client: Any, auth: Any, query: str = "", role: str = "admin") -> Any:
    return client.get(f"/api/v1/exports/events.jsonl{query}", headers=auth(role))


def test_the_event_log_as_json_lines_decodes_back_to_the_same_events(
        client: Any, auth: Any, lector: Lector, ledger: dict[str, str]) -> None:
    reply = _jsonl(client, auth, "?pii=decrypted")
    assert reply.status_code == 200 and reply.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in reply.data.decode("utf-8").splitlines()]
    stored = lector.store.read_all(0, 100_000)
    assert int(reply.headers["Lector-Position"]) == stored[-1].position
    assert [x["position"] for x in lines] == [s.position for s in stored]
    for line, s in zip(lines, stored, strict=True):
        assert decode(line["type"], line["schema_version"], line["data"]) == s.event
        assert (line["stream_id"], line["version"], line["meta"]) == (s.stream_id, s.version,
                                                                       dict(s.meta))
        assert datetime.fromisoformat(line["recorded_at"]) == s.recorded_at


def test_personal_fields_stay_encrypted_unless_asked_and_erased_readers_stay_erased(
        client: Any, auth: Any, lector: Lector, ledger: dict[str, str]) -> None:
    stored = _jsonl(client, auth).data.decode("utf-8")
    assert "张三" not in stored and '"$pii"' in stored
    assert "张三" in _jsonl(client, auth, "?pii=decrypted").data.decode("utf-8")
    erase_reader(lector.ports, STAFF, ledger["reader"], "读者申请注销", True, None)
    after = _jsonl(client, auth, "?pii=decrypted").data.decode("utf-8")
    assert "张三" not in after
    registered = next(json.loads(x) for x in after.splitlines()
                      if json.loads(x)["type"] == "reader.registered")
    assert registered["data"]["name"] is None and "name" in registered["erased_fields"]


def test_a_position_range_gives_just_those_events(client: Any, auth: Any,
                                                  ledger: dict[str, str]) -> None:
    lines = _jsonl(client, auth, "?from=2&to=4").data.decode("utf-8").splitlines()
    assert [json.loads(x)["position"] for x in lines] == [3, 4]


def test_the_event_log_export_is_admin_only_and_checks_its_range(client: Any, auth: Any) -> None:
    assert _jsonl(client, auth, role="librarian").status_code == 403
    bad = _jsonl(client, auth, "?from=5&to=2&pii=plain")
    body = bad.get_json()
    assert (bad.status_code, body["code"]) == (422, "invalid_event_range")
    assert set(body["errors"]) == {"to", "pii"}


def test_the_command_line_writes_the_same_event_log(lector: Lector, ledger: dict[str, str],
                                                    tmp_path: Any) -> None:
    from click.testing import CliRunner

    from service.cli import main

    out = tmp_path / "log.jsonl"
    env = {"DATABASE_URL": lector.config.database_url, "LECTOR_INSTANCE_DIR": str(tmp_path),
           "LECTOR_SECRET_KEY": "cli-secret", "REDIS_URL": ""}
    result = CliRunner(env=env).invoke(main, ["export", "events", "--format", "jsonl",
                                              "--after", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    positions = [json.loads(x)["position"] for x in out.read_text("utf-8").splitlines()]
    assert positions == [s.position for s in lector.store.read_all(1, 100_000)]


def test_the_payments_ledger_rebuilt_from_the_log_equals_the_incremental_one(
        lector: Lector, ledger: dict[str, str]) -> None:
    from sqlalchemy import select

    from projections.payments import payments
    from projections.registry import by_name
    from projections.runner import rebuild

    def rows() -> list[tuple[Any, ...]]:
        with lector.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(payments).order_by(payments.c.position, payments.c.line))]

    before = rows()
    rebuild(lector.engine, lector.store, by_name("payments", lector.config.timezone))
    assert rows() == before and len(before) == 5
