"""Campaigns through the API on SQLite and PostgreSQL: create, preview, launch, send, report.

The hold-out gets nothing; a reader without marketing consent, or with no channel, gets
nothing either; each sent reader gets exactly one notice however often sending runs.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from projections.notice_outbox import list_notices
from service.application import readers
from service.bootstrap import Lector
from tests.integration.notices_harness import DESK, lend, register, title_with_copies
from workers.campaign_sending import send_due_campaigns
from workers.notices.sending import deliver_notice

URL = "/api/v1/campaigns"


def _library(lector: Lector, n: int = 20) -> list[str]:
    """n adult readers; all but the last three consent to marketing; R0 has no channel."""
    ports = lector.ports
    ids = []
    for i in range(n):
        rid = register(ports, f"R{i}", f"Reader {i}", "en", f"r{i}@example.org",
                       () if i == 0 else ("email",))
        if i < n - 3:
            readers.set_preferences(ports, DESK, rid, None, marketing=True)
        ids.append(rid)
    return ids


def _send_all(lector: Lector) -> None:
    """What beat and the workers do: schedule the campaign's notices, then send each."""
    now = lector.ports.clock()
    for _ in range(2):  # twice, as two schedulers would: still one notice per reader
        send_due_campaigns(lector, now)
    with lector.engine.connect() as conn:
        rows = list_notices(conn, limit=1000)[0]
    for row in rows:
        for _ in range(2):
            deliver_notice(lector, row["notice_key"], now)


def _notices(lector: Lector) -> dict[str, dict[str, Any]]:
    with lector.engine.connect() as conn:
        return {r["reader_id"]: r for r in list_notices(conn, limit=1000)[0]}


def test_a_campaign_goes_once_to_consenting_sent_readers_and_never_to_the_holdout(
        lector: Lector, client: Any, auth: Any) -> None:
    ids = _library(lector)
    preview = client.post(f"{URL}/preview", json={"category": "adult"},
                          headers=auth("librarian"))
    assert preview.get_json() == {"readers": 20}
    # In the library's zone (+08:00): stored as UTC, so it is due at once on either back end.
    send_at = (lector.ports.clock() - timedelta(minutes=1)).astimezone(
        timezone(timedelta(hours=8))).isoformat()
    made = client.post(URL, json={"name": "We miss you", "audience": {"category": "adult"},
                                  "template": "campaign_we_miss_you", "holdout_pct": 20,
                                  "send_at": send_at}, headers=auth("librarian"))
    assert made.status_code == 201, made.get_json()
    cid = made.get_json()["campaign_id"]
    launched = client.post(f"{URL}/{cid}/launch", json={"seed": 7}, headers=auth("librarian"))
    assert launched.status_code == 200, launched.get_json()
    assert (launched.get_json()["sent"], launched.get_json()["holdout"]) == (16, 4)
    again = client.post(f"{URL}/{cid}/launch", json={}, headers=auth("librarian"))
    assert (again.status_code, again.get_json()["code"]) == (409, "campaign_already_launched")
    one = client.get(f"{URL}/{cid}?min_position={launched.get_json()['position']}",
                     headers=auth("librarian")).get_json()
    assert (one["status"], one["seed"], one["sent_count"], one["holdout_count"]) == (
        "launched", 7, 16, 4)

    _send_all(lector)
    notices = _notices(lector)
    from projections.campaigns import member_ids
    with lector.engine.connect() as conn:
        held, sent = member_ids(conn, cid, "holdout"), member_ids(conn, cid, "sent")
    assert not set(held) & set(notices)  # the hold-out receives nothing at all
    assert set(notices) == set(sent)  # one notice row per sent reader, no more
    consenting = set(ids[1:17])
    for rid in sent:
        status, error = notices[rid]["status"], notices[rid]["last_error"]
        if rid in consenting:
            assert status == "sent", (rid, notices[rid])
        elif rid == ids[0]:
            assert (status, error) == ("cancelled", "reader_opted_out")  # no channel
        else:
            assert (status, error) == ("cancelled", "reader_no_marketing_consent")
    assert all(notices[r]["kind"] == "campaign_we_miss_you" for r in sent)


def test_the_report_compares_sent_and_holdout_with_intervals(lector: Lector, client: Any,
                                                             auth: Any) -> None:
    ids = _library(lector)
    title_with_copies(lector.ports, "三体", [f"B{i}" for i in range(10)])
    made = client.post(URL, json={"name": "新书", "audience": {}, "holdout_pct": 25,
                                  "template": "campaign_new_arrivals",
                                  "send_at": lector.ports.clock().isoformat()},
                       headers=auth("librarian")).get_json()
    cid = made["campaign_id"]
    client.post(f"{URL}/{cid}/launch", json={"seed": 3}, headers=auth("librarian"))
    from projections.campaigns import member_ids
    with lector.engine.connect() as conn:
        sent, held = member_ids(conn, cid, "sent"), member_ids(conn, cid, "holdout")
    assert (len(sent), len(held)) == (15, 5)
    card = {rid: f"R{i}" for i, rid in enumerate(ids)}
    for i, rid in enumerate(sent[:6]):  # 6 of 15 sent readers borrow, one of them twice
        lend(lector.ports, card[rid], f"B{i}")
    lend(lector.ports, card[sent[0]], "B9")
    lend(lector.ports, card[held[0]], "B8")  # 1 of 5 held-out readers borrows
    reply = client.get(f"{URL}/{cid}/report", headers=auth("librarian"))
    assert reply.status_code == 200, reply.get_json()
    report = reply.get_json()
    assert report["readers"] == {"sent": 15, "holdout": 5}
    w30 = report["windows"][0]
    assert (w30["days"], w30["complete"]) == (30, False)
    assert w30["borrowed"]["sent"] == {"count": 6, "share": 0.4}
    assert w30["borrowed"]["holdout"] == {"count": 1, "share": 0.2}
    ci = w30["borrowed"]["interval"]
    # 0.4 - 0.2 = 0.2; se = sqrt(.4*.6/15 + .2*.8/5) = sqrt(.016 + .032) = .219089
    assert abs(ci["difference"] - 0.2) < 1e-6
    assert abs(ci["low"] - (0.2 - 1.959964 * 0.219089)) < 1e-5
    assert w30["visited"]["sent"]["count"] == 6
    assert abs(w30["loans_per_reader"]["sent"] - 7 / 15) < 1e-6
    assert w30["loans_per_reader"]["interval"] is not None
    csv = client.get(f"{URL}/{cid}/report.csv", headers=auth("librarian"))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("days,measure,sent,holdout") and len(lines) == 7


def test_invalid_campaigns_are_refused_per_field(lector: Lector, client: Any,
                                                 auth: Any) -> None:
    at = lector.ports.clock().isoformat()
    bad = client.post(URL, json={"name": "活动", "audience": {}, "template": "campaign_activity",
                                 "send_at": at}, headers={**auth("librarian"),
                                                          "Accept-Language": "zh-CN"})
    assert (bad.status_code, bad.get_json()["code"]) == (422, "campaign_invalid")
    assert "message" in bad.get_json()["errors"]
    wrong = client.post(URL, json={"name": "x", "audience": {"segment": "vip"},
                                   "template": "campaign_we_miss_you", "send_at": at},
                        headers=auth("librarian"))
    assert wrong.status_code == 422
    missing = client.get(f"{URL}/nope/report", headers=auth("librarian"))
    assert (missing.status_code, missing.get_json()["code"]) == (404, "campaign_not_found")
    empty = client.post(URL, json={"name": "x", "audience": {"category": "child"},
                                   "template": "campaign_we_miss_you", "send_at": at},
                        headers=auth("librarian")).get_json()
    refused = client.post(f"{URL}/{empty['campaign_id']}/launch", json={},
                          headers=auth("librarian"))
    assert (refused.status_code, refused.get_json()["code"]) == (422, "campaign_audience_empty")
    assert client.get(URL, headers=auth("desk")).status_code == 403


def _tables(lector: Lector) -> dict[str, list[Any]]:
    from sqlalchemy import select

    from projections.campaigns import campaigns, members, visits
    with lector.engine.connect() as conn:
        return {t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
                for t in (campaigns, members, visits)}


def test_the_campaigns_projection_built_incrementally_equals_its_rebuild(
        lector: Lector, client: Any, auth: Any) -> None:
    from projections.registry import by_name
    from projections.runner import rebuild

    ids = _library(lector, 12)
    title_with_copies(lector.ports, "活着", [f"C{i}" for i in range(6)])
    made = client.post(URL, json={"name": "回来看看", "audience": {}, "holdout_pct": 30,
                                  "template": "campaign_we_miss_you",
                                  "send_at": lector.ports.clock().isoformat()},
                       headers=auth("librarian")).get_json()
    client.post(f"{URL}/{made['campaign_id']}/launch", json={"seed": 11},
                headers=auth("librarian"))
    _send_all(lector)
    for i in range(6):
        lend(lector.ports, f"R{i}", f"C{i}")
    from service.application import circulation
    circulation.check_in(lector.ports, DESK, "C0", "main", None)
    before = _tables(lector)
    assert len(before["rm_campaign_members"]) == len(ids) and before["rm_campaign_visits"]
    rebuild(lector.engine, lector.store, by_name("campaigns", lector.config.timezone))
    assert _tables(lector) == before


def test_a_reader_who_keeps_to_the_portal_gets_no_campaign_mail(config: Any) -> None:
    """With SMTP configured (nothing listening: any mail attempt would fail), a consenting
    reader who chose only the portal channel gets the campaign in the portal and nothing by
    e-mail; a reader who chose e-mail but gave no consent gets nothing at all."""
    from dataclasses import replace

    from events.notices import NoticeSent
    from service.application.commands import CreateCampaign, LaunchCampaign
    from service.application.handlers import handle
    from service.bootstrap import bootstrap
    from tests.integration.notices_harness import free_port

    lector = bootstrap(replace(config, smtp_host="127.0.0.1", smtp_port=free_port()))
    try:
        ports = lector.ports
        portal = register(ports, "P1", "Portal only", "zh-CN", "p1@example.cn", ("in_app",))
        readers.set_preferences(ports, DESK, portal, None, marketing=True)
        mailer = register(ports, "P2", "No consent", "en", "p2@example.org", ("email",))
        cid = handle(ports, DESK, CreateCampaign(
            "Invite", {}, "campaign_activity", ports.clock(), "读书会本周六举行。",
            holdout_pct=0)).result["campaign_id"]
        handle(ports, DESK, LaunchCampaign(cid, seed=1))
        _send_all(lector)
        rows = _notices(lector)
        assert (rows[portal]["status"], rows[portal]["channel"]) == ("sent", "in_app")
        assert (rows[mailer]["status"], rows[mailer]["last_error"]) == (
            "cancelled", "reader_no_marketing_consent")
        sent = [s.event for s in lector.store.read_all(0, 10_000)
                if isinstance(s.event, NoticeSent)]
        assert [(e.reader_id, e.channel) for e in sent] == [(portal, "in_app")]
    finally:
        lector.dispose()


def test_a_survey_invitation_goes_to_the_sent_group_naming_the_open_survey(
        lector: Lector, client: Any, auth: Any) -> None:
    from tests.api.test_activities_and_surveys_api import QUESTIONS

    _library(lector)
    draft = client.post("/api/v1/surveys", json={
        "title_zh": "读者满意度", "title_en": "Reader satisfaction", "questions": QUESTIONS,
        "anonymous": False}, headers=auth("librarian")).get_json()["survey_id"]
    body = {"name": "满意度调查邀请", "audience": {"category": "adult"}, "holdout_pct": 20,
            "template": "campaign_survey", "survey_id": draft,
            "send_at": lector.ports.clock().isoformat()}
    refused = client.post(URL, json=body, headers=auth("librarian"))  # still a draft
    assert (refused.status_code, refused.get_json()["code"]) == (409, "survey_not_open")
    assert "survey_id" in refused.get_json()["errors"]
    nameless = client.post(URL, json={**body, "survey_id": None}, headers=auth("librarian"))
    assert (nameless.status_code, nameless.get_json()["code"]) == (422, "campaign_invalid")
    client.post(f"/api/v1/surveys/{draft}/publish", headers=auth("librarian"))
    made = client.post(URL, json=body, headers=auth("librarian"))
    assert made.status_code == 201, made.get_json()
    cid = made.get_json()["campaign_id"]
    client.post(f"{URL}/{cid}/launch", json={"seed": 5}, headers=auth("librarian"))
    _send_all(lector)
    notices = _notices(lector)
    from projections.campaigns import member_ids
    with lector.engine.connect() as conn:
        held, sent = member_ids(conn, cid, "holdout"), member_ids(conn, cid, "sent")
    assert (len(sent), len(held)) == (16, 4)
    assert set(notices) == set(sent) and not set(held) & set(notices)
    assert {n["kind"] for n in notices.values()} == {"campaign_survey"}
    delivered = [n for n in notices.values() if n["status"] == "sent"]
    assert delivered and all("Reader satisfaction" in (n["subject"] or "") for n in delivered)
