"""Read model: titles with their copies and each copy's circulation status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    case,
    func,
    select,
    update,
)

from events.catalogue import (
    CopyAdded,
    CopyFound,
    CopyMarkedLost,
    CopyWithdrawn,
    TitleCatalogued,
    TitleUpdated,
    sort_title,
)
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import StoredEvent
from events.vocabulary import CopyStatus
from projections.base import Projection, handles
from projections.schema import metadata

titles = Table(
    "rm_titles",
    metadata,
    Column("title_id", String(64), primary_key=True),
    Column("title", String(500), nullable=False),
    Column("title_original", String(500)),
    Column("authors", JSON, nullable=False),
    Column("isbn", String(13), index=True),
    Column("publisher", String(300)),
    Column("year", Integer),
    Column("language", String(32)),
    Column("clc_class", String(64), index=True),
    Column("other_classes", JSON),
    Column("subjects", JSON, nullable=False),
    Column("source_keys", JSON, nullable=False),
    Column("catalogued_at", DateTime(timezone=True), nullable=False),
    Column("search_text", String(2000), nullable=False),
    # Title shape v2 (events.catalogue.TitleCatalogued): see docs/import-marc.md.
    Column("names", JSON),
    Column("classes", JSON),
    Column("variant_titles", JSON),
    Column("languages", JSON),
    Column("format", String(24)),
    Column("nonfiling", Integer),
    Column("sort_title", String(500), index=True),
    Column("series", JSON),
    Column("edition", String(200)),
    Column("pages", String(200)),
    Column("summary", Text),
    Column("publisher_original", String(300)),
)

copies = Table(
    "rm_copies",
    metadata,
    Column("barcode", String(64), primary_key=True),
    Column("title_id", String(64), nullable=False, index=True),
    Column("branch", String(64), nullable=False),
    Column("item_type", String(32), nullable=False),
    Column("shelf_mark", String(100)),
    Column("price_fen", Integer),
    Column("status", String(16), nullable=False),  # available on_loan trapped lost withdrawn
    Column("loan_id", String(64)),
    Column("reader_id", String(64)),
    Column("due_on", Date),
    Column("hold_id", String(64)),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("enumeration", String(64)),  # volume/part: "v.3"
    Column("chronology", String(64)),  # year/issue: "2024 no.5"
)

STATUSES = ("available", "on_loan", "trapped", "lost", "withdrawn")

# Built once: loans change copies thousands of times a day, so skip rebuilding statements.
_BY_BARCODE = update(copies).where(copies.c.barcode == bindparam("b"))
_LENT = _BY_BARCODE.values(status=CopyStatus.ON_LOAN, loan_id=bindparam("loan"),
                           reader_id=bindparam("reader"), due_on=bindparam("due"), hold_id=None)
_RENEWED = _BY_BARCODE.values(due_on=bindparam("due"))
_RETURNED = _BY_BARCODE.values(status=CopyStatus.AVAILABLE, loan_id=None, reader_id=None, due_on=None)


def title_search_text(values: dict[str, Any]) -> str:
    parts = [values.get("title"), values.get("title_original"), values.get("isbn")]
    parts += list(values.get("authors") or [])
    return " ".join(str(p).lower() for p in parts if p)


class Catalogue(Projection):
    name = "catalogue"
    tables = (titles, copies)

    @handles(TitleCatalogued)
    def catalogued(self, conn: Connection, e: TitleCatalogued, s: StoredEvent) -> None:
        row = {
            "title_id": e.title_id, "title": e.title, "title_original": e.title_original,
            "authors": list(e.authors), "isbn": e.isbn, "publisher": e.publisher,
            "year": e.year, "language": e.language, "clc_class": e.clc_class,
            "other_classes": e.other_classes, "subjects": list(e.subjects),
            "source_keys": list(e.source_keys), "catalogued_at": s.recorded_at,
            "names": [dict(n) for n in e.names], "classes": [dict(c) for c in e.classes],
            "variant_titles": list(e.variant_titles), "languages": list(e.languages),
            "format": e.format.value, "nonfiling": e.nonfiling,
            "sort_title": e.sort_title or sort_title(e.title, e.nonfiling),
            "series": list(e.series), "edition": e.edition, "pages": e.pages,
            "summary": e.summary, "publisher_original": e.publisher_original,
        }
        conn.execute(titles.insert(), dict(**row, search_text=title_search_text(row)))

    @handles(TitleUpdated)
    def updated(self, conn: Connection, e: TitleUpdated, s: StoredEvent) -> None:
        current = dict(
            conn.execute(select(titles).where(titles.c.title_id == e.title_id)).mappings().one()
        )
        changes = {k: (list(v) if isinstance(v, tuple) else v) for k, v in e.changes.items()
                   if k in titles.c}
        merged = {**current, **changes}
        # A title corrected by hand (no sort_title in the change) still files correctly.
        if ("title" in changes or "nonfiling" in changes) and "sort_title" not in changes:
            changes["sort_title"] = sort_title(merged["title"], merged.get("nonfiling") or 0)
        conn.execute(
            update(titles).where(titles.c.title_id == e.title_id)
            .values(**changes, search_text=title_search_text(merged))
        )

    @handles(CopyAdded)
    def copy_added(self, conn: Connection, e: CopyAdded, s: StoredEvent) -> None:
        conn.execute(copies.insert(), dict(
            barcode=e.barcode, title_id=e.title_id, branch=e.branch, item_type=e.item_type,
            shelf_mark=e.shelf_mark, price_fen=e.price_fen, status=CopyStatus.AVAILABLE,
            added_at=s.recorded_at, enumeration=e.enumeration, chronology=e.chronology,
        ))

    @handles(CopyWithdrawn)
    def withdrawn(self, conn: Connection, e: CopyWithdrawn, s: StoredEvent) -> None:
        _set(conn, e.barcode, status=CopyStatus.WITHDRAWN, loan_id=None, reader_id=None, due_on=None)

    @handles(CopyMarkedLost)
    def lost(self, conn: Connection, e: CopyMarkedLost, s: StoredEvent) -> None:
        _set(conn, e.barcode, status=CopyStatus.LOST, loan_id=None, due_on=None, hold_id=None)

    @handles(CopyFound)
    def found(self, conn: Connection, e: CopyFound, s: StoredEvent) -> None:
        _set(conn, e.barcode, status=CopyStatus.AVAILABLE, reader_id=None)

    @handles(LoanOpened)
    def loan_opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        conn.execute(_LENT, {"b": e.barcode, "loan": e.loan_id, "reader": e.reader_id,
                             "due": e.due_on})

    @handles(LoanRenewed)
    def loan_renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        conn.execute(_RENEWED, {"b": e.barcode, "due": e.due_on})

    @handles(LoanClosed)
    def loan_closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        # A copy marked lost and then returned comes back through CopyFound, not here.
        conn.execute(_RETURNED, {"b": e.barcode})

    @handles(HoldTrapped)
    def trapped(self, conn: Connection, e: HoldTrapped, s: StoredEvent) -> None:
        _set(conn, e.barcode, status=CopyStatus.TRAPPED, hold_id=e.hold_id, reader_id=e.reader_id,
             due_on=e.pickup_by)

    @handles(HoldExpired, HoldCancelled, HoldFulfilled)
    def released(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        if e.barcode is None:
            return
        # Only release the copy if it is still set aside for this very hold.
        conn.execute(
            update(copies)
            .where(copies.c.barcode == e.barcode, copies.c.hold_id == e.hold_id,
                   copies.c.status == CopyStatus.TRAPPED)
            .values(status=CopyStatus.AVAILABLE, hold_id=None, reader_id=None, due_on=None)
        )


def _set(conn: Connection, barcode: str, **values: Any) -> None:
    conn.execute(update(copies).where(copies.c.barcode == barcode).values(**values))


def availability_counts(conn: Connection, title_ids: list[str]) -> dict[str, dict[str, int]]:
    """Copies by status for each title (statuses with no copies are 0)."""
    result = {t: dict.fromkeys(STATUSES, 0) for t in title_ids}
    if not title_ids:
        return result
    rows = conn.execute(
        select(copies.c.title_id, copies.c.status, func.count())
        .where(copies.c.title_id.in_(title_ids))
        .group_by(copies.c.title_id, copies.c.status)
    ).all()
    for title_id, status, count in rows:
        result[title_id][status] = int(count)
    return result


def get_title(conn: Connection, title_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(titles).where(titles.c.title_id == title_id)).mappings().first()
    return dict(row) if row else None


def list_titles(
    conn: Connection, *, q: str | None = None, isbn: str | None = None,
    clc_class: str | None = None, offset: int = 0, limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """A page of titles matching the filters (substring search incl. Chinese) and the total."""
    query = select(titles)
    if q:
        query = query.where(titles.c.search_text.contains(q.lower(), autoescape=True))
    if isbn:
        query = query.where(titles.c.isbn == isbn)
    if clc_class:
        query = query.where(titles.c.clc_class.startswith(clc_class, autoescape=True))
    total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    # Exact title matches first, then by title, so "三体" finds 三体 before 三体II.
    exact = case((func.lower(titles.c.title) == (q or "").lower(), 0), else_=1)
    rows = conn.execute(query.order_by(exact, titles.c.title).offset(offset).limit(limit))
    return [dict(r) for r in rows.mappings()], int(total)


def get_copy(conn: Connection, barcode: str) -> dict[str, Any] | None:
    row = conn.execute(select(copies).where(copies.c.barcode == barcode)).mappings().first()
    return dict(row) if row else None


def list_copies(conn: Connection, title_id: str) -> list[dict[str, Any]]:
    # Volumes in order (v.1 before v.2), then barcode.
    rows = conn.execute(
        select(copies).where(copies.c.title_id == title_id)
        .order_by(copies.c.enumeration, copies.c.chronology, copies.c.barcode)
    ).mappings()
    return [dict(r) for r in rows]
