"""The scheduled-exports API: CRUD by librarians, problem details per field in zh-CN and en."""

from __future__ import annotations

from typing import Any

BODY = {"name": "每月缴费", "kind": "payments", "format": "xlsx", "lang": "zh-CN",
        "cadence": "monthly", "monthday": 1, "at": "07:00", "delivery": "email",
        "recipients": ["finance@example.cn"]}
URL = "/api/v1/exports/schedules"


def test_a_librarian_creates_lists_changes_and_removes_a_schedule(client: Any, auth: Any) -> None:
    made = client.post(URL, json=BODY, headers=auth("librarian"))
    assert made.status_code == 201, made.get_json()
    sid, position = made.get_json()["schedule_id"], made.get_json()["position"]
    listed = client.get(f"{URL}?min_position={position}", headers=auth("librarian")).get_json()
    (item,) = listed["items"]
    assert (item["schedule_id"], item["kind"], item["monthday"], item["recipients"]) == (
        sid, "payments", 1, ["finance@example.cn"])
    assert item["last_period"] is None and item["created_by"] == "staff:librarian1"
    changed = client.put(f"{URL}/{sid}", json={**BODY, "cadence": "weekly", "monthday": None,
                                               "weekday": 5}, headers=auth("librarian"))
    assert changed.status_code == 200, changed.get_json()
    one = client.get(f"{URL}/{sid}?min_position={changed.get_json()['position']}",
                     headers=auth("librarian")).get_json()
    assert (one["cadence"], one["weekday"], one["recent_deliveries"]) == ("weekly", 5, [])
    gone = client.delete(f"{URL}/{sid}", headers=auth("librarian"))
    assert gone.status_code == 200
    after = client.get(f"{URL}?min_position={gone.get_json()['position']}",
                       headers=auth("librarian")).get_json()
    assert after["items"] == []
    again = client.delete(f"{URL}/{sid}", headers=auth("librarian"))
    assert (again.status_code, again.get_json()["code"]) == (404, "export_schedule_not_found")


def test_an_invalid_schedule_names_each_field_in_the_callers_language(client: Any,
                                                                      auth: Any) -> None:
    bad = {**BODY, "kind": "secrets", "monthday": 40, "recipients": ["nobody"],
           "folder": "../../etc"}
    zh = client.post(URL, json=bad, headers={**auth("librarian"), "Accept-Language": "zh-CN"})
    body = zh.get_json()
    assert (zh.status_code, body["code"]) == (422, "invalid_export_schedule")
    assert zh.mimetype == "application/problem+json"
    assert set(body["errors"]) == {"kind", "monthday", "recipients[0]", "folder"}
    assert body["errors"]["monthday"][0].startswith("每月几号")
    assert body["errors_i18n"]["monthday"]["en"].startswith("a day of the month")
    en = client.post(URL, json=bad, headers={**auth("librarian"), "Accept-Language": "en"})
    assert en.get_json()["errors"]["kind"][0].startswith("no export of this kind")


def test_every_registered_kind_may_be_scheduled(client: Any, auth: Any) -> None:
    kinds = client.get(f"{URL}/kinds", headers=auth("librarian")).get_json()["items"]
    names = {k["kind"] for k in kinds}
    assert {"loans", "catalogue", "copies", "payments", "notices", "trends"} <= names
    for name in sorted(names):
        reply = client.post(URL, json={**BODY, "kind": name}, headers=auth("librarian"))
        assert reply.status_code == 201, (name, reply.get_json())


def test_the_desk_may_not_schedule_exports(client: Any, auth: Any) -> None:
    assert client.get(URL, headers=auth("desk")).status_code == 403
    assert client.post(URL, json=BODY, headers=auth("desk")).status_code == 403
