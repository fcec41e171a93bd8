"""Campaign commands: create one, launch it (freeze the audience, draw the hold-out), and
schedule its notices once per reader; and the uplift report.

A campaign lives on ``campaign-<id>``. Launching appends ``CampaignLaunched`` with the
stream's expected version, so two launches at once give one draw; each notice is a
``NoticeScheduled`` on its own ``notice-<kind>:<campaign>:<reader>`` stream, appended with
"stream must not exist", so two senders at once schedule each reader once and the existing
notice sender delivers it once (docs/campaigns.md).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from events.campaigns import CampaignCreated, CampaignLaunched
from events.engagement import SurveyClosed, SurveyPublished
from events.engine import as_utc
from events.store import LoadedStreams, PendingEvent
from events.streams import campaign_stream, survey_stream
from projections.campaigns import WINDOWS, get_campaign, group_figures
from service.application.campaign_audience import audience_readers
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.settings import library_today
from service.domain.campaigns.assignment import HOLDOUT, SENT, assign
from service.domain.campaigns.audience import check_campaign, clean_audience
from service.domain.campaigns.stats import (
    Interval,
    mean_and_variance,
    proportion_difference,
    welch_difference,
)
from service.domain.errors import Conflict, Invalid, not_found
from service.domain.i18n import Message


def _not_found() -> Exception:
    return not_found("Campaign", "campaign_not_found", "推广计划")


def create_campaign(ports: Ports, actor: Actor, key: str | None, *, name: str,
                    audience: Mapping[str, Any], template: str, message: str,
                    holdout_pct: int, send_at: datetime,
                    survey_id: str | None = None) -> Outcome:
    """Record a new campaign (a draft until launched); a survey invitation names an open
    survey (survey_not_open otherwise)."""
    check_campaign(name, template, message, holdout_pct, survey_id)
    if survey_id is not None:
        _require_open_survey(ports, survey_id)
    cleaned = clean_audience(audience)
    campaign_id = uuid.uuid4().hex[:16]
    stream = campaign_stream(campaign_id)
    # Instants are stored in UTC (SQLite would keep a +08:00 wall time as if it were UTC).
    event = CampaignCreated(campaign_id, name.strip(), cleaned, template, message.strip(),
                            holdout_pct, send_at.astimezone(UTC), ports.clock(), survey_id)

    def decide(loaded: LoadedStreams) -> Decision:
        return Decision([PendingEvent(event, (stream,))], {"campaign_id": campaign_id},
                        expected={stream: 0})

    return execute(ports, actor, "create_campaign", [stream], decide, key)


def _require_open_survey(ports: Ports, survey_id: str) -> None:
    """The survey, from its own stream: published and not closed."""
    kinds = [type(s.event) for s in ports.store.load([survey_stream(survey_id)]).events]
    if SurveyPublished not in kinds or SurveyClosed in kinds:
        raise Conflict("survey_not_open", f"Survey {survey_id} is not open for answers.",
                       f"调查 {survey_id} 不在开放作答状态。", fields={"survey_id": [Message(
                           en="an open (published, not closed) survey", zh="须为已发布且未结束的调查")]})


def _created(loaded: LoadedStreams) -> tuple[CampaignCreated | None, bool]:
    created, launched = None, False
    for stored in loaded.events:
        if isinstance(stored.event, CampaignCreated):
            created = stored.event
        elif isinstance(stored.event, CampaignLaunched):
            launched = True
    return created, launched


def launch_campaign(ports: Ports, actor: Actor, campaign_id: str, key: str | None,
                    seed: int | None = None,
                    readers: tuple[str, ...] | None = None) -> Outcome:
    """Freeze the audience and draw the hold-out; refused if already launched."""
    stream = campaign_stream(campaign_id)
    draw_seed = seed if seed is not None else secrets.randbelow(2 ** 62)

    def decide(loaded: LoadedStreams) -> Decision:
        created, launched = _created(loaded)
        if created is None:
            raise _not_found()
        if launched:
            raise Conflict("campaign_already_launched", "This campaign was already launched.",
                           "该推广计划已启动。")
        now = ports.clock()
        audience = list(readers) if readers is not None else _resolve(ports, created, now)
        if not audience:
            raise Invalid("campaign_audience_empty", "No reader matches this audience.",
                          "没有读者符合该受众条件。")
        groups = assign(audience, draw_seed, created.holdout_pct)
        event = CampaignLaunched(campaign_id, draw_seed, created.holdout_pct, groups, now,
                                 max(now, created.send_at))
        counts = list(groups.values())
        return Decision([PendingEvent(event, (stream,))],
                        {"campaign_id": campaign_id, "seed": draw_seed,
                         "sent": counts.count(SENT), "holdout": counts.count(HOLDOUT)})

    return execute(ports, actor, "launch_campaign", [stream], decide, key)


def _resolve(ports: Ports, created: CampaignCreated, now: datetime) -> list[str]:
    with ports.engine.connect() as conn:
        return audience_readers(conn, created.audience, library_today(now, ports.timezone))


def preview_count(ports: Ports, audience: Mapping[str, Any]) -> int:
    """How many readers an audience matches now (read-only)."""
    cleaned = clean_audience(audience)
    with ports.engine.connect() as conn:
        return len(audience_readers(conn, cleaned, library_today(ports.clock(),
                                                                 ports.timezone)))


def _interval(ci: Interval | None) -> dict[str, float] | None:
    if ci is None:
        return None
    return {"difference": round(ci.difference, 6), "low": round(ci.low, 6),
            "high": round(ci.high, 6)}


def campaign_report(ports: Ports, campaign_id: str) -> dict[str, Any]:
    """Sent vs hold-out: shares who borrowed and visited, loans per reader, differences with
    95 % intervals, for the 30 and 60 days from the start (from the campaigns projection)."""
    with ports.engine.connect() as conn:
        campaign = get_campaign(conn, campaign_id)
        if campaign is None:
            raise _not_found()
        figures = group_figures(conn, campaign_id)
    empty = {"readers": 0, **{f"{k}_{w}": 0 for w in WINDOWS
                              for k in ("borrowed", "visited", "loans_sum", "loans_sq")}}
    sent, held = figures.get(SENT, empty), figures.get(HOLDOUT, empty)
    now = ports.clock()
    windows = []
    for w in WINDOWS:
        start = campaign.get("starts_at")
        elapsed = None if start is None else (now - as_utc(start)).days
        row: dict[str, Any] = {"days": w, "complete": elapsed is not None and elapsed >= w}
        for name in ("borrowed", "visited"):
            row[name] = {
                "sent": _share(sent[f"{name}_{w}"], sent["readers"]),
                "holdout": _share(held[f"{name}_{w}"], held["readers"]),
                "interval": _interval(proportion_difference(
                    sent[f"{name}_{w}"], sent["readers"], held[f"{name}_{w}"],
                    held["readers"]))}
        m1, v1 = mean_and_variance(sent["readers"], sent[f"loans_sum_{w}"], sent[f"loans_sq_{w}"])
        m2, v2 = mean_and_variance(held["readers"], held[f"loans_sum_{w}"], held[f"loans_sq_{w}"])
        row["loans_per_reader"] = {
            "sent": round(m1, 6), "holdout": round(m2, 6),
            "interval": _interval(welch_difference(m1, v1, sent["readers"], m2, v2,
                                                   held["readers"]))}
        windows.append(row)
    return {"campaign_id": campaign_id, "status": campaign["status"],
            "readers": {"sent": sent["readers"], "holdout": held["readers"]},
            "windows": windows}


def _share(count: int, readers: int) -> dict[str, Any]:
    return {"count": count, "share": round(count / readers, 6) if readers else None}
