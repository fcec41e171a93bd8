"""Schedule each launched campaign's notices, once per reader, when its send time comes.

For every reader of the "sent" group this appends one NoticeScheduled to
``notice-<kind>:<campaign>:<reader>`` with "stream must not exist" (ScheduleNotice), so two
beat schedulers, a manual run and a restarted worker schedule each reader once; the notice
outbox, dispatcher and sender (workers/notices/) then deliver it once, honouring channels,
quiet hours and the marketing consent. The hold-out group never gets a stream.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from projections.campaigns import due_campaigns, member_ids
from projections.catalogue import titles
from projections.notice_outbox import known_keys
from projections.reader_segment_queries import favourite_classes, loans_until
from projections.surveys import get_survey
from service.application.commands import ScheduleNotice
from service.application.handlers import handle
from service.application.settings import library_today
from service.bootstrap import Lector
from service.domain.campaigns.assignment import SENT
from service.domain.notices.keys import campaign_key
from workers.notices.scanning import catch_up_inputs
from workers.notices.sending import WORKER

INPUTS = ("reader_profiles", "catalogue", "reader_segments", "notice_outbox", "campaigns",
          "surveys")
NEW_TITLES = 5


def _survey(lector: Lector, survey_id: str) -> dict[str, Any]:
    """What a survey invitation names: the survey and its title in both languages."""
    with lector.engine.connect() as conn:
        survey = get_survey(conn, survey_id) or {}
    return {"survey_id": survey_id, "survey_title_zh": survey.get("title_zh") or survey_id,
            "survey_title_en": survey.get("title_en") or survey_id}


def _new_arrivals(conn: Connection, reader_id: str, today: Any) -> dict[str, Any]:
    """The reader's favourite main class and the titles catalogued last in it."""
    top = favourite_classes(loans_until(conn, today, reader_id), top=1)
    main = top[0]["clc_class"] if top else None
    query = select(titles.c.title_id).order_by(titles.c.catalogued_at.desc(),
                                               titles.c.title_id.desc()).limit(NEW_TITLES)
    if main:
        query = query.where(titles.c.clc_class.like(f"{main}%"))
    return {"main_class": main, "title_ids": list(conn.scalars(query))}


def send_due_campaigns(lector: Lector, now: datetime) -> dict[str, int]:
    """Schedule the notices of every campaign whose send time has come; safe to overlap."""
    catch_up_inputs(lector, INPUTS)
    today = library_today(now, lector.config.timezone)
    counts = {"campaigns": 0, "scheduled": 0}
    with lector.engine.connect() as conn:
        due = due_campaigns(conn, now)
    for campaign in due:
        counts["campaigns"] += 1
        kind, cid = campaign["template"], campaign["campaign_id"]
        with lector.engine.connect() as conn:
            readers = member_ids(conn, cid, SENT)
            keys = {r: campaign_key(kind, cid, r) for r in readers}
            known = known_keys(conn, list(keys.values()))
        for reader_id in readers:
            key = keys[reader_id]
            if key in known:
                continue
            data: dict[str, Any] = {"campaign_id": cid, "message": campaign["message"]}
            if kind == "campaign_new_arrivals":
                with lector.engine.connect() as conn:
                    data.update(_new_arrivals(conn, reader_id, today))
            if kind == "campaign_survey":
                data.update(_survey(lector, campaign["survey_id"]))
            outcome = handle(lector.ports, WORKER, ScheduleNotice(key, reader_id, kind, data,
                                                                  today))
            if outcome.result["recorded"]:
                counts["scheduled"] += 1
    return counts
