"""The built-in local mailbox: notices delivered to staff's screen instead of SMTP.

Used when no SMTP relay and no webhook gateway is configured (the embedded default), so a new
library sees its notices working. Like ``notice_leases`` this is an operational table, not a
fold: the mailbox channel writes a row (the rendered message) and then NoticeSent(channel
"mailbox") goes into the log. A rebuild of the projections leaves it alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, String, Table, Text, func, or_, select

from projections.reader_profiles import reader_profiles
from projections.schema import metadata

mailbox = Table(
    "notice_mailbox",
    metadata,
    Column("notice_id", String(32), primary_key=True),
    Column("notice_key", String(190), nullable=False, unique=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False, index=True),
)


def list_mailbox(conn: Connection, *, reader: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """A page of delivered messages, newest first, and the total count.

    ``reader`` is a reader id or a card number; each message names its recipient.
    """
    profiles = reader_profiles
    query = select(mailbox, profiles.c.card_number, profiles.c.name.label("reader_name")
                   ).outerjoin(profiles, profiles.c.reader_id == mailbox.c.reader_id)
    if reader is not None:
        query = query.where(or_(mailbox.c.reader_id == reader, profiles.c.card_number == reader))
    total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = conn.execute(query.order_by(mailbox.c.delivered_at.desc(), mailbox.c.notice_key)
                        .offset(offset).limit(limit)).mappings()
    return [dict(r) for r in rows], int(total)


def mailbox_row(notice_id: str, key: str, reader_id: str, kind: str, lang: str, subject: str,
                text: str, html: str, delivered_at: datetime) -> dict[str, Any]:
    """One row of the mailbox table (the shape writers insert)."""
    return {"notice_id": notice_id, "notice_key": key, "reader_id": reader_id, "kind": kind,
            "lang": lang, "subject": subject[:400], "text": text, "html": html,
            "delivered_at": delivered_at}
