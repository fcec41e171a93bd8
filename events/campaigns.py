"""Facts about outreach campaigns: created by staff, launched (audience frozen, hold-out drawn)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.base import Event
from events.codec import upcaster


@dataclass(frozen=True)
class CampaignCreated(Event, type_name="campaign.created", version=2):
    """Staff defined a campaign. ``audience`` is {"segment": ...} or a saved reader filter
    {"category", "branch", "segment", "lapse_band"} (absent keys match everyone).
    ``survey_id`` (v2): the survey a ``campaign_survey`` invites its readers to answer."""

    campaign_id: str
    name: str
    audience: dict[str, Any]
    template: str  # a campaign notice kind (new arrivals, we miss you, activity)
    message: str
    holdout_pct: int
    send_at: datetime
    created_at: datetime
    survey_id: str | None = None


@upcaster("campaign.created", 1)
def _created_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "survey_id": None}  # before survey invitations


@dataclass(frozen=True)
class CampaignLaunched(Event, type_name="campaign.launched", version=1):
    """The audience is frozen: each reader is in group "sent" or "holdout", drawn with ``seed``.

    ``assignments`` maps reader id -> group; the draw is reproducible from the seed and the
    reader ids (service/domain/campaigns/assignment.py).
    """

    campaign_id: str
    seed: int
    holdout_pct: int
    assignments: dict[str, str]
    launched_at: datetime
    starts_at: datetime  # when the measured windows (30 and 60 days) start: the send time
