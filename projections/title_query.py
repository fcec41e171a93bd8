"""Title search: match, rank (title before names before subjects before the rest), facets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    and_,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql import ColumnElement, Subquery

from projections.catalogue import copies, titles
from projections.search_text import fold, query_terms
from projections.title_search import search

FACETS = ("cls", "format", "language", "year")


@dataclass(frozen=True)
class TitleFilters:
    isbn: str | None = None
    clc_class: str | None = None  # class mark prefix
    cls: str | None = None  # CLC main class facet value
    format: str | None = None
    language: str | None = None
    year: int | None = None
    branch: str | None = None  # has a copy available at this branch


@dataclass
class SearchResult:
    rows: list[dict[str, Any]]
    total: int
    facets: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)


def _fts5_match(terms: list[tuple[str, bool]]) -> str:
    return " AND ".join(f'"{t}"' + ("*" if prefix else "") for t, prefix in terms)


def _tsquery(terms: list[tuple[str, bool]]) -> str:
    return " & ".join("'" + t.replace("'", "''") + "'" + (":*" if prefix else "")
                      for t, prefix in terms)


_FTS = table("rm_title_fts", column("rowid"))
_NOTHING = text("1 = 0")


def _filtered(conn: Connection, q: str | None, f: TitleFilters) -> Any:
    """title_id, score (higher ranks first), sort_key and the facet columns of the matches.

    The match, the rank and the facet values come from one scan of rm_title_search (no join
    back to it), so a search reads each matching row once.
    """
    cols = [search.c.title_id, search.c.sort_key, *(search.c[name] for name in FACETS)]
    terms = query_terms(q)
    if not q or not q.strip():
        query = select(literal(0.0).label("score"), *cols)
    elif not terms:  # only punctuation: nothing can match (an empty query lists everything)
        query = select(literal(0.0).label("score"), *cols).where(_NOTHING)
    elif conn.dialect.name == "postgresql":
        tsq = cast(literal(_tsquery(terms)), TSQUERY)
        doc: ColumnElement[Any] = literal_column("rm_title_search.doc")
        query = select(func.ts_rank(doc, tsq).label("score"), *cols).where(doc.op("@@")(tsq))
    else:
        # bm25 is lower for better matches; weights per column: title, names, subjects, other.
        score = literal_column("-bm25(rm_title_fts, 10.0, 5.0, 2.0, 1.0)", Float)
        query = select(score.label("score"), *cols).select_from(search.join(
            _FTS, _FTS.c.rowid == literal_column("rm_title_search.rowid"))).where(
            text("rm_title_fts MATCH :m").bindparams(m=_fts5_match(terms)))
    for name in FACETS:
        value = getattr(f, name)
        if value is not None:
            query = query.where(search.c[name] == value)
    if f.isbn or f.clc_class:
        query = query.join(titles, titles.c.title_id == search.c.title_id)
        if f.isbn:
            query = query.where(titles.c.isbn == f.isbn)
        if f.clc_class:
            query = query.where(titles.c.clc_class.startswith(f.clc_class, autoescape=True))
    if f.branch:
        query = query.where(exists().where(and_(
            copies.c.title_id == search.c.title_id, copies.c.branch == f.branch,
            copies.c.status == "available")))
    return query


def search_titles(conn: Connection, *, q: str | None = None,
                  filters: TitleFilters | None = None, offset: int = 0, limit: int = 50,
                  with_facets: bool = False) -> SearchResult:
    """A ranked page of titles matching ``q`` and the filters, the total, and facet counts."""
    hits = _filtered(conn, q, filters or TitleFilters()).subquery("hits")
    # An exact title match first ("三体" before 三体II), then score, then title order. The
    # total rides along as a window count, so the match runs once for page and total.
    exact = case((hits.c.sort_key == fold(q or ""), 0), else_=1)
    ranked = conn.execute(select(hits.c.title_id, func.count().over().label("total")).order_by(
        exact, hits.c.score.desc(), hits.c.sort_key, hits.c.title_id
    ).offset(offset).limit(limit)).all()
    page = [r.title_id for r in ranked]
    if ranked:
        total = int(ranked[0].total)
    else:  # past the last page (or nothing matched): count on its own
        total = int(conn.scalar(select(func.count()).select_from(hits)) or 0) if offset else 0
    found = {r["title_id"]: dict(r) for r in conn.execute(
        select(titles).where(titles.c.title_id.in_(page))).mappings()} if page else {}
    result = SearchResult([found[t] for t in page if t in found], total)
    if with_facets:
        result.facets = facet_counts(conn, hits)
    return result


def volumes_of(conn: Connection, title_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each title's volumes (copies with an enumeration): copies and copies available."""
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in title_ids}
    if not title_ids:
        return out
    available = func.sum(case((copies.c.status == "available", 1), else_=0))
    rows = conn.execute(
        select(copies.c.title_id, copies.c.enumeration, func.count(), available)
        .where(copies.c.title_id.in_(title_ids), copies.c.enumeration.is_not(None),
               copies.c.status != "withdrawn")
        .group_by(copies.c.title_id, copies.c.enumeration)
        .order_by(copies.c.title_id, func.length(copies.c.enumeration), copies.c.enumeration)
    ).all()
    for title_id, enumeration, n, free in rows:
        out[title_id].append({"enumeration": enumeration, "copies": int(n),
                              "available": int(free or 0)})
    return out


def facet_counts(conn: Connection, hits: Subquery) -> dict[str, list[tuple[Any, int]]]:
    """Counts of the matching titles per class, format, language, year and branch."""
    out: dict[str, list[tuple[Any, int]]] = {name: [] for name in FACETS}
    cols = [hits.c[name] for name in FACETS]
    if conn.dialect.name == "postgresql":
        # One pass over the matches for every facet: GROUPING SETS ((cls), (format), ...).
        sets = func.grouping_sets(*[col for col in cols])
        query = select(*cols, func.count()).group_by(sets)
        counted: list[tuple[str, Any, int]] = []
        for row in conn.execute(query):
            for name, value in zip(FACETS, row[:-1], strict=True):
                if value is not None:
                    counted.append((name, value, int(row[-1])))
        for name, value, n in counted:
            out[name].append((value, n))
    else:
        for name, col in zip(FACETS, cols, strict=True):
            rows = conn.execute(select(col, func.count()).where(col.is_not(None))
                                .group_by(col)).all()
            out[name] = [(value, int(n)) for value, n in rows]
    for name in FACETS:  # most frequent first, then by value
        out[name].sort(key=lambda vn: (-vn[1], str(vn[0])))
    rows = conn.execute(
        select(copies.c.branch, func.count(func.distinct(copies.c.title_id)))
        .select_from(hits.join(copies, copies.c.title_id == hits.c.title_id))
        .where(copies.c.status == "available").group_by(copies.c.branch)
        .order_by(func.count(func.distinct(copies.c.title_id)).desc(), copies.c.branch)).all()
    out["branch"] = [(b, int(n)) for b, n in rows]
    return out
