"""Activity rules: seats up to capacity, then a waiting list; a freed seat goes to the first
waiting reader; attendance is taken for seated readers only. No I/O: states are folded from
the activity stream's events, and the stream's version guards every decision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from events.base import Event
from events.engagement import (
    ActivityAttended,
    ActivityPublished,
    ActivitySignedUp,
    ActivitySignUpCancelled,
    ActivityWaiterPromoted,
)
from service.domain.engagement import refusals
from service.domain.i18n import Message

KINDS = ("reading_club", "lecture", "storytime", "exhibition")
MAX_CAPACITY = 100_000


@dataclass
class ActivityState:
    published: ActivityPublished
    seated: list[str] = field(default_factory=list)  # in the order their seats were given
    waiting: list[str] = field(default_factory=list)  # first come, first served
    attended: set[str] = field(default_factory=set)

    @property
    def capacity(self) -> int:
        return self.published.capacity

    def status_of(self, reader_id: str) -> str | None:
        if reader_id in self.seated:
            return "attended" if reader_id in self.attended else "seated"
        return "waiting" if reader_id in self.waiting else None


def fold_activity(events: Iterable[Event]) -> ActivityState | None:
    """The activity's state from its stream's events (None: never published)."""
    state: ActivityState | None = None
    for e in events:
        match e:
            case ActivityPublished():
                state = ActivityState(e)
            case ActivitySignedUp() if state is not None:
                (state.seated if e.seated else state.waiting).append(e.reader_id)
            case ActivitySignUpCancelled() if state is not None:
                for queue in (state.seated, state.waiting):
                    if e.reader_id in queue:
                        queue.remove(e.reader_id)
            case ActivityWaiterPromoted() if state is not None:
                state.waiting.remove(e.reader_id)
                state.seated.append(e.reader_id)
            case ActivityAttended() if state is not None:
                state.attended.add(e.reader_id)
    return state


def check_new_activity(kind: str, title_zh: str, title_en: str, starts_at: datetime,
                       ends_at: datetime, capacity: int) -> None:
    """Refuse an activity that cannot be published (per-field messages)."""
    problems: dict[str, list[Message]] = {}
    if kind not in KINDS:
        problems["kind"] = [Message(en="must be one of: " + ", ".join(KINDS),
                                    zh="须为以下之一：" + "、".join(KINDS))]
    for name, value in (("title_zh", title_zh), ("title_en", title_en)):
        if not value.strip():
            problems[name] = [Message(en="must not be empty", zh="不能为空")]
    if ends_at <= starts_at:
        problems["ends_at"] = [Message(en="must be after starts_at", zh="须晚于开始时间")]
    if not 1 <= capacity <= MAX_CAPACITY:
        problems["capacity"] = [Message(en=f"must be between 1 and {MAX_CAPACITY}",
                                        zh=f"须在 1 到 {MAX_CAPACITY} 之间")]
    if problems:
        raise refusals.activity_invalid(problems)


def decide_sign_up(state: ActivityState | None, reader_id: str, category: str,
                   now: datetime) -> ActivitySignedUp:
    """A seat while any is free, else a place on the waiting list."""
    if state is None:
        raise refusals.activity_not_found()
    if state.status_of(reader_id) is not None:
        raise refusals.activity_already_signed_up()
    if now >= state.published.starts_at:
        raise refusals.activity_sign_up_closed()
    audience = state.published.audience_category
    if audience is not None and audience != category:
        raise refusals.activity_not_for_category()
    seated = len(state.seated) < state.capacity
    return ActivitySignedUp(state.published.activity_id, reader_id, seated, now)


def decide_cancel(state: ActivityState | None, reader_id: str, now: datetime) -> list[Event]:
    """Leave the activity; a freed seat goes at once to the first reader waiting."""
    if state is None:
        raise refusals.activity_not_found()
    status = state.status_of(reader_id)
    if status is None:
        raise refusals.activity_not_signed_up()
    if now >= state.published.starts_at or status == "attended":
        raise refusals.activity_sign_up_closed()
    activity_id = state.published.activity_id
    was_seated = status != "waiting"
    out: list[Event] = [ActivitySignUpCancelled(activity_id, reader_id, was_seated, now)]
    if was_seated and state.waiting and len(state.seated) - 1 < state.capacity:
        out.append(ActivityWaiterPromoted(activity_id, state.waiting[0], now))
    return out


def decide_attendance(state: ActivityState | None, reader_id: str,
                      now: datetime) -> ActivityAttended | None:
    """Record a seated reader at the door (None: already recorded, nothing to add)."""
    if state is None:
        raise refusals.activity_not_found()
    status = state.status_of(reader_id)
    if status is None:
        raise refusals.activity_not_signed_up()
    if status == "waiting":
        raise refusals.activity_not_seated()
    if status == "attended":
        return None
    return ActivityAttended(state.published.activity_id, reader_id, now)
