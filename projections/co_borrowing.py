"""Read model: co-borrowing counts and the nightly item-kNN recommendations built from them.

Only readers who keep a reading history are counted in pairs: a reader who switched history
off (or was erased) is taken out of every pair and every reader count, and loses their
recommendations. Loans per title (popularity) count every loan: a total per title names no
one. Pairs are counted once per reader (a title borrowed twice by one reader is one reader).
A ``recommendations.refreshed`` event recomputes the lists from this projection's own tables
as they stand at that event, so an incremental build equals a rebuild.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
from scipy import sparse
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Float,
    Integer,
    String,
    Table,
    bindparam,
    select,
    update,
)

from events.insights import RecommendationsRefreshed
from events.loans import LoanOpened
from events.readers import ReaderErased, ReaderPreferencesChanged, ReaderRegistered
from events.store import StoredEvent
from projections import item_knn
from projections.base import Projection, handles
from projections.schema import metadata

cob_keepers = Table(
    "rm_cob_keepers", metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("keep", Boolean, nullable=False),
)

cob_reader_titles = Table(  # keepers only: which titles each reader has had, first day
    "rm_cob_reader_titles", metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("title_id", String(64), primary_key=True, index=True),
    Column("first_on", Date, nullable=False),
)

cob_pairs = Table(  # title_a < title_b: readers (keepers) who borrowed both
    "rm_cob_pairs", metadata,
    Column("title_a", String(64), primary_key=True),
    Column("title_b", String(64), primary_key=True, index=True),
    Column("readers", Integer, nullable=False),
)

cob_titles = Table(
    "rm_cob_titles", metadata,
    Column("title_id", String(64), primary_key=True),
    Column("readers", Integer, nullable=False),  # distinct keepers who borrowed it
    Column("loans", Integer, nullable=False),  # every loan, every reader
)

recommendations = Table(
    "rm_recommendations", metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("rank", Integer, primary_key=True, autoincrement=False),
    Column("title_id", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("as_of", Date, nullable=False),
)

_PAIR_ADD = (update(cob_pairs).where(cob_pairs.c.title_a == bindparam("a"),
                                     cob_pairs.c.title_b == bindparam("b"))
             .values(readers=cob_pairs.c.readers + bindparam("d")))


class CoBorrowing(Projection):
    name = "co_borrowing"
    personal = False  # no handler reads a personal field (reader ids only)
    tables = (cob_keepers, cob_reader_titles, cob_pairs, cob_titles, recommendations)

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    @handles(ReaderRegistered)
    def registered(self, conn: Connection, e: ReaderRegistered, s: StoredEvent) -> None:
        conn.execute(cob_keepers.insert(), dict(reader_id=e.reader_id, keep=e.keep_history))

    @handles(ReaderPreferencesChanged)
    def preferences(self, conn: Connection, e: ReaderPreferencesChanged, s: StoredEvent) -> None:
        conn.execute(update(cob_keepers).where(cob_keepers.c.reader_id == e.reader_id)
                     .values(keep=e.keep_history))
        if not e.keep_history:
            forget_reader(conn, e.reader_id)

    @handles(ReaderErased)
    def erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        conn.execute(update(cob_keepers).where(cob_keepers.c.reader_id == e.reader_id)
                     .values(keep=False))
        forget_reader(conn, e.reader_id)

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        if conn.execute(update(cob_titles).where(cob_titles.c.title_id == e.title_id)
                        .values(loans=cob_titles.c.loans + 1)).rowcount == 0:
            conn.execute(cob_titles.insert(), dict(title_id=e.title_id, readers=0, loans=1))
        keeps = conn.scalar(select(cob_keepers.c.keep)
                            .where(cob_keepers.c.reader_id == e.reader_id))
        if not keeps:
            return
        had = set(conn.scalars(select(cob_reader_titles.c.title_id)
                               .where(cob_reader_titles.c.reader_id == e.reader_id)))
        if e.title_id in had:
            return
        conn.execute(cob_reader_titles.insert(), dict(
            reader_id=e.reader_id, title_id=e.title_id, first_on=self._day(e.opened_at)))
        conn.execute(update(cob_titles).where(cob_titles.c.title_id == e.title_id)
                     .values(readers=cob_titles.c.readers + 1))
        _add_pairs(conn, e.title_id, sorted(had))

    @handles(RecommendationsRefreshed)
    def refreshed(self, conn: Connection, e: RecommendationsRefreshed, s: StoredEvent) -> None:
        conn.execute(recommendations.delete())
        rows = compute_recommendations(conn, e.neighbours, e.keep)
        if rows:
            conn.execute(recommendations.insert(), [
                dict(reader_id=r, rank=rank, title_id=t, score=score, as_of=e.as_of)
                for r, rank, t, score in rows])


def _add_pairs(conn: Connection, title_id: str, others: list[str]) -> None:
    """One more reader had ``title_id`` and each of ``others``."""
    if not others:
        return
    existing = {(a, b) for a, b in conn.execute(
        select(cob_pairs.c.title_a, cob_pairs.c.title_b).where(
            (cob_pairs.c.title_a == title_id) | (cob_pairs.c.title_b == title_id)))}
    pairs = [(min(title_id, o), max(title_id, o)) for o in others]
    known = [dict(a=a, b=b, d=1) for a, b in pairs if (a, b) in existing]
    new = [dict(title_a=a, title_b=b, readers=1) for a, b in pairs if (a, b) not in existing]
    if known:
        conn.execute(_PAIR_ADD, known)
    if new:
        conn.execute(cob_pairs.insert(), new)


def forget_reader(conn: Connection, reader_id: str) -> None:
    """Take a reader out of every count and drop their recommendations."""
    had = sorted(conn.scalars(select(cob_reader_titles.c.title_id)
                              .where(cob_reader_titles.c.reader_id == reader_id)))
    pairs = [dict(a=a, b=b, d=-1) for i, a in enumerate(had) for b in had[i + 1:]]
    if pairs:  # every pair of theirs exists, so only updates happen
        conn.execute(_PAIR_ADD, pairs)
        conn.execute(cob_pairs.delete().where(cob_pairs.c.readers <= 0))
    if had:
        conn.execute(update(cob_titles).where(cob_titles.c.title_id == bindparam("t"))
                     .values(readers=cob_titles.c.readers - 1), [{"t": t} for t in had])
    conn.execute(cob_reader_titles.delete().where(cob_reader_titles.c.reader_id == reader_id))
    conn.execute(recommendations.delete().where(recommendations.c.reader_id == reader_id))


MIN_LOANS = 3  # fewer titles than this: the popularity fallback, no personal list


def compute_recommendations(conn: Connection, k: int, keep: int
                            ) -> list[tuple[str, int, str, float]]:
    """(reader, rank, title, score) for every keeper with at least MIN_LOANS titles: item-kNN
    with cosine weighting over the pair counts, never a title the reader has had."""
    title_ids = sorted(conn.scalars(select(cob_titles.c.title_id)
                                    .where(cob_titles.c.readers > 0)))
    if not title_ids:
        return []
    index = {t: i for i, t in enumerate(title_ids)}
    readers = np.zeros(len(title_ids))
    for t, n in conn.execute(select(cob_titles.c.title_id, cob_titles.c.readers)
                             .where(cob_titles.c.readers > 0)):
        readers[index[t]] = n
    rows, cols, data = [], [], []
    for a, b, n in conn.execute(select(cob_pairs.c.title_a, cob_pairs.c.title_b,
                                       cob_pairs.c.readers)):
        if a in index and b in index:
            rows += [index[a], index[b]]
            cols += [index[b], index[a]]
            data += [n, n]
    size = len(title_ids)
    sim = item_knn.similarity(sparse.coo_matrix((data, (rows, cols)), shape=(size, size)),
                              readers, k)
    had: dict[str, list[int]] = {}
    for r, t in conn.execute(select(cob_reader_titles.c.reader_id, cob_reader_titles.c.title_id)
                             .order_by(cob_reader_titles.c.reader_id,
                                       cob_reader_titles.c.title_id)):
        if t in index:
            had.setdefault(r, []).append(index[t])
    out = []
    for reader_id in sorted(r for r, items in had.items() if len(items) >= MIN_LOANS):
        items = had[reader_id]
        x = sparse.csr_matrix((np.ones(len(items)), ([0] * len(items), items)), shape=(1, size))
        row = item_knn.scores(x, sim).toarray().ravel()
        for rank, i in enumerate(item_knn.top_items(row, items, keep), start=1):
            out.append((reader_id, rank, title_ids[i], round(float(row[i]), 6)))
    return out
