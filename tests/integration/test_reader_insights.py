"""Segments, lapse risk and the 360 view on a small library with a long past (both back ends)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from events.schema import events
from projections.reader_segments import rfv_loans, segment_history
from projections.reader_timeline import timeline
from projections.registry import by_name
from projections.runner import rebuild
from service.adapters.app import build_app
from service.application.accounts import create_staff
from service.application.readers import set_preferences
from service.application.relationships.segments import refresh_segments
from service.cli import main
from service.config import Config
from tests.integration.relationships_library import (
    ADMIN,
    SmallLibrary,
    build_small_library,
    fold,
    race_two_schedulers,
)

MONTH_ENDS = [date(2025, m, 28) for m in (6, 7, 8, 9, 10)]


@pytest.fixture
def library(config: Config) -> Any:
    lib = build_small_library(config)
    yield lib
    lib.lector.dispose()


def _snapshot(lib: SmallLibrary) -> list[dict[str, Any]]:
    with lib.lector.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(segment_history).order_by(
            segment_history.c.as_of, segment_history.c.reader_id)).mappings()]


def _refreshed(lib: SmallLibrary) -> int:
    with lib.lector.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(events)
                               .where(events.c.type == "segments.refreshed")) or 0)


def test_a_refresh_segments_every_reader_once_and_a_repeat_appends_nothing(
        library: SmallLibrary) -> None:
    first = refresh_segments(library.lector.ports, ADMIN, date(2025, 9, 30))
    again = refresh_segments(library.lector.ports, ADMIN, date(2025, 9, 30))
    fold(library)
    assert first.result["refreshed"] is True and again.result["refreshed"] is False
    rows = _snapshot(library)
    assert len(rows) == 30 and _refreshed(library) == 1
    assert {r["segment"] for r in rows} <= {"champions", "loyal", "promising", "at_risk",
                                            "hibernating", "lost", "new"}
    assert len({r["segment"] for r in rows}) >= 3  # keen, occasional and drifting readers


def test_two_schedulers_racing_the_same_refresh_give_one_result(library: SmallLibrary) -> None:
    outcomes = race_two_schedulers(library, lambda ports: refresh_segments(ports, ADMIN, date(2025, 8, 31)))
    fold(library)
    assert sorted(o["refreshed"] for o in outcomes) == [False, True]
    assert _refreshed(library) == 1 and len(_snapshot(library)) == 30


def test_segment_history_built_incrementally_equals_its_rebuild(library: SmallLibrary) -> None:
    for day in MONTH_ENDS:
        refresh_segments(library.lector.ports, ADMIN, day)
        fold(library)
    set_preferences(library.lector.ports, ADMIN, library.cards["R002"], None, keep_history=False)
    fold(library)
    before = _snapshot(library)
    for name in ("reader_segments", "reader_timeline"):
        rebuild(library.lector.engine, library.lector.store,
                by_name(name, library.lector.config.timezone))
    assert _snapshot(library) == before and len(before) == 30 * len(MONTH_ENDS)


def test_a_reader_who_switched_history_off_is_never_profiled_from_their_titles(
        library: SmallLibrary) -> None:
    card = "R002"  # keeps history at first
    reader_id = library.cards[card]
    refresh_segments(library.lector.ports, ADMIN, date(2025, 6, 30))
    fold(library)
    assert any(r["breadth"] for r in _snapshot(library) if r["reader_id"] == reader_id)
    set_preferences(library.lector.ports, ADMIN, reader_id, None, keep_history=False)
    refresh_segments(library.lector.ports, ADMIN, date(2025, 7, 31))
    fold(library)
    mine = [r for r in _snapshot(library) if r["reader_id"] == reader_id]
    assert [r["breadth"] for r in mine] == [None, None]
    assert all(r["v_score"] == r["f_score"] for r in mine)
    with library.lector.engine.connect() as conn:
        classes = conn.scalars(select(rfv_loans.c.clc_class)
                               .where(rfv_loans.c.reader_id == reader_id)).all()
        details = conn.scalars(select(timeline.c.detail)
                               .where(timeline.c.reader_id == reader_id)).all()
    assert classes and set(classes) == {None}
    assert not any("title_id" in d or "barcode" in d for d in details)
    view = _profile(library, reader_id)
    assert view["activity"]["favourite_classes"] == []
    assert view["activity"]["profiled_from_titles"] is False


def _client(lib: SmallLibrary, role: str = "librarian") -> tuple[Any, dict[str, str]]:
    client = build_app(lib.lector).test_client()
    create_staff(lib.lector.engine, f"{role}9", "pass-word-99", role)
    token = client.post("/api/v1/auth/token", json={"username": f"{role}9",
                                                    "password": "pass-word-99"}).get_json()
    return client, {"Authorization": f"Bearer {token['token']}"}


def _profile(lib: SmallLibrary, reader_id: str) -> dict[str, Any]:
    client, headers = _client(lib)
    reply = client.get(f"/api/v1/readers/{reader_id}/profile", headers=headers)
    assert reply.status_code == 200, reply.get_json()
    return dict(reply.get_json())


def test_the_360_view_shows_circulation_activity_segment_risk_and_timeline(
        library: SmallLibrary) -> None:
    refresh_segments(library.lector.ports, ADMIN, date(2025, 12, 31))
    fold(library)
    reader_id = library.cards["R001"]
    view = _profile(library, reader_id)
    assert view["reader"]["card_number"] == "R001"
    assert view["position"] == library.lector.store.last_position()
    assert view["activity"]["lifetime_loans"] >= view["activity"]["loans_12_months"] > 0
    assert view["activity"]["favourite_classes"][0]["loans"] >= 1
    assert view["segment"]["as_of"] == "2025-12-31"
    assert view["segment"]["segment"] == view["segment_history"][-1]["segment"]
    risk = view["lapse_risk"]
    assert risk["served"] == "rule" and risk["horizon_days"] == 180
    if risk["active"]:
        assert 0 < risk["probability"] < 1 and risk["reasons"][0]["message_zh"]
    types = [t["type"] for t in view["timeline"]["items"]]
    assert "loan.opened" in types and view["timeline"]["total"] >= len(types)


def test_readers_and_their_export_filter_by_segment_and_desk_staff_see_no_profile(
        library: SmallLibrary) -> None:
    refresh_segments(library.lector.ports, ADMIN, date(2025, 12, 31))
    fold(library)
    client, headers = _client(library)
    counts = client.get("/api/v1/segments", headers=headers).get_json()
    segment, n = max(counts["counts"].items(), key=lambda kv: kv[1])
    listed = client.get(f"/api/v1/readers?segment={segment}", headers=headers).get_json()
    assert listed["total"] == n == len(listed["items"])
    exported = client.get(f"/api/v1/exports/readers?segment={segment}", headers=headers)
    assert exported.status_code == 200
    assert len(exported.get_data(as_text=True).strip().splitlines()) == n + 1  # and a header
    bad = client.get("/api/v1/readers?segment=vip", headers=headers)
    assert bad.status_code == 422 and "segment" in str(bad.get_json()["errors"])
    desk, desk_headers = _client(library, "desk")
    reply = desk.get(f"/api/v1/readers/{library.cards['R001']}/profile", headers=desk_headers)
    assert reply.status_code == 403
    missing = client.get("/api/v1/readers/nobody/profile", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["code"] == "reader_not_found"


def test_segment_movement_counts_readers_between_month_ends(library: SmallLibrary) -> None:
    for day in (date(2025, 10, 31), date(2025, 11, 30)):
        refresh_segments(library.lector.ports, ADMIN, day)
    fold(library)
    client, headers = _client(library)
    rows = client.get("/api/v1/segments/movement?months=3", headers=headers).get_json()["items"]
    assert {(r["from_as_of"], r["to_as_of"]) for r in rows} == {("2025-10-31", "2025-11-30")}
    assert sum(r["readers"] for r in rows) == 30


def test_evaluate_lapse_prints_both_scorers_and_says_which_is_served(
        library: SmallLibrary, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", library.lector.config.database_url)
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(library.lector.config.instance_dir))
    reply = CliRunner().invoke(main, ["evaluate", "lapse", "--ship"])
    assert reply.exit_code == 0, reply.output
    lines = reply.output.splitlines()
    assert lines[2].split() == ["scorer", "PR-AUC", "lift@10%", "Brier"]
    assert lines[3].startswith("recency rule") and lines[4].startswith("logistic regression")
    assert lines[5].startswith("served: ") and lines[6].startswith("recorded: serving the ")
    again = CliRunner().invoke(main, ["evaluate", "lapse"])
    assert again.output.splitlines()[:6] == lines[:6]  # deterministic
