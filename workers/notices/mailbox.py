"""The `mailbox` channel: deliver a rendered notice into the local mailbox table.

It is the channel when no SMTP relay and no webhook gateway is configured in embedded mode,
so a fresh library shows its notices working (staff read them at /mailbox). Delivery is one
INSERT keyed by the notice key (a repeat after a crash is a no-op), then NoticeSent with
channel "mailbox", through the same send path as e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.engine import is_postgres, write_connection
from projections.notice_mailbox import mailbox, mailbox_row
from projections.notice_outbox import notice_id
from service.config import Config
from service.domain.notices.render import RenderedNotice

CHANNEL = "mailbox"
# The reader's own notices centre in the portal: the same table, read by the reader.
IN_APP = "in_app"


def uses_mailbox(config: Config) -> bool:
    """Embedded mode with neither SMTP nor a webhook configured: notices go to the mailbox."""
    return config.embedded and not config.smtp_host and not config.webhook_url


def mailbox_message_id(key: str) -> str:
    return f"mailbox:{notice_id(key)}"


def deliver_to_mailbox(engine: Engine, row: dict[str, Any], lang: str,
                       rendered: RenderedNotice, at: datetime) -> str:
    """Put one notice in the mailbox; return its message id."""
    key = row["notice_key"]
    store_in_mailbox(engine, [mailbox_row(notice_id(key), key, row["reader_id"], row["kind"],
                                          lang, rendered.subject, rendered.text, rendered.html,
                                          at)])
    return mailbox_message_id(key)


def store_in_mailbox(engine: Engine, rows: Sequence[dict[str, Any]]) -> None:
    """Insert mailbox rows; a key already delivered stays as it was."""
    if not rows:
        return
    insert = pg_insert if is_postgres(engine) else sqlite_insert
    with write_connection(engine) as conn, conn.begin():
        for start in range(0, len(rows), 500):
            stmt = insert(mailbox).values(list(rows[start:start + 500]))
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["notice_key"]))
