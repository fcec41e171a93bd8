"""Facts about knowing readers: segment refreshes and the lapse-risk model chosen to serve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from events.base import Event


@dataclass(frozen=True)
class SegmentsRefreshed(Event, type_name="segments.refreshed", version=1):
    """Readers were scored and segmented as of the end of ``as_of`` (a library-local date),
    over the ``window_days`` before it. One per date: the stream ``segments-<as_of>`` holds
    exactly one event, so two schedulers racing append it once."""

    as_of: date
    window_days: int
    refreshed_at: datetime


@dataclass(frozen=True)
class LapseModelChosen(Event, type_name="lapse_model.chosen", version=1):
    """What the lapse-risk score serves from now on: ``served`` is 'model' or 'rule'.

    ``model`` holds the scorer as plain JSON (the recency rule's rates by bucket and, when
    the model won, the logistic regression's features, means, scales, coefficients and
    intercept, rounded to 6 places); ``metrics`` the offline evaluation that chose it.
    """

    served: str
    horizon_days: int
    model: dict[str, Any]
    metrics: dict[str, Any]
    chosen_at: datetime


@dataclass(frozen=True)
class RecommendationsRefreshed(Event, type_name="recommendations.refreshed", version=1):
    """Item-kNN recommendations were recomputed from the co-borrowing counts as they stood at
    this event (so a rebuild computes the same lists). One per library date: the stream
    ``recommendations-<as_of>`` holds exactly one event, so two schedulers racing append it
    once. ``neighbours`` is k (similar titles kept per title), ``keep`` the list length kept
    per reader."""

    as_of: date
    neighbours: int
    keep: int
    refreshed_at: datetime
