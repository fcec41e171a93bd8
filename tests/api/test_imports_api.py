"""Imports over HTTP: MARC and reader uploads, reports, and who may import."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

from tests.shared_data import shared_data

READERS = "读者证号,姓名,类别,电子邮箱\nA100,张三,adult,zhang@example.cn\nA101,,adult,bad\n"


def _upload(client: Any, auth: Any, path: str, data: bytes, name: str, role: str = "admin",
            **headers: str) -> Any:
    return client.post(path, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={**auth(role), **headers})


def test_an_admin_imports_marcxml_and_the_chinese_title_is_found_afterwards(
    client: Any, auth: Any
) -> None:
    data = shared_data("marc", "marc2bibframe2_gwu.xml").read_bytes()  # larger than a JSON request
    reply = _upload(client, auth, "/api/v1/imports/marc", data, "gwu.xml")
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert (body["records"], body["created"], body["errors"]) == (99, 99, [])
    found = client.get("/api/v1/titles?q=中国国际", headers=auth("desk")).get_json()
    # The title match ranks first; the documentary matches through its vernacular publisher
    # (中国国际电视总公司), which search covers too.
    first = found["items"][0]
    assert (first["title_original"], first["isbn"]) == (
        "中国国际战略导论", "9787302200550")
    assert len(found["items"]) == 2 and found["items"][1]["title_original"].startswith("故宮")


def test_a_marc_import_answers_with_each_bad_record_and_its_position(
    client: Any, auth: Any
) -> None:
    data = shared_data("marc", "pymarc_test.dat").read_bytes()
    reply = _upload(client, auth, "/api/v1/imports/marc", data[:-100], "cut.dat")
    body = reply.get_json()
    assert (body["created"], len(body["errors"])) == (9, 1)
    assert body["errors"][0]["position"] == 10
    assert body["errors"][0]["code"] == "truncated_file"
    assert body["errors"][0]["message_zh"] == "文件在一条记录的中间结束。"


def test_only_an_admin_may_import(client: Any, auth: Any) -> None:
    for path in ("/api/v1/imports/marc", "/api/v1/imports/readers"):
        reply = _upload(client, auth, path, b"x", "f", role="librarian")
        assert (reply.status_code, reply.get_json()["code"]) == (403, "forbidden")


def test_an_import_without_a_file_is_refused_with_a_field_message(client: Any, auth: Any) -> None:
    reply = client.post("/api/v1/imports/readers", data={}, content_type="multipart/form-data",
                        headers=auth("admin"))
    assert reply.status_code == 422
    assert "file" in str(reply.get_json())


def test_a_reader_dry_run_lists_changes_and_the_error_report_changes_nothing(
    client: Any, auth: Any
) -> None:
    reply = _upload(client, auth, "/api/v1/imports/readers?dry_run=true", READERS.encode(),
                    "r.csv")
    body = reply.get_json()
    assert (body["dry_run"], body["created"], body["error_rows"]) == (True, 1, 1)
    assert body["changes"][0]["action"] == "create"
    report = base64.b64decode(body["error_report"]["base64"]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(report)))[1][:3] == ["3", "email", "bad"]
    readers = client.get("/api/v1/readers?card_number=A100", headers=auth("desk")).get_json()
    assert readers["total"] == 0


def test_asking_for_csv_returns_the_error_report_file_with_counts_in_headers(
    client: Any, auth: Any
) -> None:
    reply = _upload(client, auth, "/api/v1/imports/readers", READERS.encode("gb18030"), "r.csv",
                    Accept="text/csv")
    assert reply.mimetype == "text/csv"
    assert reply.data.startswith(b"\xef\xbb\xbf")
    assert (reply.headers["Lector-Import-Created"], reply.headers["Lector-Import-Error-Rows"]) == (
        "1", "1")
    found = client.get("/api/v1/readers?card_number=A100", headers=auth("desk")).get_json()
    assert found["items"][0]["name"] == "张三"
