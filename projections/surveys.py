"""Read model: surveys and their answers (names only for named surveys)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    func,
    select,
    update,
)

from events.engagement import (
    SurveyAnswered,
    SurveyAnsweredAnonymously,
    SurveyClosed,
    SurveyCreated,
    SurveyPublished,
)
from events.readers import ReaderErased
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.reader_profiles import reader_profiles as rp
from projections.schema import metadata

TZ = DateTime(timezone=True)

surveys = Table(
    "rm_surveys",
    metadata,
    Column("survey_id", String(64), primary_key=True),
    Column("title_zh", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("questions", JSON, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("audience_category", String(64)),
    Column("status", String(16), nullable=False),  # draft open closed
    Column("created_at", TZ, nullable=False),
    Column("published_at", TZ),
    Column("closed_at", TZ),
    Column("answers", Integer, nullable=False),
)

answers = Table(
    "rm_survey_answers",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("survey_id", String(64), nullable=False, index=True),
    Column("respondent_stream", String(200), nullable=False, unique=True),
    Column("reader_id", String(64), index=True),  # None for an anonymous survey
    Column("choices", JSON, nullable=False),
    Column("texts", JSON),  # None once the reader is erased
    Column("answered_at", TZ, nullable=False),
)


class Surveys(Projection):
    name = "surveys"
    tables = (surveys, answers)

    @handles(SurveyCreated)
    def created(self, conn: Connection, e: SurveyCreated, s: StoredEvent) -> None:
        conn.execute(surveys.insert(), dict(
            survey_id=e.survey_id, title_zh=e.title_zh, title_en=e.title_en,
            questions=list(e.questions), anonymous=e.anonymous,
            audience_category=e.audience_category, status="draft", created_at=e.created_at,
            answers=0))

    @handles(SurveyPublished)
    def published(self, conn: Connection, e: SurveyPublished, s: StoredEvent) -> None:
        conn.execute(update(surveys).where(surveys.c.survey_id == e.survey_id)
                     .values(status="open", published_at=e.published_at))

    @handles(SurveyClosed)
    def closed(self, conn: Connection, e: SurveyClosed, s: StoredEvent) -> None:
        conn.execute(update(surveys).where(surveys.c.survey_id == e.survey_id)
                     .values(status="closed", closed_at=e.closed_at))

    @handles(SurveyAnswered, SurveyAnsweredAnonymously)
    def answered(self, conn: Connection, e: SurveyAnswered | SurveyAnsweredAnonymously,
                 s: StoredEvent) -> None:
        conn.execute(answers.insert(), dict(
            position=s.position, survey_id=e.survey_id, respondent_stream=s.stream_id,
            reader_id=getattr(e, "reader_id", None), choices=dict(e.choices),
            texts=None if e.texts is None else dict(e.texts), answered_at=e.answered_at))
        conn.execute(update(surveys).where(surveys.c.survey_id == e.survey_id)
                     .values(answers=surveys.c.answers + 1))

    @handles(ReaderErased)
    def reader_erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        # The counts stay; the words go (a rebuild decodes the erased texts to None too).
        conn.execute(update(answers).where(answers.c.reader_id == e.reader_id)
                     .values(texts=None))


def list_surveys(conn: Connection, *, status: str | None = None, offset: int = 0,
                 limit: int = 100) -> list[dict[str, Any]]:
    query = select(surveys)
    if status:
        query = query.where(surveys.c.status == status)
    query = query.order_by(surveys.c.created_at.desc()).offset(offset).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


def get_survey(conn: Connection, survey_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(surveys).where(surveys.c.survey_id == survey_id)).mappings().first()
    return None if row is None else dict(row)


def answered_streams(conn: Connection, streams: list[str]) -> set[str]:
    """Which of these respondent streams hold an answer."""
    if not streams:
        return set()
    found = conn.execute(select(answers.c.respondent_stream).where(
        answers.c.respondent_stream.in_(streams)))
    return {r[0] for r in found}


def survey_answers(conn: Connection, survey_id: str) -> list[dict[str, Any]]:
    query = select(answers).where(answers.c.survey_id == survey_id).order_by(answers.c.position)
    return [dict(r) for r in conn.execute(query).mappings()]


def reader_answers(conn: Connection, reader_id: str) -> list[dict[str, Any]]:
    """A reader's answers to named surveys (for their own data export)."""
    query = (select(answers.c.survey_id, surveys.c.title_zh, surveys.c.title_en,
                    answers.c.choices, answers.c.texts, answers.c.answered_at)
             .join(surveys, surveys.c.survey_id == answers.c.survey_id)
             .where(answers.c.reader_id == reader_id).order_by(answers.c.position))
    return [dict(r) for r in conn.execute(query).mappings()]


def answer_count(conn: Connection, survey_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(answers).where(
        answers.c.survey_id == survey_id)).scalar() or 0)


def distributions(questions: list[dict[str, Any]], rows: list[dict[str, Any]]
                  ) -> dict[str, Counter[int]]:
    """Per choice or scale question: how many answers gave each value."""
    out: dict[str, Counter[int]] = {q["id"]: Counter() for q in questions if q["type"] != "text"}
    for row in rows:
        for qid, value in (row["choices"] or {}).items():
            if qid in out:
                out[qid].update(value if isinstance(value, list) else [value])
    return out


def sent_to(conn: Connection, audience_category: str | None) -> int:
    """Readers a survey went to: its audience category's, or every reader not erased."""
    query = select(func.count()).select_from(rp).where(rp.c.erased.is_(False))
    if audience_category is not None:
        query = query.where(rp.c.category == audience_category)
    return int(conn.execute(query).scalar() or 0)


def survey_results(conn: Connection, survey_id: str) -> dict[str, Any] | None:
    """Response count and rate, per-question distributions, means, NPS and free texts."""
    survey = get_survey(conn, survey_id)
    if survey is None:
        return None
    rows = survey_answers(conn, survey_id)
    counted = distributions(survey["questions"], rows)
    questions = []
    for q in survey["questions"]:
        out: dict[str, Any] = {k: q[k] for k in ("id", "type", "text_zh", "text_en")}
        if q["type"] == "text":
            texts = [{"text": (r["texts"] or {}).get(q["id"]), "answered_at": r["answered_at"],
                      **({} if survey["anonymous"] else {"reader_id": r["reader_id"]})}
                     for r in rows if (r["texts"] or {}).get(q["id"])]
            out.update(answered=len(texts), distribution={}, mean=None, nps=None, texts=texts)
        else:
            dist = counted[q["id"]]
            given = [r["choices"][q["id"]] for r in rows if q["id"] in (r["choices"] or {})]
            scale = q["type"] in ("rating", "nps")
            out.update(answered=len(given), texts=[],
                       distribution={str(k): v for k, v in sorted(dist.items())},
                       mean=round(sum(given) / len(given), 2) if scale and given else None,
                       nps=nps_score(given) if q["type"] == "nps" else None)
        questions.append(out)
    reached = sent_to(conn, survey["audience_category"])
    return {"survey": survey, "responses": len(rows), "sent_to": reached,
            "response_rate": round(len(rows) / reached, 4) if reached else None,
            "questions": questions}


def nps_score(scores: list[int]) -> int | None:
    """% promoters (9-10) minus % detractors (0-6), rounded; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))
