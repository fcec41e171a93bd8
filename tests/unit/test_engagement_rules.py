"""The pure rules of activities and surveys: seats, the waiting list, attendance, answer
checks, one answer per reader, and the NPS score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from events.engagement import (
    ActivityPublished,
    ActivitySignedUp,
    ActivitySignUpCancelled,
    ActivityWaiterPromoted,
    SurveyClosed,
    SurveyCreated,
    SurveyPublished,
)
from projections.surveys import nps_score
from service.domain.engagement.activities import (
    decide_attendance,
    decide_cancel,
    decide_sign_up,
    fold_activity,
)
from service.domain.engagement.surveys import check_can_answer, fold_survey, split_answers
from service.domain.errors import DomainError

NOW = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)
PUBLISHED = ActivityPublished("a1", "storytime", "故事会", "Storytime", "", "", "main",
                              NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1), 2, NOW,
                              "child")


def state(*readers: tuple[str, bool]) -> object:
    return fold_activity([PUBLISHED, *(ActivitySignedUp("a1", r, s, NOW) for r, s in readers)])


def code(call: object, *args: object) -> str:
    with pytest.raises(DomainError) as refused:
        call(*args)  # type: ignore[operator]
    return refused.value.code


def test_seats_are_given_up_to_capacity_then_readers_wait() -> None:
    assert decide_sign_up(state(), "r1", "child", NOW).seated is True
    assert decide_sign_up(state(("r1", True)), "r2", "child", NOW).seated is True
    assert decide_sign_up(state(("r1", True), ("r2", True)), "r3", "child", NOW).seated is False


def test_a_second_sign_up_a_late_one_and_one_from_another_category_are_refused() -> None:
    full = state(("r1", True))
    assert code(decide_sign_up, full, "r1", "child", NOW) == "activity_already_signed_up"
    assert code(decide_sign_up, full, "r2", "child", PUBLISHED.starts_at) == \
        "activity_sign_up_closed"
    assert code(decide_sign_up, full, "r2", "adult", NOW) == "activity_not_for_category"
    assert code(decide_sign_up, None, "r2", "adult", NOW) == "activity_not_found"


def test_a_seated_cancellation_promotes_the_first_waiting_and_a_waiting_one_promotes_none() -> None:
    full = state(("r1", True), ("r2", True), ("r3", False), ("r4", False))
    cancelled, promoted = decide_cancel(full, "r2", NOW)
    assert isinstance(cancelled, ActivitySignUpCancelled) and cancelled.was_seated
    assert isinstance(promoted, ActivityWaiterPromoted) and promoted.reader_id == "r3"
    assert [type(e) for e in decide_cancel(full, "r4", NOW)] == [ActivitySignUpCancelled]
    after = fold_activity([PUBLISHED, *(ActivitySignedUp("a1", r, s, NOW) for r, s in
                                        (("r1", True), ("r2", True), ("r3", False))),
                           cancelled, promoted])
    assert after is not None and after.seated == ["r1", "r3"] and after.waiting == []
    assert code(decide_cancel, after, "r9", NOW) == "activity_not_signed_up"


def test_attendance_is_for_seated_readers_once() -> None:
    full = state(("r1", True), ("r2", True), ("r3", False))
    assert decide_attendance(full, "r1", NOW) is not None
    assert code(decide_attendance, full, "r3", NOW) == "activity_not_seated"
    assert code(decide_attendance, full, "r9", NOW) == "activity_not_signed_up"
    attended = fold_activity([PUBLISHED, ActivitySignedUp("a1", "r1", True, NOW),
                              decide_attendance(full, "r1", NOW)])  # type: ignore[list-item]
    assert decide_attendance(attended, "r1", NOW) is None


QUESTIONS = (
    {"id": "q1", "type": "single", "options": [{"zh": "是", "en": "yes"}, {"zh": "否", "en": "no"}],
     "required": True},
    {"id": "q2", "type": "multiple", "options": [{}, {}, {}], "required": True},
    {"id": "q3", "type": "rating", "required": True},
    {"id": "q4", "type": "nps", "required": True},
    {"id": "q5", "type": "text", "required": False},
)


def test_answers_split_into_choices_and_texts_and_bad_ones_are_named_per_question() -> None:
    choices, texts = split_answers(QUESTIONS, {"q1": 1, "q2": [2, 0], "q3": 5, "q4": 0,
                                               "q5": " 好 "})
    assert choices == {"q1": 1, "q2": [0, 2], "q3": 5, "q4": 0} and texts == {"q5": "好"}
    with pytest.raises(DomainError) as refused:
        split_answers(QUESTIONS, {"q1": 2, "q2": [1, 1], "q3": 0, "q4": 11, "q9": 1,
                                  "q5": True})
    assert set(refused.value.fields) == {"answers.q1", "answers.q2", "answers.q3", "answers.q4",
                                         "answers.q5", "answers.q9"}
    with pytest.raises(DomainError):  # JSON objects in a list are refused, not a crash
        split_answers(QUESTIONS, {"q1": 0, "q2": [{}], "q3": 1, "q4": 1})


def test_one_answer_per_reader_and_only_while_open() -> None:
    created = SurveyCreated("s1", "调查", "Survey", QUESTIONS, False, NOW, None)
    draft = fold_survey([created])
    opened = fold_survey([created, SurveyPublished("s1", NOW)])
    closed = fold_survey([created, SurveyPublished("s1", NOW), SurveyClosed("s1", NOW)])
    check_can_answer(opened, False, "adult")
    assert code(check_can_answer, opened, True, "adult") == "survey_already_answered"
    assert code(check_can_answer, draft, False, "adult") == "survey_not_open"
    assert code(check_can_answer, closed, False, "adult") == "survey_not_open"
    assert code(check_can_answer, None, False, "adult") == "survey_not_found"


def test_nps_is_promoters_minus_detractors_in_percent() -> None:
    assert nps_score([]) is None
    assert nps_score([10, 9, 8, 7]) == 50
    assert nps_score([0, 6, 9]) == -33
    assert nps_score([7, 8]) == 0
