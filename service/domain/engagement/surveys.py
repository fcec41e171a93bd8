"""Survey rules: question shapes, answer checks, one answer per reader (the NPS score is
figured where the answers are read: projections/surveys.py ``nps_score``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from events.base import Event
from events.engagement import SurveyClosed, SurveyCreated, SurveyPublished
from service.domain.engagement import refusals
from service.domain.i18n import Message

TYPES = ("single", "multiple", "rating", "nps", "text")
SCALES = {"rating": (1, 5), "nps": (0, 10)}
MAX_TEXT = 2000
MAX_QUESTIONS = 50


@dataclass
class SurveyState:
    created: SurveyCreated
    status: str = "draft"  # draft open closed


def fold_survey(events: Iterable[Event]) -> SurveyState | None:
    state: SurveyState | None = None
    for e in events:
        match e:
            case SurveyCreated():
                state = SurveyState(e)
            case SurveyPublished() if state is not None:
                state.status = "open"
            case SurveyClosed() if state is not None:
                state.status = "closed"
    return state


def _bad(en: str, zh: str) -> list[Message]:
    return [Message(en=en, zh=zh)]


def check_questions(title_zh: str, title_en: str,
                    questions: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a survey whose titles or questions are malformed (per-field messages)."""
    problems: dict[str, list[Message]] = {}
    for name, value in (("title_zh", title_zh), ("title_en", title_en)):
        if not value.strip():
            problems[name] = _bad("must not be empty", "不能为空")
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        problems["questions"] = _bad(f"between 1 and {MAX_QUESTIONS} questions",
                                     f"须有 1 到 {MAX_QUESTIONS} 个问题")
    ids = [q.get("id") for q in questions]
    if len(set(ids)) != len(ids):
        problems["questions"] = _bad("question ids must be unique", "问题编号不能重复")
    for i, q in enumerate(questions):
        where = f"questions.{i}"
        if q.get("type") not in TYPES:
            problems[where] = _bad("type must be one of: " + ", ".join(TYPES),
                                   "类型须为以下之一：" + "、".join(TYPES))
        elif not str(q.get("text_zh", "")).strip() or not str(q.get("text_en", "")).strip():
            problems[where] = _bad("text_zh and text_en are required", "须填写中英文题目")
        elif q["type"] in ("single", "multiple") and len(q.get("options") or []) < 2:
            problems[where] = _bad("a choice question needs at least 2 options",
                                   "选择题至少需要 2 个选项")
    if problems:
        raise refusals.survey_invalid(problems)


def _check_one(q: Mapping[str, Any], value: Any) -> str | None:
    """None if ``value`` answers question ``q``, else what is wrong (en)."""
    kind = q["type"]
    if kind == "text":
        return None if isinstance(value, str) and len(value) <= MAX_TEXT else "text too long"
    if kind == "single":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok and 0 <= value < len(q["options"]) else "not one of the options"
    if kind == "multiple":
        if not isinstance(value, list) or not value:
            return "a list of distinct option numbers"
        ok = all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < len(q["options"])
                 for v in value)
        if not ok:
            return "not one of the options"
        return None if len(set(value)) == len(value) else "a list of distinct option numbers"
    low, high = SCALES[kind]
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return None if ok else f"a whole number from {low} to {high}"


def split_answers(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, str]]:
    """Check an answer sheet; return (choices and scores, free texts)."""
    by_id = {q["id"]: q for q in questions}
    problems: dict[str, list[Message]] = {}
    for qid in answers:
        if qid not in by_id:
            problems[f"answers.{qid}"] = _bad("no such question", "没有这个问题")
    choices: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for qid, q in by_id.items():
        value = answers.get(qid)
        if value is None or value == "":
            if q.get("required", q["type"] != "text"):
                problems[f"answers.{qid}"] = _bad("required", "必答")
            continue
        wrong = _check_one(q, value)
        if wrong:
            problems[f"answers.{qid}"] = _bad(wrong, "回答不符合题目要求")
        elif q["type"] == "text":
            texts[qid] = value.strip()
        else:
            choices[qid] = sorted(value) if q["type"] == "multiple" else value
    if problems:
        raise refusals.answer_invalid(problems)
    return choices, texts


def check_can_answer(state: SurveyState | None, already_answered: bool,
                     category: str) -> None:
    """A reader answers an open survey of their audience once."""
    if state is None:
        raise refusals.survey_not_found()
    if already_answered:
        raise refusals.survey_already_answered()
    if state.status != "open":
        raise refusals.survey_not_open()
    audience = state.created.audience_category
    if audience is not None and audience != category:
        raise refusals.survey_not_for_category()

