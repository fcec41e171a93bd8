"""Library activities and reader surveys: publish, sign up, wait, cancel, attend; create,
publish, answer once, close. Every step is an event; the activity stream's version guards its
seats, and a survey answer's own stream ("must not exist") guards one answer per reader."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from events.engagement import (
    ActivityPublished,
    ActivityWaiterPromoted,
    SurveyAnswered,
    SurveyAnsweredAnonymously,
    SurveyClosed,
    SurveyCreated,
    SurveyPublished,
)
from events.store import NO_STREAM, LoadedStreams, PendingEvent
from events.streams import activity_stream, reader_stream, survey_answer_stream, survey_stream
from service.application.circulation import reader_for_card
from service.application.context import Actor, Ports
from service.application.execute import Decide, Decision, Load, Outcome, execute, run
from service.application.managed_lists import require_known
from service.application.readers import load_reader
from service.domain.engagement import refusals
from service.domain.engagement.activities import (
    check_new_activity,
    decide_attendance,
    decide_cancel,
    decide_sign_up,
    fold_activity,
)
from service.domain.engagement.surveys import (
    check_can_answer,
    check_questions,
    fold_survey,
    split_answers,
)


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _own(loaded: LoadedStreams, stream: str) -> list[Any]:
    return [s.event for s in loaded.events if s.stream_id == stream]


def publish_activity(ports: Ports, actor: Actor, kind: str, title_zh: str, title_en: str,
                     description_zh: str, description_en: str, branch: str,
                     starts_at: datetime, ends_at: datetime, capacity: int,
                     audience_category: str | None, key: str | None) -> Outcome:
    check_new_activity(kind, title_zh, title_en, starts_at, ends_at, capacity)
    # Instants are kept in UTC (a client may send +08:00; SQLite keeps no offset).
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    require_known(ports, branch=("branch", branch),
                  audience_category=("reader_category", audience_category))
    activity_id = _new_id()
    stream = activity_stream(activity_id)

    def decide(loaded: LoadedStreams) -> Decision:
        event = ActivityPublished(activity_id, kind, title_zh, title_en, description_zh,
                                  description_en, branch, starts_at, ends_at, capacity,
                                  ports.clock(), audience_category)
        return Decision([PendingEvent(event, (stream,))],
                        {"activity_id": activity_id, "status": "published"},
                        expected={stream: NO_STREAM})

    return execute(ports, actor, "publish_activity", [stream], decide, key)


def sign_up(ports: Ports, actor: Actor, activity_id: str, reader_id: str,
            key: str | None) -> Outcome:
    """A seat while one is free, else the waiting list (the stream's version guards both)."""
    stream = activity_stream(activity_id)

    def decide(loaded: LoadedStreams) -> Decision:
        reader = load_reader(loaded, reader_id)
        event = decide_sign_up(fold_activity(_own(loaded, stream)), reader_id, reader.category,
                               ports.clock())
        return Decision([PendingEvent(event, (stream,))],
                        {"activity_id": activity_id, "reader_id": reader_id,
                         "status": "seated" if event.seated else "waiting"},
                        expected={stream: loaded.version(stream)})

    return execute(ports, actor, "sign_up_for_activity", [stream, reader_stream(reader_id)],
                   decide, key)


def cancel_sign_up(ports: Ports, actor: Actor, activity_id: str, reader_id: str,
                   key: str | None) -> Outcome:
    """Leave; a freed seat goes to the first reader waiting, in the same append."""
    stream = activity_stream(activity_id)

    def decide(loaded: LoadedStreams) -> Decision:
        events = decide_cancel(fold_activity(_own(loaded, stream)), reader_id, ports.clock())
        promoted = [e.reader_id for e in events if isinstance(e, ActivityWaiterPromoted)]
        return Decision([PendingEvent(e, (stream,)) for e in events],
                        {"activity_id": activity_id, "reader_id": reader_id,
                         "status": "cancelled", "promoted_reader_id": promoted[0]
                         if promoted else None})

    return execute(ports, actor, "cancel_activity_sign_up", [stream], decide, key)


def mark_attendance(ports: Ports, actor: Actor, activity_id: str, card_number: str,
                    key: str | None) -> Outcome:
    """At the door: the scanned card (the adapter turned an e-card code into its card)."""
    stream = activity_stream(activity_id)

    def locate(load: Load) -> tuple[Sequence[str], Decide]:
        reader_id = reader_for_card(ports, card_number, load)

        def decide(loaded: LoadedStreams) -> Decision:
            event = decide_attendance(fold_activity(_own(loaded, stream)), reader_id,
                                      ports.clock())
            result = {"activity_id": activity_id, "reader_id": reader_id,
                      "card_number": card_number, "status": "attended",
                      "already": event is None}
            return Decision([] if event is None else [PendingEvent(event, (stream,))], result)

        return [stream], decide

    return run(ports, actor, "mark_activity_attendance", locate, key)


# --- surveys -------------------------------------------------------------------------------

def create_survey(ports: Ports, actor: Actor, title_zh: str, title_en: str,
                  questions: Sequence[Mapping[str, Any]], anonymous: bool,
                  audience_category: str | None, key: str | None) -> Outcome:
    check_questions(title_zh, title_en, questions)
    require_known(ports, audience_category=("reader_category", audience_category))
    survey_id = _new_id()
    stream = survey_stream(survey_id)
    shaped = tuple({"id": str(q["id"]), "type": q["type"], "text_zh": q["text_zh"],
                    "text_en": q["text_en"], "options": list(q.get("options") or []),
                    "required": q["type"] != "text" if q.get("required") is None
                    else bool(q["required"])}
                   for q in questions)

    def decide(loaded: LoadedStreams) -> Decision:
        event = SurveyCreated(survey_id, title_zh, title_en, shaped, anonymous, ports.clock(),
                              audience_category)
        return Decision([PendingEvent(event, (stream,))],
                        {"survey_id": survey_id, "status": "draft"},
                        expected={stream: NO_STREAM})

    return execute(ports, actor, "create_survey", [stream], decide, key)


def publish_survey(ports: Ports, actor: Actor, survey_id: str, key: str | None) -> Outcome:
    stream = survey_stream(survey_id)

    def decide(loaded: LoadedStreams) -> Decision:
        state = fold_survey(_own(loaded, stream))
        if state is None:
            raise refusals.survey_not_found()
        if state.status == "open":
            return Decision([], {"survey_id": survey_id, "status": "open"})
        if state.status != "draft":
            raise refusals.survey_not_draft()
        return Decision([PendingEvent(SurveyPublished(survey_id, ports.clock()), (stream,))],
                        {"survey_id": survey_id, "status": "open"})

    return execute(ports, actor, "publish_survey", [stream], decide, key)


def close_survey(ports: Ports, actor: Actor, survey_id: str, key: str | None) -> Outcome:
    stream = survey_stream(survey_id)

    def decide(loaded: LoadedStreams) -> Decision:
        state = fold_survey(_own(loaded, stream))
        if state is None:
            raise refusals.survey_not_found()
        if state.status == "closed":
            return Decision([], {"survey_id": survey_id, "status": "closed"})
        return Decision([PendingEvent(SurveyClosed(survey_id, ports.clock()), (stream,))],
                        {"survey_id": survey_id, "status": "closed"})

    return execute(ports, actor, "close_survey", [stream], decide, key)


def respondent(survey_id: str, reader_id: str, anonymous: bool) -> str:
    """Whose answer a stream holds: the reader, or for an anonymous survey a digest of the
    survey and the reader (still one stream per reader, but the log's stream names nobody)."""
    if not anonymous:
        return reader_id
    return hashlib.sha256(f"{survey_id}:{reader_id}".encode()).hexdigest()[:32]


def answer_survey(ports: Ports, actor: Actor, survey_id: str, reader_id: str,
                  answers: Mapping[str, Any], key: str | None) -> Outcome:
    """Answer once: the answer stream must not exist (a second answer, even racing, is
    refused with survey_already_answered)."""
    stream = survey_stream(survey_id)
    # Whether it is anonymous never changes once created, so it is read before the command.
    survey = fold_survey(s.event for s in ports.store.load([stream]).events)
    if survey is None:
        raise refusals.survey_not_found()
    anonymous = survey.created.anonymous
    mine = survey_answer_stream(survey_id, respondent(survey_id, reader_id, anonymous))

    def decide(loaded: LoadedStreams) -> Decision:
        state = fold_survey(_own(loaded, stream))
        reader = load_reader(loaded, reader_id)
        check_can_answer(state, loaded.version(mine) > 0, reader.category)
        assert state is not None
        choices, texts = split_answers(state.created.questions, answers)
        now = ports.clock()
        event = (SurveyAnsweredAnonymously(survey_id, choices, texts, now) if anonymous
                 else SurveyAnswered(survey_id, reader_id, choices, texts, now))
        return Decision([PendingEvent(event, (mine,))],
                        {"survey_id": survey_id, "status": "answered"},
                        expected={mine: NO_STREAM, stream: loaded.version(stream)})

    return execute(ports, actor, "answer_survey", [stream, mine, reader_stream(reader_id)],
                   decide, key)
