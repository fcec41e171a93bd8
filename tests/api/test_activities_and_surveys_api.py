"""Activities and surveys through the API, on both databases: publish, sign up with a waiting
list, cancel with promotion, attendance by card and e-card, the report and its CSV; surveys
built, published, answered once, results with NPS and CSV, anonymous ones naming nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.application.context import Ports
from tests.api.circulation_helpers import Library
from tests.api.test_circulation_api import MovableClock

# The wall clock's day: registrations are dated by the log (recorded_at), so the activities
# of the "new readers" count must lie near it.
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def clock(lector: Any) -> MovableClock:
    moving = MovableClock(NOW)
    ports: Ports = lector.ports
    ports.clock = moving
    return moving


@pytest.fixture
def lib(client: Any, auth: Any, clock: MovableClock) -> Library:
    return Library(client, auth)


def as_reader(client: Any, card: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"card_number": card, "pin": "1234"})
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def publish(lib: Library, capacity: int = 2, **extra: Any) -> str:
    body = {"kind": "reading_club", "title_zh": "读书会：三体", "title_en": "Book club: Three Body",
            "description_zh": "一起读", "description_en": "Read together", "branch": "main",
            "starts_at": (NOW + timedelta(days=3)).isoformat(),
            "ends_at": (NOW + timedelta(days=3, hours=2)).isoformat(),
            "capacity": capacity, **extra}
    reply = lib.post("/api/v1/activities", body, role="librarian")
    assert reply.status_code == 201, reply.get_json()
    return str(reply.get_json()["activity_id"])


def test_sign_ups_fill_the_seats_then_wait_and_a_cancellation_promotes_the_first_waiting(
        lib: Library, client: Any) -> None:
    cards = ["A1", "A2", "A3", "A4"]
    ids = {c: lib.reader(c) for c in cards}
    activity = publish(lib, capacity=2)
    statuses = [client.post(f"/api/v1/activities/{activity}/sign-ups", json={},
                            headers=as_reader(client, c)).get_json()["status"] for c in cards]
    assert statuses == ["seated", "seated", "waiting", "waiting"]
    again = client.post(f"/api/v1/activities/{activity}/sign-ups", json={},
                        headers=as_reader(client, "A1"))
    assert again.status_code == 409 and again.get_json()["code"] == "activity_already_signed_up"
    mine = client.get(f"/api/v1/activities/{activity}", headers=as_reader(client, "A4"))
    assert mine.get_json()["my_status"] == "waiting" and mine.get_json()["my_waiting_place"] == 2
    left = client.post(f"/api/v1/activities/{activity}/cancellation", json={},
                       headers=as_reader(client, "A2"))
    assert left.status_code == 200 and left.get_json()["promoted_reader_id"] == ids["A3"]
    rows = {r["reader_id"]: r["status"] for r in
            lib.get(f"/api/v1/activities/{activity}/sign-ups").get_json()}
    assert rows == {ids["A1"]: "seated", ids["A2"]: "cancelled", ids["A3"]: "seated",
                    ids["A4"]: "waiting"}
    listed = client.get("/api/v1/activities", headers=as_reader(client, "A1")).get_json()
    assert [(a["activity_id"], a["free"], a["waiting"]) for a in listed] == [(activity, 0, 1)]


def test_staff_take_attendance_by_card_or_e_card_and_it_shows_in_the_report_and_profile(
        lib: Library, client: Any, auth: Any) -> None:
    first, second = lib.reader("B1"), lib.reader("B2")
    lib.reader("B3")
    activity = publish(lib, capacity=2)
    for card in ("B1", "B2"):
        lib.post(f"/api/v1/activities/{activity}/sign-ups", {"card_number": card})
    code = client.get(f"/api/v1/readers/{second}/ecard",
                      headers=as_reader(client, "B2")).get_json()["code"]
    by_card = lib.post(f"/api/v1/activities/{activity}/attendance", {"code": "B1"})
    by_ecard = lib.post(f"/api/v1/activities/{activity}/attendance", {"code": code})
    assert by_card.status_code == by_ecard.status_code == 200, by_ecard.get_json()
    assert by_ecard.get_json()["reader_id"] == second
    twice = lib.post(f"/api/v1/activities/{activity}/attendance", {"code": "B1"})
    assert twice.get_json()["already"] is True
    stranger = lib.post(f"/api/v1/activities/{activity}/attendance", {"code": "B3"})
    assert stranger.status_code == 409 and stranger.get_json()["code"] == "activity_not_signed_up"
    report = lib.get("/api/v1/activities/report", role="librarian").get_json()["items"]
    assert [(r["sign_ups"], r["attended"], r["attendance_rate"], r["new_readers"])
            for r in report] == [(2, 2, 1.0, 2)]  # both registered just before it
    csv = client.get("/api/v1/activities/report.csv", headers=auth("librarian"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines()[1].startswith("\ufeff") is False
    assert "读书会：三体" in csv.get_data(as_text=True)
    profile = lib.get(f"/api/v1/readers/{first}/profile", role="librarian").get_json()
    assert profile["activities"]["attended"] == 1
    assert profile["activities"]["items"][0]["activity_id"] == activity


def test_an_unknown_branch_and_a_bad_time_are_refused_with_problems(lib: Library) -> None:
    reply = lib.post("/api/v1/activities", {
        "kind": "lecture", "title_zh": "讲座", "title_en": "Talk", "branch": "nowhere",
        "starts_at": NOW.isoformat(), "ends_at": (NOW + timedelta(hours=1)).isoformat(),
        "capacity": 5}, role="librarian")
    assert reply.status_code == 422 and reply.get_json()["code"] == "unknown_branch"
    reply = lib.post("/api/v1/activities", {
        "kind": "lecture", "title_zh": "讲座", "title_en": "Talk", "branch": "main",
        "starts_at": NOW.isoformat(), "ends_at": NOW.isoformat(), "capacity": 5},
        role="librarian")
    assert reply.status_code == 422 and "ends_at" in reply.get_json()["errors"]
    assert lib.post("/api/v1/activities", {}, role="desk").status_code == 403


QUESTIONS = [
    {"id": "q1", "type": "single", "text_zh": "常来哪个馆？", "text_en": "Which branch?",
     "options": [{"zh": "总馆", "en": "Main"}, {"zh": "分馆", "en": "East"}]},
    {"id": "q2", "type": "multiple", "text_zh": "喜欢什么？", "text_en": "What do you like?",
     "options": [{"zh": "小说", "en": "Novels"}, {"zh": "历史", "en": "History"},
                 {"zh": "科普", "en": "Science"}]},
    {"id": "q3", "type": "rating", "text_zh": "满意度", "text_en": "Satisfaction"},
    {"id": "q4", "type": "nps", "text_zh": "推荐意愿", "text_en": "Would you recommend us?"},
    {"id": "q5", "type": "text", "text_zh": "建议", "text_en": "Suggestions"},
]


def survey(lib: Library, anonymous: bool = False) -> str:
    reply = lib.post("/api/v1/surveys", {"title_zh": "读者满意度", "title_en": "Satisfaction",
                                         "questions": QUESTIONS, "anonymous": anonymous},
                     role="librarian")
    assert reply.status_code == 201, reply.get_json()
    survey_id = str(reply.get_json()["survey_id"])
    assert lib.post(f"/api/v1/surveys/{survey_id}/publish", role="librarian").status_code == 200
    return survey_id


def answer(client: Any, survey_id: str, card: str, nps: int, text: str = "") -> Any:
    return client.post(f"/api/v1/surveys/{survey_id}/answers", headers=as_reader(client, card),
                       json={"answers": {"q1": 0, "q2": [2, 0], "q3": 4, "q4": nps, "q5": text}})


def test_readers_answer_once_and_results_count_rate_distributions_and_nps(
        lib: Library, client: Any, auth: Any) -> None:
    ids = {c: lib.reader(c) for c in ("S1", "S2", "S3", "S4")}
    survey_id = survey(lib)
    listed = client.get("/api/v1/surveys", headers=as_reader(client, "S1")).get_json()
    assert [(s["survey_id"], s["answered"]) for s in listed] == [(survey_id, False)]
    assert answer(client, survey_id, "S1", 10, "多开夜场").status_code == 201
    assert answer(client, survey_id, "S2", 9).status_code == 201
    assert answer(client, survey_id, "S3", 3).status_code == 201
    second = answer(client, survey_id, "S1", 0)
    assert second.status_code == 409 and second.get_json()["code"] == "survey_already_answered"
    bad = client.post(f"/api/v1/surveys/{survey_id}/answers", headers=as_reader(client, "S4"),
                      json={"answers": {"q1": 7, "q3": 9}})
    assert bad.status_code == 422 and bad.get_json()["code"] == "survey_answer_invalid"
    assert set(bad.get_json()["errors"]) >= {"answers.q1", "answers.q3", "answers.q2"}
    listed = client.get("/api/v1/surveys", headers=as_reader(client, "S1")).get_json()
    assert listed[0]["answered"] is True
    results = lib.get(f"/api/v1/surveys/{survey_id}/results", role="librarian").get_json()
    assert (results["responses"], results["sent_to"], results["response_rate"]) == (3, 4, 0.75)
    by_id = {q["id"]: q for q in results["questions"]}
    assert by_id["q1"]["distribution"] == {"0": 3}
    assert by_id["q2"]["distribution"] == {"0": 3, "2": 3}
    assert by_id["q4"]["nps"] == 33 and by_id["q3"]["mean"] == 4.0
    assert [(t["text"], t["reader_id"]) for t in by_id["q5"]["texts"]] == [("多开夜场", ids["S1"])]
    csv = client.get(f"/api/v1/surveys/{survey_id}/results.csv", headers=auth("librarian"))
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "answered_at,reader_id,q1,q2,q3,q4,q5" and len(lines) == 4
    assert lines[1].endswith(",0,0|2,4,10,多开夜场")
    mine = client.get("/api/v1/readers/me/export", headers=as_reader(client, "S1")).get_json()
    assert [(a["survey_id"], a["texts"]) for a in mine["survey_answers"]] == [
        (survey_id, {"q5": "多开夜场"})]
    erased = client.post(f"/api/v1/readers/{ids['S1']}/erase", json={"reason": "asked"},
                         headers=auth("admin"))
    assert erased.status_code == 200, erased.get_json()
    results = lib.get(f"/api/v1/surveys/{survey_id}/results", role="librarian").get_json()
    assert {q["id"]: q for q in results["questions"]}["q5"]["texts"] == []  # the words go
    assert results["responses"] == 3  # the count stays
    assert lib.post(f"/api/v1/surveys/{survey_id}/close", role="librarian").status_code == 200
    late = answer(client, survey_id, "S4", 5)
    assert late.status_code == 409 and late.get_json()["code"] == "survey_not_open"


def test_an_anonymous_survey_names_nobody_in_its_results_or_csv(lib: Library, client: Any,
                                                                 auth: Any) -> None:
    lib.reader("N1")
    survey_id = survey(lib, anonymous=True)
    assert answer(client, survey_id, "N1", 8, "很好").status_code == 201
    assert answer(client, survey_id, "N1", 8).get_json()["code"] == "survey_already_answered"
    results = lib.get(f"/api/v1/surveys/{survey_id}/results", role="librarian").get_json()
    texts = {q["id"]: q for q in results["questions"]}["q5"]["texts"]
    assert texts and all("reader_id" not in t for t in texts)
    csv = client.get(f"/api/v1/surveys/{survey_id}/results.csv", headers=auth("librarian"))
    assert "reader_id" not in csv.get_data(as_text=True)


def test_staff_cannot_answer_and_a_bad_survey_is_refused(lib: Library, auth: Any,
                                                         client: Any) -> None:
    survey_id = survey(lib)
    reply = client.post(f"/api/v1/surveys/{survey_id}/answers", json={"answers": {}},
                        headers=auth("librarian"))
    assert reply.status_code == 404 and reply.get_json()["code"] == "not_a_reader"
    reply = lib.post("/api/v1/surveys", {"title_zh": "x", "title_en": "x", "questions": [
        {"id": "q1", "type": "single", "text_zh": "?", "text_en": "?",
         "options": [{"zh": "一", "en": "one"}]}]}, role="librarian")
    assert reply.status_code == 422 and reply.get_json()["code"] == "survey_invalid"
