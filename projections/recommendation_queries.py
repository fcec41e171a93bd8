"""Queries over the co-borrowing read model: what a reader had, lists, pairs, popularity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from events.vocabulary import CopyStatus
from projections.catalogue import copies, titles
from projections.co_borrowing import (
    cob_keepers,
    cob_pairs,
    cob_reader_titles,
    cob_titles,
    recommendations,
)


def keeps_history(conn: Connection, reader_id: str) -> bool:
    return bool(conn.scalar(select(cob_keepers.c.keep).where(cob_keepers.c.reader_id == reader_id)))


def titles_had(conn: Connection, reader_id: str) -> set[str]:
    return set(conn.scalars(select(cob_reader_titles.c.title_id)
                            .where(cob_reader_titles.c.reader_id == reader_id)))


def personal_list(conn: Connection, reader_id: str) -> list[tuple[str, float]]:
    """The nightly item-kNN list, best first (empty before the first refresh)."""
    return [(t, float(s)) for t, s in conn.execute(
        select(recommendations.c.title_id, recommendations.c.score)
        .where(recommendations.c.reader_id == reader_id).order_by(recommendations.c.rank))]


def latest_refresh(conn: Connection) -> Any:
    return conn.scalar(select(func.max(recommendations.c.as_of)))


def popular(conn: Connection, limit: int) -> list[tuple[str, float]]:
    """Titles by loans (every reader's), most first; ties by title id."""
    return [(t, float(n)) for t, n in conn.execute(
        select(cob_titles.c.title_id, cob_titles.c.loans).where(cob_titles.c.loans > 0)
        .order_by(cob_titles.c.loans.desc(), cob_titles.c.title_id).limit(limit))]


def co_borrowed(conn: Connection, title_id: str, min_readers: int) -> list[tuple[str, int, float]]:
    """(other title, readers who borrowed both, cosine) with at least ``min_readers``."""
    pairs = conn.execute(select(cob_pairs).where(
        or_(cob_pairs.c.title_a == title_id, cob_pairs.c.title_b == title_id),
        cob_pairs.c.readers >= min_readers)).mappings().all()
    if not pairs:
        return []
    others = [p["title_b"] if p["title_a"] == title_id else p["title_a"] for p in pairs]
    counts = dict(conn.execute(select(cob_titles.c.title_id, cob_titles.c.readers)
                               .where(cob_titles.c.title_id.in_([title_id, *others]))).all())
    out = []
    for other, p in zip(others, pairs, strict=True):
        norm = (counts.get(title_id, 0) * counts.get(other, 0)) ** 0.5
        out.append((other, int(p["readers"]), round(p["readers"] / norm, 6) if norm else 0.0))
    return sorted(out, key=lambda x: (-x[2], -x[1], x[0]))


def title_readers(conn: Connection, title_id: str) -> int:
    """Distinct readers who keep a history and borrowed the title."""
    return int(conn.scalar(select(cob_titles.c.readers)
                           .where(cob_titles.c.title_id == title_id)) or 0)


def lendable(conn: Connection, title_ids: list[str]) -> set[str]:
    """Titles with at least one copy neither withdrawn nor lost."""
    if not title_ids:
        return set()
    return set(conn.scalars(select(copies.c.title_id).distinct().where(
        copies.c.title_id.in_(title_ids), copies.c.status.not_in((CopyStatus.WITHDRAWN, CopyStatus.LOST)))))


def on_shelf_at(conn: Connection, title_ids: list[str], branch: str | None) -> set[str]:
    if not title_ids or not branch:
        return set()
    return set(conn.scalars(select(copies.c.title_id).distinct().where(
        copies.c.title_id.in_(title_ids), copies.c.branch == branch,
        copies.c.status == CopyStatus.AVAILABLE)))


def describe(conn: Connection, title_ids: list[str]) -> dict[str, dict[str, Any]]:
    if not title_ids:
        return {}
    return {r["title_id"]: dict(r) for r in conn.execute(
        select(titles.c.title_id, titles.c.title, titles.c.authors, titles.c.clc_class,
               titles.c.year).where(titles.c.title_id.in_(title_ids))).mappings()}


def describe_full(conn: Connection, title_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Title, authors, class and extent (pages) of each title."""
    if not title_ids:
        return {}
    return {r["title_id"]: dict(r) for r in conn.execute(
        select(titles.c.title_id, titles.c.title, titles.c.authors, titles.c.clc_class,
               titles.c.pages).where(titles.c.title_id.in_(title_ids))).mappings()}
