"""Self-check kiosk accounts (SIP2 logins), configured by an administrator.

Like staff accounts, kiosk passwords are secrets and stay out of the immutable log, hashed
with Argon2. A kiosk acts in the log as actor ``kiosk:<kiosk_id>`` on channel ``sip2``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Engine, String, Table, select, update

from events.engine import as_utc, write_connection
from service.application.accounts import hash_secret, metadata, verify_secret
from service.domain.errors import Conflict, Invalid, NotFound

kiosk_accounts = Table(
    "kiosk_accounts",
    metadata,
    Column("kiosk_id", String(64), primary_key=True),
    Column("login_user", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("institution_id", String(64), nullable=False),
    Column("location", String(64), nullable=False),
    Column("charset", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

CHARSETS = ("utf-8", "gb18030", "ibm850")
LANGUAGES = ("zh-CN", "en")
MIN_PASSWORD = 8
# SIP2 fields are separated by '|'; ids travel in them, so keep them to plain characters.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PUBLIC = ("kiosk_id", "login_user", "institution_id", "location", "charset", "language",
           "active", "created_at")


def _check_id(field: str, value: str) -> None:
    if not _ID.fullmatch(value):
        raise Invalid(f"invalid_{field}", f"{field} must be 1-64 letters, digits, '.', '_' or '-'.",
                      f"{field} 须为 1-64 个字母、数字、'.'、'_' 或 '-'。",
                      fields={field: ["Letters, digits, '.', '_' or '-' (at most 64)."]})


def _validate(kiosk_id: str, login_user: str, password: str, institution_id: str,
              location: str, charset: str, language: str) -> None:
    for name, value in (("kiosk_id", kiosk_id), ("login_user", login_user),
                        ("institution_id", institution_id), ("location", location)):
        _check_id(name, value)
    if len(password) < MIN_PASSWORD:
        raise Invalid("weak_password", "Password too short.", "密码太短。",
                      fields={"password": [f"At least {MIN_PASSWORD} characters."]})
    if charset not in CHARSETS:
        raise Invalid("invalid_charset", f"Unknown character set {charset!r}.",
                      f"未知字符集 {charset!r}。",
                      fields={"charset": [f"One of {', '.join(CHARSETS)}."]})
    if language not in LANGUAGES:
        raise Invalid("invalid_language", f"Unknown language {language!r}.",
                      f"未知语言 {language!r}。",
                      fields={"language": [f"One of {', '.join(LANGUAGES)}."]})


def create_kiosk(
    engine: Engine, *, kiosk_id: str, login_user: str, password: str, institution_id: str,
    location: str, now: datetime, charset: str = "utf-8", language: str = "zh-CN",
) -> dict[str, Any]:
    """Create a kiosk account (refuses a taken kiosk id or login user id)."""
    charset = charset.strip().lower()
    _validate(kiosk_id, login_user, password, institution_id, location, charset, language)
    with write_connection(engine) as conn, conn.begin():
        taken = conn.execute(select(kiosk_accounts.c.kiosk_id, kiosk_accounts.c.login_user).where(
            (kiosk_accounts.c.kiosk_id == kiosk_id) | (kiosk_accounts.c.login_user == login_user)
        )).first()
        if taken is not None:
            raise Conflict("kiosk_exists", "That kiosk id or login user id is taken.",
                           "该自助机编号或登录名已被使用。",
                           fields={"kiosk_id" if taken.kiosk_id == kiosk_id else "login_user":
                                   ["Already in use."]})
        row = {"kiosk_id": kiosk_id, "login_user": login_user, "institution_id": institution_id,
               "location": location, "charset": charset, "language": language, "active": True,
               "created_at": now}
        conn.execute(kiosk_accounts.insert().values(**row, password_hash=hash_secret(password)))
    return row


def list_kiosks(engine: Engine) -> list[dict[str, Any]]:
    """Every kiosk account, without password hashes, ordered by kiosk id."""
    columns = [kiosk_accounts.c[name] for name in _PUBLIC]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(kiosk_accounts.c.kiosk_id)).mappings()
        return [{**r, "created_at": as_utc(r["created_at"])} for r in rows]


def deactivate_kiosk(engine: Engine, kiosk_id: str) -> dict[str, Any]:
    """Disable a kiosk account; its next login is refused (idempotent)."""
    with write_connection(engine) as conn, conn.begin():
        changed = conn.execute(update(kiosk_accounts).where(kiosk_accounts.c.kiosk_id == kiosk_id)
                               .values(active=False)).rowcount
    if not changed:
        raise NotFound("kiosk_not_found", "Kiosk not found.", "未找到该自助机。")
    return next(k for k in list_kiosks(engine) if k["kiosk_id"] == kiosk_id)


def authenticate_kiosk(engine: Engine, login_user: str, password: str) -> dict[str, Any] | None:
    """The active kiosk account for these credentials, or None (no hint which part was wrong)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(kiosk_accounts).where(kiosk_accounts.c.login_user == login_user)
        ).mappings().first()
    # Always verify (against a dummy hash when unknown) so timing does not reveal user ids.
    if not verify_secret(row["password_hash"] if row else None, password) or row is None:
        return None
    if not row["active"]:
        return None
    return {name: row[name] for name in _PUBLIC}
