"""Facts about library activities (读者活动) and reader surveys (读者调查)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from events.base import Event

# --- activities: every step lives on the activity's stream, whose version guards its seats ---


@dataclass(frozen=True)
class ActivityPublished(Event, type_name="activity.published", version=1):
    activity_id: str
    kind: str  # reading_club lecture storytime exhibition
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    branch: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    published_at: datetime
    audience_category: str | None = None


@dataclass(frozen=True)
class ActivitySignedUp(Event, type_name="activity.signed_up", version=1):
    """A reader signed up: ``seated`` (a place is theirs) or on the waiting list."""

    activity_id: str
    reader_id: str
    seated: bool
    signed_up_at: datetime


@dataclass(frozen=True)
class ActivitySignUpCancelled(Event, type_name="activity.sign_up_cancelled", version=1):
    activity_id: str
    reader_id: str
    was_seated: bool
    cancelled_at: datetime


@dataclass(frozen=True)
class ActivityWaiterPromoted(Event, type_name="activity.waiter_promoted", version=1):
    """A seat freed by a cancellation went to the first reader on the waiting list."""

    activity_id: str
    reader_id: str
    promoted_at: datetime


@dataclass(frozen=True)
class ActivityAttended(Event, type_name="activity.attended", version=1):
    activity_id: str
    reader_id: str
    attended_at: datetime


# --- surveys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyCreated(Event, type_name="survey.created", version=1):
    """``questions``: [{id, type, text_zh, text_en, options: [{zh, en}], required}]."""

    survey_id: str
    title_zh: str
    title_en: str
    questions: tuple[dict[str, Any], ...]
    anonymous: bool
    created_at: datetime
    audience_category: str | None = None


@dataclass(frozen=True)
class SurveyPublished(Event, type_name="survey.published", version=1):
    survey_id: str
    published_at: datetime


@dataclass(frozen=True)
class SurveyClosed(Event, type_name="survey.closed", version=1):
    survey_id: str
    closed_at: datetime


@dataclass(frozen=True)
class SurveyAnswered(Event, type_name="survey.answered", version=1):
    """A named answer. ``choices``: question id -> option index, list of indexes or score;
    ``texts``: question id -> free text, encrypted under the reader's key (erasable)."""

    survey_id: str
    reader_id: str
    choices: dict[str, Any]
    texts: dict[str, str]
    answered_at: datetime

    pii_fields: ClassVar[frozenset[str]] = frozenset({"texts"})
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class SurveyAnsweredAnonymously(Event, type_name="survey.answered_anonymously", version=1):
    """An answer to an anonymous survey: it names nobody (its stream is keyed by a digest of
    the survey and the reader, which is what refuses a second answer)."""

    survey_id: str
    choices: dict[str, Any]
    texts: dict[str, str]
    answered_at: datetime
