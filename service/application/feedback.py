"""What readers tell the library: feedback (answered, closed) and purchase suggestions."""

from __future__ import annotations

import uuid
from typing import Any

from events.feedback import (
    FeedbackAnswered,
    FeedbackClosed,
    FeedbackSubmitted,
    SuggestionDecided,
    SuggestionSubmitted,
)
from events.store import NO_STREAM, LoadedStreams, PendingEvent
from events.vocabulary import FeedbackStatus
from service.application.catalogue import clean_isbn
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.readers import load_reader, reader_stream
from service.domain.errors import Conflict, NotFound

CATEGORIES = ("service", "collection", "facility", "other")
DECISIONS = ("accepted", "ordered", "rejected")


def feedback_stream(feedback_id: str) -> str:
    return f"feedback-{feedback_id}"


def suggestion_stream(suggestion_id: str) -> str:
    return f"suggestion-{suggestion_id}"


def submit_feedback(ports: Ports, actor: Actor, reader_id: str, category: str, text: str,
                    rating: int | None, title_id: str | None, key: str | None) -> Outcome:
    feedback_id = uuid.uuid4().hex[:16]
    stream = feedback_stream(feedback_id)

    def decide(loaded: LoadedStreams) -> Decision:
        load_reader(loaded, reader_id)
        event = FeedbackSubmitted(feedback_id, reader_id, category, text, ports.clock(),
                                  rating, title_id)
        return Decision([PendingEvent(event, (stream, reader_stream(reader_id)))],
                        {"feedback_id": feedback_id, "status": FeedbackStatus.OPEN},
                        expected={stream: NO_STREAM})

    return execute(ports, actor, "submit_feedback", [reader_stream(reader_id), stream], decide, key)


def _feedback_state(loaded: LoadedStreams, feedback_id: str) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for stored in loaded.events:
        match stored.event:
            case FeedbackSubmitted() as e:
                state.update(reader_id=e.reader_id, status=FeedbackStatus.OPEN)
            case FeedbackAnswered():
                state["status"] = "answered"
            case FeedbackClosed():
                state["status"] = "closed"
    if not state:
        raise NotFound("feedback_not_found", "Feedback not found.", "未找到该反馈。")
    return state


def answer_feedback(ports: Ports, actor: Actor, feedback_id: str, answer: str,
                    close: bool, key: str | None) -> Outcome:
    stream = feedback_stream(feedback_id)

    def decide(loaded: LoadedStreams) -> Decision:
        state = _feedback_state(loaded, feedback_id)
        if state["status"] == FeedbackStatus.CLOSED:
            raise Conflict("feedback_closed", "This feedback is closed.", "该反馈已关闭。")
        now, reader_id = ports.clock(), state["reader_id"]
        events = [FeedbackAnswered(feedback_id, reader_id, answer, now)]
        if close:
            events.append(FeedbackClosed(feedback_id, reader_id, now))
        return Decision([PendingEvent(e, (stream, reader_stream(reader_id))) for e in events],
                        {"feedback_id": feedback_id, "status": FeedbackStatus.CLOSED if close
                         else FeedbackStatus.ANSWERED})

    return execute(ports, actor, "answer_feedback", [stream], decide, key)


def close_feedback(ports: Ports, actor: Actor, feedback_id: str, key: str | None) -> Outcome:
    stream = feedback_stream(feedback_id)

    def decide(loaded: LoadedStreams) -> Decision:
        state = _feedback_state(loaded, feedback_id)
        if state["status"] == FeedbackStatus.CLOSED:
            return Decision([], {"feedback_id": feedback_id, "status": FeedbackStatus.CLOSED})
        event = FeedbackClosed(feedback_id, state["reader_id"], ports.clock())
        return Decision([PendingEvent(event, (stream, reader_stream(state["reader_id"])))],
                        {"feedback_id": feedback_id, "status": FeedbackStatus.CLOSED})

    return execute(ports, actor, "close_feedback", [stream], decide, key)


def suggest_purchase(ports: Ports, actor: Actor, reader_id: str, title: str, author: str | None,
                     isbn: str | None, reason: str | None, key: str | None) -> Outcome:
    suggestion_id = uuid.uuid4().hex[:16]
    stream = suggestion_stream(suggestion_id)
    normalised = clean_isbn(isbn)

    def decide(loaded: LoadedStreams) -> Decision:
        load_reader(loaded, reader_id)
        event = SuggestionSubmitted(suggestion_id, reader_id, title, ports.clock(), author,
                                    normalised, reason)
        return Decision([PendingEvent(event, (stream, reader_stream(reader_id)))],
                        {"suggestion_id": suggestion_id, "status": "submitted"},
                        expected={stream: NO_STREAM})

    return execute(ports, actor, "suggest_purchase", [reader_stream(reader_id), stream], decide,
                   key)


def decide_suggestion(ports: Ports, actor: Actor, suggestion_id: str, decision: str, reason: str,
                      key: str | None) -> Outcome:
    stream = suggestion_stream(suggestion_id)

    def decide(loaded: LoadedStreams) -> Decision:
        submitted = next((e.event for e in loaded.events
                          if isinstance(e.event, SuggestionSubmitted)), None)
        if submitted is None:
            raise NotFound("suggestion_not_found", "Suggestion not found.", "未找到该荐购。")
        event = SuggestionDecided(suggestion_id, submitted.reader_id, decision, ports.clock(),
                                  reason)
        return Decision([PendingEvent(event, (stream, reader_stream(submitted.reader_id)))],
                        {"suggestion_id": suggestion_id, "status": decision})

    return execute(ports, actor, "decide_suggestion", [stream], decide, key)
