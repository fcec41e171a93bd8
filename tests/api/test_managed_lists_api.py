"""Managed lists: branches, reader categories, item types and collections, with both names;
every command and import refuses a code that is not on its list."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.api.circulation_helpers import Library

MOON_MARC = b"""<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim"><record>
<leader>00000nam a2200000 a 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Moon book</subfield></datafield>
<datafield tag="852" ind1=" " ind2=" "><subfield code="b">moon</subfield>
<subfield code="p">MOON-0001</subfield></datafield>
</record></collection>"""


@pytest.fixture
def library(client: Any, auth: Any) -> Library:
    lib = Library(client, auth)
    lib.reader("C1")
    title = lib.title("围城")
    lib.copy(title, "B1")
    lib.title_id = title  # type: ignore[attr-defined]
    return lib


def _upload(client: Any, auth: Any, path: str, data: bytes, name: str) -> Any:
    return client.post(path, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=auth("admin"))


def _policy_with(client: Any, auth: Any, **key: str) -> dict[str, Any]:
    matrix = client.get("/api/v1/policy", headers=auth("admin")).get_json()["matrix"]
    extra = dict(matrix["rules"][0], **key)
    return {**matrix, "rules": [*matrix["rules"], extra]}


# (what, method, path, body or callable, field, code)
COMMANDS = [
    ("register a reader in category vip", "post", "/api/v1/readers",
     {"card_number": "V1", "name": "贵宾", "category": "vip"}, "category", "unknown_reader_category"),
    ("register a reader at home branch moon", "post", "/api/v1/readers",
     {"card_number": "V2", "name": "月亮", "category": "adult", "home_branch": "moon"},
     "home_branch", "unknown_branch"),
    ("add a copy at branch moon", "post", "/api/v1/copies",
     lambda lib: {"barcode": "M1", "title_id": lib.title_id, "branch": "moon"},
     "branch", "unknown_branch"),
    ("add a copy of item type spaceship", "post", "/api/v1/copies",
     lambda lib: {"barcode": "M2", "title_id": lib.title_id, "branch": "main",
                  "item_type": "spaceship"}, "item_type", "unknown_item_type"),
    ("lend at branch moon", "post", "/api/v1/checkouts",
     {"card_number": "C1", "barcode": "B1", "branch": "moon"}, "branch", "unknown_branch"),
    ("return at branch moon", "post", "/api/v1/checkins", {"barcode": "B1", "branch": "moon"},
     "branch", "unknown_branch"),
    ("reserve for pickup at moon", "post", "/api/v1/holds",
     lambda lib: {"card_number": "C1", "title_id": lib.title_id, "pickup_branch": "moon"},
     "pickup_branch", "unknown_branch"),
    ("set the calendar of moon", "put", "/api/v1/calendars/moon",
     {"closed_weekdays": [0], "closed_dates": []}, "branch", "unknown_branch"),
    ("create a kiosk at moon", "post", "/api/v1/kiosks",
     {"kiosk_id": "k1", "login_user": "k1", "password": "kiosk-pass-1234",
      "institution_id": "LECTOR", "location": "moon"}, "location", "unknown_branch"),
]


@pytest.mark.parametrize(("what", "method", "path", "body", "field", "code"), COMMANDS,
                         ids=[c[0] for c in COMMANDS])
def test_every_command_refuses_a_code_that_is_not_on_its_list(
    library: Library, client: Any, auth: Any, what: str, method: str, path: str, body: Any,
    field: str, code: str,
) -> None:
    data = body(library) if callable(body) else body
    before = client.get("/api/v1/events?after=0&limit=1000", headers=auth("admin")).get_json()
    reply = getattr(client, method)(path, json=data,
                                    headers={**auth("admin"), "Accept-Language": "zh-CN"})
    problem = reply.get_json()
    assert reply.status_code == 422, problem
    assert reply.mimetype == "application/problem+json"
    assert problem["code"] == code
    assert problem["title"] == problem["detail"] == problem["message_zh"]
    assert "moon" in problem["message_en"] or "vip" in problem["message_en"] \
        or "spaceship" in problem["message_en"]
    assert list(problem["errors"]) == [field]
    assert problem["errors"][field][0].startswith("未知的")
    after = client.get("/api/v1/events?after=0&limit=1000", headers=auth("admin")).get_json()
    assert len(after["items"] if isinstance(after, dict) else after) == \
        len(before["items"] if isinstance(before, dict) else before)


def test_moving_a_reader_to_an_unknown_category_is_refused_in_english_too(
    library: Library, client: Any, auth: Any,
) -> None:
    reader_id = client.get("/api/v1/readers?card_number=C1", headers=auth("desk")
                           ).get_json()["items"][0]["reader_id"]
    reply = client.post(f"/api/v1/readers/{reader_id}/category", json={"category": "vip"},
                        headers={**auth("librarian"), "Accept-Language": "en"})
    problem = reply.get_json()
    assert (reply.status_code, problem["code"]) == (422, "unknown_reader_category")
    assert problem["title"] == problem["detail"] == problem["message_en"]
    assert problem["errors"] == {"category": ["unknown reader category 'vip'"]}


def test_a_policy_rule_naming_an_unknown_branch_is_refused_naming_the_rule(
    client: Any, auth: Any,
) -> None:
    body = _policy_with(client, auth, branch="moon")
    reply = client.put("/api/v1/policy", json=body, headers=auth("admin"))
    problem = reply.get_json()
    assert (reply.status_code, problem["code"]) == (422, "unknown_branch")
    assert list(problem["errors"]) == [f"rules[{len(body['rules']) - 1}].branch"]


def test_imports_refuse_unknown_codes_for_the_file_and_for_each_row_or_copy(
    client: Any, auth: Any,
) -> None:
    marc = _upload(client, auth, "/api/v1/imports/marc?branch=moon", MOON_MARC, "m.xml")
    assert (marc.status_code, marc.get_json()["code"]) == (422, "unknown_branch")
    marc = _upload(client, auth, "/api/v1/imports/marc", MOON_MARC, "m.xml").get_json()
    assert [e["code"] for e in marc["errors"]] == ["unknown_branch"]
    readers = _upload(client, auth, "/api/v1/imports/readers?default_category=vip",
                      "读者证号,姓名\nA1,张三\n".encode(), "r.csv")
    assert (readers.status_code, readers.get_json()["code"]) == (422, "unknown_reader_category")
    rows = _upload(client, auth, "/api/v1/imports/readers",
                   "读者证号,姓名,类别\nA1,张三,vip\nA2,李四,child\n".encode(), "r.csv").get_json()
    assert (rows["created"], rows["error_rows"]) == (1, 1)
    assert rows["errors"][0]["code"] == "unknown_reader_category"


def test_the_seeded_lists_name_every_code_in_both_languages(client: Any, auth: Any) -> None:
    lists = client.get("/api/v1/lists", headers=auth("librarian")).get_json()
    main = next(e for e in lists["branch"] if e["code"] == "main")
    assert (main["name_zh"], main["name_en"], main["builtin"]) == ("总馆", "Main library", True)
    assert {"adult", "student", "child", "staff"} <= {e["code"] for e in lists["reader_category"]}
    assert {"book", "periodical", "av"} <= {e["code"] for e in lists["item_type"]}
    literature = next(e for e in lists["collection"] if e["code"] == "literature")
    assert literature["clc_prefixes"] == ["I"]


def test_an_admin_defines_a_branch_and_then_copies_may_be_shelved_there(
    library: Library, client: Any, auth: Any,
) -> None:
    reply = client.put("/api/v1/lists/branch/moon", json={"name_zh": "月亮分馆",
                                                          "name_en": "Moon branch"},
                       headers=auth("admin"))
    assert reply.status_code == 200 and reply.get_json()["created"] is True
    library.copy(library.title_id, "M1", branch="moon")  # type: ignore[attr-defined]
    renamed = client.put("/api/v1/lists/branch/moon", json={"name_zh": "月亮馆",
                                                            "name_en": "Moon library"},
                         headers=auth("admin")).get_json()
    assert renamed["created"] is False
    moon = next(e for e in client.get("/api/v1/lists", headers=auth("librarian")
                                      ).get_json()["branch"] if e["code"] == "moon")
    assert (moon["name_zh"], moon["name_en"]) == ("月亮馆", "Moon library")


def test_a_retired_code_is_refused_for_new_records_and_still_listed_on_request(
    library: Library, client: Any, auth: Any,
) -> None:
    assert client.post("/api/v1/lists/branch/east/retire", headers=auth("admin")
                       ).status_code == 200
    reply = library.post("/api/v1/checkouts", {"card_number": "C1", "barcode": "B1",
                                               "branch": "east"})
    assert (reply.status_code, reply.get_json()["code"]) == (422, "unknown_branch")
    active = client.get("/api/v1/lists", headers=auth("librarian")).get_json()["branch"]
    every = client.get("/api/v1/lists?include_retired=true",
                       headers=auth("librarian")).get_json()["branch"]
    assert "east" not in {e["code"] for e in active}
    assert next(e for e in every if e["code"] == "east")["retired"] is True
    again = client.post("/api/v1/lists/branch/east/retire", headers=auth("admin"))
    assert (again.status_code, again.get_json()["code"]) == (409, "list_entry_retired")


def test_only_an_admin_changes_a_list_and_desk_staff_only_read_them(
    client: Any, auth: Any,
) -> None:
    body = {"name_zh": "月亮分馆", "name_en": "Moon branch"}
    assert client.put("/api/v1/lists/branch/moon", json=body,
                      headers=auth("librarian")).status_code == 403
    # The desk shows categories and branches by their names (issue 13).
    assert client.get("/api/v1/lists", headers=auth("desk")).status_code == 200
    assert client.put("/api/v1/lists/branch/moon", json=body,
                      headers=auth("desk")).status_code == 403


def test_a_list_entry_needs_a_known_list_a_valid_code_and_both_names(
    client: Any, auth: Any,
) -> None:
    unknown = client.put("/api/v1/lists/planet/moon", json={"name_zh": "月", "name_en": "M"},
                         headers=auth("admin"))
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "unknown_list")
    bad_code = client.put("/api/v1/lists/branch/月亮", json={"name_zh": "月", "name_en": "M"},
                          headers={**auth("admin"), "Accept-Language": "zh-CN"}).get_json()
    assert bad_code["code"] == "invalid_code" and "字母" in bad_code["errors"]["code"][0]
    missing = client.put("/api/v1/lists/branch/moon", json={"name_zh": "月亮分馆"},
                         headers={**auth("admin"), "Accept-Language": "zh-CN"}).get_json()
    assert missing["errors"] == {"name_en": ["必填字段缺失。"]}


def test_the_rule_that_applies_and_the_history_of_the_policy_come_from_the_log(
    client: Any, auth: Any,
) -> None:
    periodical = client.get("/api/v1/policy/resolve?reader_category=adult&item_type=periodical",
                            headers=auth("desk")).get_json()
    assert periodical["rule"]["loan_days"] == 14 and periodical["version"] == 0
    body = client.get("/api/v1/policy", headers=auth("admin")).get_json()["matrix"]
    body["rules"][periodical["index"]]["loan_days"] = 21
    assert client.put("/api/v1/policy", json=body, headers=auth("admin")).status_code == 200
    again = client.get("/api/v1/policy/resolve?reader_category=adult&item_type=periodical",
                       headers=auth("desk")).get_json()
    assert (again["rule"]["loan_days"], again["version"]) == (21, 1)
    history = client.get("/api/v1/policy/history", headers=auth("librarian")).get_json()
    assert [(v["version"], v["actor"]) for v in history] == [(1, "staff:admin1")]
