"""Who a campaign is for: an RFV segment, or a saved reader filter.

A saved filter is a small dict; every key is optional and absent keys match everyone:
``category`` (reader category code), ``branch`` (home branch), ``segment`` (the reader's
latest RFV segment) and ``lapse_band`` (low / medium / high risk of lapsing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.errors import Invalid
from service.domain.notices.kinds import MARKETING_KINDS

SEGMENTS = ("champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost")
LAPSE_BANDS = ("low", "medium", "high")
FILTER_KEYS = ("category", "branch", "segment", "lapse_band")
TEMPLATES = tuple(sorted(k.value for k in MARKETING_KINDS))
DEFAULT_HOLDOUT_PCT = 10


def lapse_band(probability: float | None) -> str | None:
    """The band of a lapse probability: under 1/3 low, under 2/3 medium, else high."""
    if probability is None:
        return None
    return "low" if probability < 1 / 3 else "medium" if probability < 2 / 3 else "high"


def clean_audience(audience: Mapping[str, Any]) -> dict[str, str]:
    """The audience with empty keys dropped; refused when a value is not one we know."""
    out = {k: str(v) for k, v in audience.items() if k in FILTER_KEYS and v not in (None, "")}
    unknown = sorted(set(audience) - set(FILTER_KEYS))
    problems: dict[str, list[str]] = {k: ["unknown filter"] for k in unknown}
    if "segment" in out and out["segment"] not in SEGMENTS:
        problems["segment"] = [f"one of {', '.join(SEGMENTS)}"]
    if "lapse_band" in out and out["lapse_band"] not in LAPSE_BANDS:
        problems["lapse_band"] = [f"one of {', '.join(LAPSE_BANDS)}"]
    if problems:
        raise Invalid("campaign_audience_invalid", "The audience filter is not valid.",
                      "受众筛选条件无效。", fields=problems)
    return out


def check_campaign(name: str, template: str, message: str, holdout_pct: int,
                   survey_id: str | None = None) -> None:
    """Refuse a campaign that cannot be sent as defined."""
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = ["required"]
    if template not in TEMPLATES:
        problems["template"] = [f"one of {', '.join(TEMPLATES)}"]
    if template == "campaign_activity" and not message.strip():
        problems["message"] = ["an activity invitation needs its message"]
    if template == "campaign_survey" and not survey_id:
        problems["survey_id"] = ["a survey invitation names its survey"]
    if template != "campaign_survey" and survey_id:
        problems["survey_id"] = ["only a survey invitation names a survey"]
    if not 0 <= holdout_pct <= 50:
        problems["holdout_pct"] = ["between 0 and 50"]
    if problems:
        raise Invalid("campaign_invalid", "The campaign is not valid.", "推广计划设置无效。",
                      fields=problems)
