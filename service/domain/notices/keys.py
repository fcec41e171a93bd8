"""Deterministic notice keys and the Message-IDs derived from them.

A key names one notice that must reach a reader at most once. Everything that decides
whether a notice is "the same" is in the key: an overdue key carries the due date, so a
renewal (new due date) starts a new series and the stale one is simply never due again.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

from service.domain.notices.kinds import MARKETING_KINDS, NoticeKind

_COMPONENT = re.compile(r"^[^\s:]+$")  # ':' separates components, so it may not appear in one
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_MESSAGE_ID_HEX = 32  # 128 bits of SHA-256: collisions are not a practical concern

# Which arguments each kind needs; anything else passed is a caller bug and is refused.
_NEEDS: dict[NoticeKind, tuple[str, ...]] = {
    NoticeKind.reservation_ready: ("hold_id", "ref"),
    NoticeKind.pickup_reminder: ("hold_id", "due_date", "offset_days"),
    NoticeKind.due_soon: ("loan_id", "due_date", "offset_days"),
    NoticeKind.overdue: ("loan_id", "due_date", "offset_days"),
    NoticeKind.hold_expired: ("hold_id",),
    NoticeKind.hold_cancelled: ("hold_id",),
    NoticeKind.fine_assessed: ("ref",),
    NoticeKind.feedback_answered: ("ref",),
    NoticeKind.suggestion_decided: ("ref",),
    NoticeKind.activity_reminder: ("ref",),  # ref: "<activity_id>.<reader_id>", sent once
}


def _component(name: str, value: object) -> str:
    text = str(value)
    if isinstance(value, bool) or not isinstance(value, int | str) or not _COMPONENT.match(text):
        raise ValueError(f"{name} must be a non-empty id without ':' or spaces, got {value!r}")
    return text


def _iso_date(name: str, value: object) -> str:
    # datetime is a subclass of date; its isoformat would silently make a different key.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{name} must be a datetime.date, got {value!r}")
    return value.isoformat()


def notice_key(
    kind: NoticeKind | str,
    *,
    loan_id: int | str | None = None,
    hold_id: int | str | None = None,
    due_date: date | None = None,
    offset_days: int | None = None,
    ref: int | str | None = None,
) -> str:
    """Return the deterministic key of one notice, e.g. 'overdue:<loan_id>:2026-12-03:+7'.

    reservation_ready: hold_id + ref (position of the HoldTrapped event);
    pickup_reminder: hold_id + due_date (pickup deadline) + offset_days before it;
    due_soon: loan_id + due_date + offset_days before it;
    overdue: loan_id + due_date + offset_days after it (>= 1);
    hold_expired, hold_cancelled: hold_id;
    fine_assessed, feedback_answered, suggestion_decided: ref (id of the triggering event);
    activity_reminder: ref "<activity_id>.<reader_id>" (one reminder per reader per activity).
    """
    kind = NoticeKind(kind)
    if kind is NoticeKind.digest:
        raise ValueError("digest notices are keyed per reader and day: use digest_key()")
    if kind in MARKETING_KINDS:
        raise ValueError("campaign notices are keyed per campaign and reader: use campaign_key()")
    given = {
        "loan_id": loan_id, "hold_id": hold_id, "due_date": due_date,
        "offset_days": offset_days, "ref": ref,
    }
    needed = _NEEDS[kind]
    missing = [n for n in needed if given[n] is None]
    extra = [n for n, v in given.items() if v is not None and n not in needed]
    if missing or extra:
        raise ValueError(f"{kind.value} key needs {needed}; missing {missing}, unexpected {extra}")
    parts = [kind.value]
    for name in needed:
        value = given[name]
        if name == "due_date":
            parts.append(_iso_date(name, value))
        elif name == "offset_days":
            parts.append(_offset(kind, value))
        else:
            parts.append(_component(name, value))
    return ":".join(parts)


def _offset(kind: NoticeKind, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"offset_days must be an int, got {value!r}")
    if kind is NoticeKind.overdue:
        if value < 1:
            raise ValueError("an overdue notice is at least 1 day after the due date")
        return f"+{value}"
    if value < 0:
        raise ValueError("offset_days counts days before the date and must be >= 0")
    return f"-{value}"


def digest_key(reader_id: int | str, day: date) -> str:
    """Return the key of a reader's daily digest, e.g. 'digest:<reader_id>:2026-12-03'."""
    return f"digest:{_component('reader_id', reader_id)}:{_iso_date('day', day)}"


def campaign_key(kind: NoticeKind | str, campaign_id: str, reader_id: str) -> str:
    """The one notice of a campaign to a reader, e.g. 'campaign_we_miss_you:<campaign>:<reader>'."""
    kind = NoticeKind(kind)
    if kind not in MARKETING_KINDS:
        raise ValueError(f"{kind.value} is not a campaign kind")
    return (f"{kind.value}:{_component('campaign_id', campaign_id)}:"
            f"{_component('reader_id', reader_id)}")


def resend_key(key: str, ref: int | str) -> str:
    """Return the key of an explicit staff resend of `key` (ref: the resend request id)."""
    return f"{key}:resend:{_component('ref', ref)}"


def message_id(key: str, domain: str) -> str:
    """Return the Message-ID '<sha256-hex-prefix@domain>' for a key; same key, same id."""
    if not key:
        raise ValueError("key must not be empty")
    host = domain.strip().lower()
    if not _DOMAIN.match(host):
        raise ValueError(f"domain must be an ASCII host name (punycode for IDN), got {domain!r}")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:_MESSAGE_ID_HEX]
    return f"<{digest}@{host}>"
