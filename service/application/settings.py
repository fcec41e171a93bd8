"""Library configuration as events: the circulation policy matrix and branch calendars."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from events.configuration import CalendarChanged, PolicyChanged
from events.store import LoadedStreams, PendingEvent, StoredEvent
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.domain.errors import Invalid
from service.domain.i18n import FieldProblems
from service.domain.library.calendar import BranchCalendar, CalendarInvalid
from service.domain.library.policy import PolicyInvalid, PolicyMatrix, default_matrix
from service.domain.library.rules import Rules

POLICY_STREAM = "config-policy"
CALENDAR_STREAM = "config-calendar"
CONFIG_STREAMS = (POLICY_STREAM, CALENDAR_STREAM)


def library_today(now: datetime, timezone: str) -> date:
    """The library's calendar day at an instant (due dates are days in its time zone)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def rules_from(events: Iterable[StoredEvent], now: datetime, timezone: str) -> Rules:
    """The policy and calendars in force, folded from the configuration streams."""
    matrix: PolicyMatrix | None = None
    calendars: dict[str, BranchCalendar] = {}
    for stored in events:
        e = stored.event
        if isinstance(e, PolicyChanged):
            matrix = PolicyMatrix.from_dict(e.matrix)
        elif isinstance(e, CalendarChanged):
            calendars[e.branch] = BranchCalendar.from_dict(e.calendar)
    return Rules(now=now, today=library_today(now, timezone),
                 matrix=matrix or default_matrix(), calendars=calendars)


def current_rules(ports: Ports) -> Rules:
    loaded = ports.store.load(list(CONFIG_STREAMS))
    return rules_from(loaded.events, ports.clock(), ports.timezone)


def _invalid(exc: FieldProblems, what_en: str, what_zh: str) -> Invalid:
    return Invalid("invalid_" + what_en, f"The {what_en} is not valid.", f"{what_zh}无效。",
                   fields={k: [m.en] for k, m in exc.problems.items()})


def change_policy(ports: Ports, actor: Actor, matrix_data: dict, key: str | None) -> Outcome:
    """Replace the circulation policy matrix (validated; the old one stays in the log)."""
    try:
        matrix = PolicyMatrix.from_dict(matrix_data)
        matrix.validate()
    except PolicyInvalid as exc:
        raise _invalid(exc, "policy", "借阅规则") from None

    def decide(loaded: LoadedStreams) -> Decision:
        version = loaded.version(POLICY_STREAM) + 1
        return Decision([PendingEvent(PolicyChanged(matrix.to_dict()), (POLICY_STREAM,))],
                        {"policy_version": version})

    return execute(ports, actor, "change_policy", [POLICY_STREAM], decide, key)


def change_calendar(
    ports: Ports, actor: Actor, branch: str, calendar_data: dict, key: str | None
) -> Outcome:
    try:
        calendar = BranchCalendar.from_dict(calendar_data)
    except CalendarInvalid as exc:
        raise _invalid(exc, "calendar", "开馆日历") from None
    if calendar.always_closed:
        raise Invalid("invalid_calendar", "A branch must open at least one weekday.",
                      "分馆每周至少须开放一天。",
                      fields={"closed_weekdays": ["At least one weekday must be open."]})

    def decide(loaded: LoadedStreams) -> Decision:
        return Decision([PendingEvent(CalendarChanged(branch, calendar.to_dict()),
                                      (CALENDAR_STREAM,))], {"branch": branch})

    return execute(ports, actor, "change_calendar", [CALENDAR_STREAM], decide, key)


def policy_history(ports: Ports) -> list[tuple[int, StoredEvent]]:
    """Every version of the policy, numbered from 1 (the default has version 0)."""
    loaded = ports.store.load([POLICY_STREAM])
    return list(enumerate((e for e in loaded.events if isinstance(e.event, PolicyChanged)), 1))


def default_policy_dict() -> dict:
    return default_matrix().to_dict()
