"""Teachers' classes over the API: create, pupils, reading list, progress from the loans,
batch reserve with per-title refusals; a teacher reaches only their own classes and nothing
of the desk, reports or administration (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.circulation_helpers import Library
from tests.api.family_helpers import reader_headers, teacher_headers


@pytest.fixture
def lib(client: Any, auth: Any) -> Library:
    return Library(client, auth)


@pytest.fixture
def school(lib: Library, lector: Any) -> dict[str, Any]:
    pupils = [lib.reader(card) for card in ("S1", "S2")]
    lib.reader("CLASS1", category="adult")
    titles = [lib.title(name) for name in ("草房子", "城南旧事", "稻草人")]
    for n, title_id in enumerate(titles):
        lib.copy(title_id, f"B{n}")
    teacher = teacher_headers(lector, lib.client)
    post = lib.client.post("/api/v1/classes", headers=teacher, json={
        "class_id": "3-2", "name": "三年级二班", "school": "实验小学", "card_number": "CLASS1"})
    assert post.status_code == 201, post.get_json()
    put = lib.client.put("/api/v1/classes/3-2/pupils", headers=teacher,
                         json={"card_numbers": ["S1", "S2"]})
    assert put.status_code == 200, put.get_json()
    put = lib.client.put("/api/v1/classes/3-2/reading-list", headers=teacher,
                         json={"name": "暑假书单", "title_ids": titles})
    assert put.status_code == 200, put.get_json()
    return {"teacher": teacher, "pupils": pupils, "titles": titles}


def test_a_teacher_sees_each_pupils_progress_borrowed_and_returned(
    lib: Library, school: dict[str, Any]
) -> None:
    assert lib.checkout("S1", "B0").status_code == 201
    assert lib.checkout("S1", "B1").status_code == 201
    assert lib.checkin("B1").status_code == 200
    progress = lib.client.get("/api/v1/classes/3-2/progress", headers=school["teacher"])
    assert progress.status_code == 200, progress.get_json()
    body = progress.get_json()
    rows = {p["card_number"]: [c["status"] for c in p["titles"]] for p in body["pupils"]}
    assert rows == {"S1": ["borrowed", "returned", "not_started"],
                    "S2": ["not_started"] * 3}
    assert [t["available"] for t in body["titles"]] == [0, 1, 1]


def test_a_pupil_sees_the_reading_list_with_availability(
    lib: Library, school: dict[str, Any]
) -> None:
    lib.checkout("S2", "B2")
    reply = lib.client.get(f"/api/v1/readers/{school['pupils'][0]}/classes",
                           headers=reader_headers(lib.client, "S1"))
    assert reply.status_code == 200, reply.get_json()
    [one] = reply.get_json()
    assert (one["name"], one["list_name"]) == ("三年级二班", "暑假书单")
    assert [(t["title"], t["available"]) for t in one["titles"]] == [
        ("草房子", 1), ("城南旧事", 1), ("稻草人", 0)]


def test_the_batch_reserve_places_one_hold_per_title_and_reports_refusals_per_title(
    lib: Library, school: dict[str, Any]
) -> None:
    first = lib.client.post("/api/v1/classes/3-2/reservations", headers=school["teacher"],
                            json={"pickup_branch": "main"})
    assert first.status_code == 200, first.get_json()
    assert [r["placed"] for r in first.get_json()["results"]] == [True, True, True]
    again = lib.client.post("/api/v1/classes/3-2/reservations", headers=school["teacher"],
                            json={"pickup_branch": "main"})
    results = again.get_json()["results"]
    assert [r["placed"] for r in results] == [False, False, False]
    assert {r["code"] for r in results} == {"already_held"}
    assert all(r["message_zh"] and r["message_en"] for r in results)
    holds = lib.get("/api/v1/holds?status=waiting").get_json()
    assert sorted(h["title_id"] for h in holds) == sorted(school["titles"])


def test_a_teacher_reaches_only_their_own_classes_and_no_staff_routes(
    lib: Library, school: dict[str, Any], lector: Any
) -> None:
    other = teacher_headers(lector, lib.client, "teacher2")
    assert lib.client.get("/api/v1/classes", headers=other).get_json() == []
    for path in ("/api/v1/classes/3-2", "/api/v1/classes/3-2/progress"):
        reply = lib.client.get(path, headers=other)
        assert (reply.status_code, reply.get_json()["code"]) == (403, "not_your_class")
    refused = lib.client.put("/api/v1/classes/3-2/pupils", headers=other,
                             json={"card_numbers": ["S1"]})
    assert refused.status_code == 403
    for path in ("/api/v1/readers", "/api/v1/loans", "/api/v1/titles", "/api/v1/staff",
                 "/api/v1/reports/trends"):
        assert lib.client.get(path, headers=school["teacher"]).status_code == 403, path
    checkout = lib.client.post("/api/v1/holds", headers=school["teacher"], json={
        "card_number": "S1", "title_id": school["titles"][0], "pickup_branch": "main"})
    assert checkout.status_code == 403
    assert [c["class_id"] for c in lib.get("/api/v1/classes", "librarian").get_json()] == ["3-2"]
    me = lib.client.get("/api/v1/auth/me", headers=school["teacher"])
    assert (me.status_code, me.get_json()["role"]) == (200, "teacher")
    assert lib.client.post("/api/v1/auth/logout", headers=school["teacher"]).status_code == 204


def test_class_refusals_are_problems_in_both_languages(
    lib: Library, school: dict[str, Any]
) -> None:
    dup = lib.client.post("/api/v1/classes", json={"class_id": "3-2", "name": "x"},
                          headers={**school["teacher"], "Accept-Language": "zh-CN"})
    assert (dup.status_code, dup.get_json()["code"]) == (409, "class_exists")
    assert dup.get_json()["detail"] == "该班级编号已存在。"
    unknown = lib.client.put("/api/v1/classes/3-2/pupils", headers=school["teacher"],
                             json={"card_numbers": ["NOPE"]})
    assert (unknown.status_code, unknown.get_json()["code"]) == (422, "invalid_class")
    missing = lib.client.get("/api/v1/classes/none/progress", headers=school["teacher"])
    assert (missing.status_code, missing.get_json()["code"]) == (404, "class_not_found")
    found = lib.client.get("/api/v1/classes/titles?q=草房", headers=school["teacher"])
    assert [t["title"] for t in found.get_json()] == ["草房子"]
