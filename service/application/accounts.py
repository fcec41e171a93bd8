"""Staff accounts and reader PINs. Secrets stay out of the immutable log, hashed with Argon2."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    select,
)

from events.engine import write_connection
from service.application.context import Principal
from service.domain.errors import Conflict, Invalid

metadata = MetaData()

staff_accounts = Table(
    "staff_accounts",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

reader_credentials = Table(
    "reader_credentials",
    metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("pin_hash", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

ROLES = ("admin", "librarian", "desk", "teacher")  # teacher: class routes only
# Argon2id with a moderate cost: a desk login should not take a noticeable pause.
ARGON2_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
_hasher = PasswordHasher(**ARGON2_PARAMETERS)
# Compared against when the account does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("lector-dummy-password")


def use_argon2_parameters(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Hash new secrets with other Argon2 costs in this process (tests/conftest.py only).

    Verifying reads the costs stored in each hash, so hashes made either way keep verifying.
    """
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)
    _DUMMY_HASH = _hasher.hash("lector-dummy-password")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored: str | None, secret: object) -> bool:
    """Whether ``secret`` matches; anything but a string (a JSON null, a number) never does."""
    if not isinstance(secret, str):
        _hasher.verify(_DUMMY_HASH, "lector-dummy-password")  # same cost: no timing hint
        return False
    try:
        return _hasher.verify(stored or _DUMMY_HASH, secret) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
        return False


def create_staff(
    engine: Engine, username: str, password: str, role: str, display_name: str | None = None
) -> None:
    """Create a staff account (refuses duplicates and unknown roles)."""
    if role not in ROLES:
        raise Invalid("invalid_role", f"Unknown role {role!r}.", f"未知角色 {role!r}。",
                      fields={"role": [f"Must be one of {', '.join(ROLES)}."]})
    if len(password) < 8:
        raise Invalid("weak_password", "Password too short.", "密码太短。",
                      fields={"password": ["At least 8 characters."]})
    with write_connection(engine) as conn, conn.begin():
        exists = conn.scalar(
            select(staff_accounts.c.username).where(staff_accounts.c.username == username)
        )
        if exists:
            raise Conflict("staff_exists", "That username is taken.", "该用户名已被使用。")
        conn.execute(staff_accounts.insert().values(
            username=username, password_hash=hash_secret(password), role=role,
            display_name=display_name or username, active=True, created_at=datetime.now(UTC),
        ))


def revoke_tokens(engine: Engine, account: str) -> None:
    """Make every token of ``account`` (see token_versions.account_key) stop working."""
    from service.application.token_versions import bump_version

    with write_connection(engine) as conn, conn.begin():
        bump_version(conn, account)


def authenticate_staff(engine: Engine, username: str, password: object) -> Principal | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(staff_accounts).where(staff_accounts.c.username == username)
        ).first()
    if not verify_secret(row.password_hash if row else None, password) or row is None:
        return None
    if not row.active:
        return None
    return Principal("staff", row.username, row.role)


def set_reader_pin(conn: Connection, reader_id: str, pin: str) -> None:
    """Store (or replace) a reader's PIN hash inside the caller's transaction.

    The reader's old tokens stop working: whoever knew the old PIN is logged out.
    """
    from service.application.token_versions import bump_version

    bump_version(conn, f"reader:{reader_id}")
    conn.execute(reader_credentials.delete().where(reader_credentials.c.reader_id == reader_id))
    conn.execute(reader_credentials.insert().values(
        reader_id=reader_id, pin_hash=hash_secret(pin), updated_at=datetime.now(UTC)
    ))


def check_reader_pin(engine: Engine, reader_id: str, pin: object) -> bool:
    with engine.connect() as conn:
        stored = conn.scalar(
            select(reader_credentials.c.pin_hash).where(reader_credentials.c.reader_id == reader_id)
        )
    return verify_secret(stored, pin)
