"""Read model: guardians and their children; classes, pupils, reading lists and progress.

Progress counts what pupils borrow from their class's list while they are in the class and
the title is on the list: a LoanOpened of a listed title by a pupil marks it borrowed, its
LoanClosed returned. Earlier loans are not counted (the list did not exist then), so the
table is a pure fold of the log in order and a rebuild equals the incremental build.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    delete,
    select,
    update,
)

from events.families import (
    ClassCreated,
    ClassPupilsSet,
    GuardianLinked,
    GuardianUnlinked,
    ReadingListSet,
)
from events.loans import LoanClosed, LoanOpened
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

guardians = Table(
    "rm_guardians",
    metadata,
    Column("guardian_id", String(64), primary_key=True),
    Column("child_id", String(64), primary_key=True),
    Column("via", String(16), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
)

classes = Table(
    "rm_classes",
    metadata,
    Column("class_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("school", String(200), nullable=False),
    Column("teacher", String(64), nullable=False, index=True),
    Column("card_reader_id", String(64)),
    Column("list_name", String(200), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

class_pupils = Table(
    "rm_class_pupils",
    metadata,
    Column("class_id", String(64), primary_key=True),
    Column("reader_id", String(64), primary_key=True, index=True),
    Column("place", Integer, nullable=False),
)

class_titles = Table(
    "rm_class_titles",
    metadata,
    Column("class_id", String(64), primary_key=True),
    Column("title_id", String(64), primary_key=True),
    Column("place", Integer, nullable=False),
)

class_progress = Table(
    "rm_class_progress",
    metadata,
    Column("class_id", String(64), primary_key=True),
    Column("reader_id", String(64), primary_key=True),
    Column("title_id", String(64), primary_key=True),
    Column("on_loan", Boolean, nullable=False),
    Column("returned", Boolean, nullable=False),
    Column("borrows", Integer, nullable=False),
    Column("first_borrowed_at", DateTime(timezone=True), nullable=False),
    Column("last_returned_at", DateTime(timezone=True)),
)


def _classes_listing(conn: Connection, reader_id: str, title_id: str) -> list[str]:
    """Classes that have this reader as a pupil and this title on their list."""
    query = (select(class_pupils.c.class_id)
             .join(class_titles, class_titles.c.class_id == class_pupils.c.class_id)
             .where(class_pupils.c.reader_id == reader_id, class_titles.c.title_id == title_id)
             .order_by(class_pupils.c.class_id))
    return [r[0] for r in conn.execute(query)]


def _key(class_id: str, reader_id: str, title_id: str) -> Any:
    return and_(class_progress.c.class_id == class_id, class_progress.c.reader_id == reader_id,
                class_progress.c.title_id == title_id)


class Families(Projection):
    name = "families"
    tables = (guardians, classes, class_pupils, class_titles, class_progress)

    @handles(GuardianLinked)
    def linked(self, conn: Connection, e: GuardianLinked, s: StoredEvent) -> None:
        conn.execute(guardians.insert(), dict(guardian_id=e.guardian_id, child_id=e.child_id,
                                              via=e.via, linked_at=e.linked_at))

    @handles(GuardianUnlinked)
    def unlinked(self, conn: Connection, e: GuardianUnlinked, s: StoredEvent) -> None:
        conn.execute(delete(guardians).where(guardians.c.guardian_id == e.guardian_id,
                                             guardians.c.child_id == e.child_id))

    @handles(ClassCreated)
    def class_created(self, conn: Connection, e: ClassCreated, s: StoredEvent) -> None:
        conn.execute(classes.insert(), dict(
            class_id=e.class_id, name=e.name, school=e.school, teacher=e.teacher,
            card_reader_id=e.card_reader_id, list_name="", created_at=e.created_at))

    @handles(ClassPupilsSet)
    def pupils_set(self, conn: Connection, e: ClassPupilsSet, s: StoredEvent) -> None:
        conn.execute(delete(class_pupils).where(class_pupils.c.class_id == e.class_id))
        if e.pupils:
            conn.execute(class_pupils.insert(), [dict(class_id=e.class_id, reader_id=r, place=n)
                                                 for n, r in enumerate(e.pupils)])

    @handles(ReadingListSet)
    def list_set(self, conn: Connection, e: ReadingListSet, s: StoredEvent) -> None:
        conn.execute(update(classes).where(classes.c.class_id == e.class_id)
                     .values(list_name=e.name))
        conn.execute(delete(class_titles).where(class_titles.c.class_id == e.class_id))
        if e.title_ids:
            conn.execute(class_titles.insert(), [dict(class_id=e.class_id, title_id=t, place=n)
                                                 for n, t in enumerate(e.title_ids)])

    @handles(LoanOpened)
    def loan_opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        for class_id in _classes_listing(conn, e.reader_id, e.title_id):
            key = _key(class_id, e.reader_id, e.title_id)
            if conn.execute(select(class_progress.c.borrows).where(key)).first() is None:
                conn.execute(class_progress.insert(), dict(
                    class_id=class_id, reader_id=e.reader_id, title_id=e.title_id,
                    on_loan=True, returned=False, borrows=1, first_borrowed_at=e.opened_at))
            else:
                conn.execute(update(class_progress).where(key).values(
                    on_loan=True, borrows=class_progress.c.borrows + 1))

    @handles(LoanClosed)
    def loan_closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        conn.execute(update(class_progress)
                     .where(class_progress.c.reader_id == e.reader_id,
                            class_progress.c.title_id == e.title_id,
                            class_progress.c.on_loan.is_(True))
                     .values(on_loan=False, returned=True, last_returned_at=e.closed_at))


# --- queries -------------------------------------------------------------------------------


def _aware(row: Any, name: str) -> dict[str, Any]:
    out = dict(row)
    moment = out.get(name)
    if isinstance(moment, datetime) and moment.tzinfo is None:
        out[name] = moment.replace(tzinfo=UTC)  # SQLite keeps naive UTC
    return out


def list_children(conn: Connection, guardian_id: str) -> list[dict[str, Any]]:
    query = (select(guardians).where(guardians.c.guardian_id == guardian_id)
             .order_by(guardians.c.linked_at, guardians.c.child_id))
    return [_aware(r, "linked_at") for r in conn.execute(query).mappings()]


def list_classes(conn: Connection, teacher: str | None = None,
                 pupil: str | None = None) -> list[dict[str, Any]]:
    """Classes (of one teacher, or with one pupil, or all), each with its counts."""
    query = select(classes).order_by(classes.c.school, classes.c.name, classes.c.class_id)
    if teacher is not None:
        query = query.where(classes.c.teacher == teacher)
    if pupil is not None:
        query = query.where(classes.c.class_id.in_(
            select(class_pupils.c.class_id).where(class_pupils.c.reader_id == pupil)))
    return [_aware(r, "created_at") for r in conn.execute(query).mappings()]


def get_class(conn: Connection, class_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(classes).where(classes.c.class_id == class_id)).mappings().first()
    if row is None:
        return None
    pupils = conn.execute(select(class_pupils.c.reader_id).where(
        class_pupils.c.class_id == class_id).order_by(class_pupils.c.place)).scalars().all()
    titles = conn.execute(select(class_titles.c.title_id).where(
        class_titles.c.class_id == class_id).order_by(class_titles.c.place)).scalars().all()
    return {**_aware(row, "created_at"), "pupils": list(pupils), "title_ids": list(titles)}


def class_progress_rows(conn: Connection, class_id: str) -> list[dict[str, Any]]:
    """Progress rows of the class's current pupils on its current list."""
    query = (select(class_progress)
             .join(class_pupils, and_(class_pupils.c.class_id == class_progress.c.class_id,
                                      class_pupils.c.reader_id == class_progress.c.reader_id))
             .join(class_titles, and_(class_titles.c.class_id == class_progress.c.class_id,
                                      class_titles.c.title_id == class_progress.c.title_id))
             .where(class_progress.c.class_id == class_id))
    return [dict(r) for r in conn.execute(query).mappings()]
