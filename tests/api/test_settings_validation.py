"""Calendars need a whole body; policy numbers have upper bounds (per-field, two languages)."""

from __future__ import annotations

from typing import Any


def test_a_calendar_put_without_a_body_is_refused_and_appends_nothing(
        client: Any, auth: Any, lector: Any) -> None:
    before = lector.store.last_position()
    for body in ({"data": b""}, {"json": {}}, {"json": {"closed_weekdays": [0]}}):
        reply = client.put("/api/v1/calendars/main", headers=auth("admin"), **body)
        assert reply.status_code in (400, 415, 422), reply.get_json()
        assert reply.get_json()["code"] in ("invalid_request", "malformed_json",
                                            "unsupported_media_type")
    missing = client.put("/api/v1/calendars/main", json={}, headers=auth("admin")).get_json()
    assert set(missing["errors"]) == {"closed_weekdays", "closed_dates"}
    assert lector.store.last_position() == before


def test_a_whole_calendar_body_is_still_accepted(client: Any, auth: Any) -> None:
    body = {"closed_weekdays": [0], "closed_dates": ["2026-10-01"]}
    assert client.put("/api/v1/calendars/main", json=body, headers=auth("admin")).status_code == 200
    got = client.get("/api/v1/calendars/main", headers=auth("desk")).get_json()
    assert got["closed_weekdays"] == [0] and got["closed_dates"] == ["2026-10-01"]


def test_absurd_policy_numbers_are_refused_per_field_in_both_languages(
        client: Any, auth: Any, lector: Any) -> None:
    matrix = client.get("/api/v1/policy", headers=auth("admin")).get_json()["matrix"]
    matrix["rules"][0].update(loan_limit=10**30, hold_limit=1001, renewals_allowed=5000,
                              daily_fine_fen=10**12, fine_cap_fen=10**12, loan_days=100_000)
    matrix["block_fine_threshold_fen"] = 10**10
    matrix["block_overdue_days"] = 10**6
    before = lector.store.last_position()
    reply = client.put("/api/v1/policy", json=matrix, headers={**auth("admin"),
                                                               "Accept-Language": "zh-CN"})
    assert reply.status_code == 422, reply.get_json()
    problem = reply.get_json()
    assert problem["code"] == "invalid_policy"
    assert set(problem["errors"]) == {
        "rules[0].loan_limit", "rules[0].hold_limit", "rules[0].renewals_allowed",
        "rules[0].daily_fine_fen", "rules[0].fine_cap_fen", "rules[0].loan_days",
        "block_fine_threshold_fen", "block_overdue_days"}
    assert "1000" in " ".join(problem["errors"]["rules[0].loan_limit"])
    assert lector.store.last_position() == before
    english = client.put("/api/v1/policy", json=matrix, headers={**auth("admin"),
                                                                 "Accept-Language": "en"})
    assert "at most" in " ".join(english.get_json()["errors"]["rules[0].loan_limit"])


def test_policy_numbers_at_the_bounds_are_accepted(client: Any, auth: Any) -> None:
    matrix = client.get("/api/v1/policy", headers=auth("admin")).get_json()["matrix"]
    matrix["rules"][0].update(loan_limit=1000, hold_limit=1000, fine_cap_fen=10**9)
    matrix["block_fine_threshold_fen"] = 10**9
    reply = client.put("/api/v1/policy", json=matrix, headers=auth("admin"))
    assert reply.status_code == 200, reply.get_json()
