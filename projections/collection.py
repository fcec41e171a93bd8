"""Read model: the collection as the reports see it (issue 10).

Titles with their classes, copies with the spans of time they were in the holdings, every
checkout and renewal with its business time, and every hold with when it was placed and
ended. The collection reports (projections/collection_use.py, collection_stock.py,
collection_holds.py) answer from these tables only, for today or any past date.

Times are business times (``opened_at``, ``renewed_at``, ``placed_at``, ``added_at``, ...);
copy events written before they carried one (CopyAdded v2, CopyWithdrawn/MarkedLost/Found v1)
fall back to the time they were recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

from events.catalogue import (
    CopyAdded,
    CopyFound,
    CopyMarkedLost,
    CopyWithdrawn,
    TitleCatalogued,
    TitleUpdated,
)
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

SCHEMES = ("clc", "ddc", "lcc")

coll_titles = Table(
    "rm_coll_titles",
    metadata,
    Column("title_id", String(64), primary_key=True),
    Column("title", String(500), nullable=False),
    Column("year", Integer),
    Column("clc_class", String(64)),
    Column("classes", JSON),
    Column("other_classes", JSON),
    Column("clc", String(8), nullable=False),  # report class keys (see class_keys)
    Column("ddc", String(8)),
    Column("lcc", String(8)),
)

coll_copies = Table(
    "rm_coll_copies",
    metadata,
    Column("barcode", String(64), primary_key=True),
    Column("title_id", String(64), nullable=False, index=True),
    Column("branch", String(64), nullable=False),
    Column("item_type", String(32), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

# When a copy was part of the holdings: from being added (or found) until withdrawn or lost.
coll_spans = Table(
    "rm_coll_spans",
    metadata,
    Column("barcode", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True)),
)

coll_loans = Table(
    "rm_coll_loans",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("barcode", String(64), nullable=False, index=True),
    Column("title_id", String(64), nullable=False, index=True),
    Column("opened_at", DateTime(timezone=True), nullable=False, index=True),
    # Indexed so a past date finds the loans that ended after it (projections/collection_scope.py).
    Column("closed_at", DateTime(timezone=True), index=True),
)

coll_renewals = Table(
    "rm_coll_renewals",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("renewals_used", Integer, primary_key=True),
    Column("barcode", String(64), nullable=False, index=True),
    Column("renewed_at", DateTime(timezone=True), nullable=False, index=True),
)

# Each copy's circulation to date: what the per-copy reports need for today, one row a copy
# whatever the length of the history. A past date recounts from rm_coll_loans only the
# copies that circulated after it.
coll_copy_use = Table(
    "rm_coll_copy_use",
    metadata,
    Column("barcode", String(64), primary_key=True),
    Column("circulations", Integer, nullable=False),
    Column("renewals", Integer, nullable=False),
    Column("open_loans", Integer, nullable=False),
    Column("last_opened_at", DateTime(timezone=True)),
    Column("last_closed_at", DateTime(timezone=True)),
)

coll_holds = Table(
    "rm_coll_holds",
    metadata,
    Column("hold_id", String(64), primary_key=True),
    Column("title_id", String(64), nullable=False, index=True),
    Column("pickup_branch", String(64), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    # Indexed: the holds active on a date are those not ended by then (most have ended).
    Column("ended_at", DateTime(timezone=True), index=True),
)

_LCC = re.compile(r"[A-Z]{1,3}")


def clc_key(value: str | None) -> str:
    """CLC main class (one letter; T by its two-letter subclass, TP, TN, ...), or '?'."""
    text = (value or "").strip().upper()
    if not text or not text[0].isalpha() or not text[0].isascii():
        return "?"
    if text[0] == "T" and len(text) > 1 and text[1].isalpha() and text[1].isascii():
        return text[:2]
    return text[0]


def ddc_key(value: str | None) -> str | None:
    """Dewey hundreds ('895.1' -> '800'), or None when there is no Dewey number."""
    text = (value or "").strip()
    return f"{text[0]}00" if text[:1].isdigit() and text[:1].isascii() else None


def lcc_key(value: str | None) -> str | None:
    """LC class letters ('QA76.73' -> 'QA'), or None when there is no LC number."""
    match = _LCC.match((value or "").strip().upper())
    return match.group(0) if match else None


def _scheme_value(scheme: str, classes: Iterable[Mapping[str, Any]] | None,
                  other: Mapping[str, Any] | None, aliases: tuple[str, ...]) -> str | None:
    for entry in classes or ():
        if entry.get("scheme") == scheme and entry.get("value"):
            return str(entry["value"])
    for alias in aliases:
        if other and other.get(alias):
            return str(other[alias])
    return None


def class_keys(clc_class: str | None, classes: Iterable[Mapping[str, Any]] | None,
               other_classes: Mapping[str, Any] | None) -> dict[str, str | None]:
    """A title's report class under each scheme (CLC always, '?' when unclassified)."""
    classes = list(classes or ())
    clc = clc_class or _scheme_value("clc", classes, None, ())
    return {
        "clc": clc_key(clc),
        "ddc": ddc_key(_scheme_value("ddc", classes, other_classes, ("ddc", "dewey"))),
        "lcc": lcc_key(_scheme_value("lcc", classes, other_classes, ("lcc", "lc"))),
    }


def _title_row(values: Mapping[str, Any]) -> dict[str, Any]:
    classes = [dict(c) for c in values.get("classes") or ()]
    other = dict(values["other_classes"]) if values.get("other_classes") else None
    return {"title": values.get("title") or "", "year": values.get("year"),
            "clc_class": values.get("clc_class"), "classes": classes, "other_classes": other,
            **class_keys(values.get("clc_class"), classes, other)}


class Collection(Projection):
    name = "collection"
    tables = (coll_titles, coll_copies, coll_spans, coll_loans, coll_renewals, coll_holds,
              coll_copy_use)

    @handles(TitleCatalogued)
    def catalogued(self, conn: Connection, e: TitleCatalogued, s: StoredEvent) -> None:
        conn.execute(coll_titles.insert(), {"title_id": e.title_id, **_title_row({
            "title": e.title, "year": e.year, "clc_class": e.clc_class,
            "classes": e.classes, "other_classes": e.other_classes})})

    @handles(TitleUpdated)
    def updated(self, conn: Connection, e: TitleUpdated, s: StoredEvent) -> None:
        wanted = ("title", "year", "clc_class", "classes", "other_classes")
        if not any(k in e.changes for k in wanted):
            return
        current = conn.execute(select(coll_titles).where(coll_titles.c.title_id == e.title_id)
                               ).mappings().first()
        if current is None:
            return
        merged = {**dict(current), **{k: v for k, v in e.changes.items() if k in wanted}}
        conn.execute(update(coll_titles).where(coll_titles.c.title_id == e.title_id)
                     .values(_title_row(merged)))

    @handles(CopyAdded)
    def copy_added(self, conn: Connection, e: CopyAdded, s: StoredEvent) -> None:
        at = _utc(e.added_at or s.recorded_at)
        conn.execute(coll_copies.insert(), {"barcode": e.barcode, "title_id": e.title_id,
                                            "branch": e.branch, "item_type": e.item_type,
                                            "added_at": at})
        conn.execute(coll_spans.insert(), {"barcode": e.barcode, "seq": 1, "start_at": at,
                                           "end_at": None})

    @handles(CopyWithdrawn, CopyMarkedLost)
    def left(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        at = _utc(getattr(e, "withdrawn_at", None) or getattr(e, "lost_at", None)
                  or s.recorded_at)
        conn.execute(update(coll_spans).where(coll_spans.c.barcode == e.barcode,
                                              coll_spans.c.end_at.is_(None))
                     .values(end_at=at))
        if getattr(e, "loan_id", None):  # a copy lost on loan ends that loan (no LoanClosed)
            _close(conn, e.loan_id, at)

    @handles(CopyFound)
    def found(self, conn: Connection, e: CopyFound, s: StoredEvent) -> None:
        open_span = conn.scalar(select(func.count()).select_from(coll_spans).where(
            coll_spans.c.barcode == e.barcode, coll_spans.c.end_at.is_(None)))
        last = conn.scalar(select(func.max(coll_spans.c.seq)).where(
            coll_spans.c.barcode == e.barcode))
        if open_span or last is None:  # still held, or a copy we never saw added
            return
        conn.execute(coll_spans.insert(), {"barcode": e.barcode, "seq": last + 1,
                                           "start_at": _utc(e.found_at or s.recorded_at),
                                           "end_at": None})

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        conn.execute(coll_loans.insert(), {"loan_id": e.loan_id, "barcode": e.barcode,
                                           "title_id": e.title_id, "opened_at": _utc(e.opened_at),
                                           "closed_at": None})
        _count_use(conn, e.barcode, opened=_utc(e.opened_at))
        if e.hold_id:  # the hold ends when its reader takes the copy home
            conn.execute(update(coll_holds).where(coll_holds.c.hold_id == e.hold_id)
                         .values(ended_at=_utc(e.opened_at)))

    @handles(LoanClosed)
    def closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        _close(conn, e.loan_id, _utc(e.closed_at))

    @handles(LoanRenewed)
    def renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        conn.execute(coll_renewals.insert(), {"loan_id": e.loan_id,
                                              "renewals_used": e.renewals_used,
                                              "barcode": e.barcode, "renewed_at": _utc(e.renewed_at)})
        _count_use(conn, e.barcode, renewed=True)

    @handles(HoldPlaced)
    def placed(self, conn: Connection, e: HoldPlaced, s: StoredEvent) -> None:
        conn.execute(coll_holds.insert(), {"hold_id": e.hold_id, "title_id": e.title_id,
                                           "pickup_branch": e.pickup_branch,
                                           "placed_at": _utc(e.placed_at), "ended_at": None})

    @handles(HoldExpired, HoldCancelled, HoldFulfilled)
    def hold_ended(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        at = getattr(e, "expired_at", None) or getattr(e, "cancelled_at", None) or s.recorded_at
        conn.execute(update(coll_holds).where(coll_holds.c.hold_id == e.hold_id,
                                              coll_holds.c.ended_at.is_(None))
                     .values(ended_at=_utc(at)))


def _utc(moment: datetime) -> datetime:
    # Stored as UTC on both back ends, so SQLite's text comparison orders them correctly.
    return moment.astimezone(UTC)


def _close(conn: Connection, loan_id: str, at: datetime) -> None:
    loan = conn.execute(select(coll_loans.c.barcode, coll_loans.c.closed_at)
                        .where(coll_loans.c.loan_id == loan_id)).first()
    if loan is None or loan.closed_at is not None:  # unknown, or ended already (lost, then closed)
        return
    conn.execute(update(coll_loans).where(coll_loans.c.loan_id == loan_id).values(closed_at=at))
    _count_use(conn, loan.barcode, closed=at)


def utc(moment: datetime | None) -> datetime | None:
    """An aware UTC instant (SQLite hands back naive UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _later(a: datetime | None, b: datetime) -> datetime:
    a = utc(a)
    return b if a is None else max(a, b)


def _count_use(conn: Connection, barcode: str, *, opened: datetime | None = None,
               closed: datetime | None = None, renewed: bool = False) -> None:
    """Add one checkout, return or renewal to the copy's totals. Counts and latest times
    commute, so the totals are the same whatever order the log delivers a backfill in."""
    row = conn.execute(select(coll_copy_use).where(coll_copy_use.c.barcode == barcode)
                       ).mappings().first()
    use: dict[str, Any] = dict(row) if row is not None else {
        "barcode": barcode, "circulations": 0, "renewals": 0, "open_loans": 0,
        "last_opened_at": None, "last_closed_at": None}
    if opened is not None:
        use["circulations"] += 1
        use["open_loans"] += 1
        use["last_opened_at"] = _later(use["last_opened_at"], opened)
    if closed is not None:
        use["open_loans"] -= 1
        use["last_closed_at"] = _later(use["last_closed_at"], closed)
    if renewed:
        use["renewals"] += 1
    if row is None:
        conn.execute(coll_copy_use.insert(), use)
    else:
        conn.execute(update(coll_copy_use).where(coll_copy_use.c.barcode == barcode)
                     .values({k: v for k, v in use.items() if k != "barcode"}))
