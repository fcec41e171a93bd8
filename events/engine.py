"""Engine construction shared by every process: SQLite pragmas and write-lock transactions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

WRITE = {"lector_write": True}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite enable WAL and BEGIN IMMEDIATE for write transactions."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    # No pre-ping: it cost a round trip on every checkout. Connections are recycled before
    # servers or proxies drop idle ones, the first statement on a broken one invalidates the
    # whole pool, and the store retries its own transactions once on a fresh connection.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 600)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def write_connection(engine: Engine) -> Connection:
    """A connection whose transactions take the database write lock at BEGIN on SQLite."""
    return engine.connect().execution_options(**WRITE)


def as_utc(moment: datetime) -> datetime:
    """A stored instant as an aware UTC datetime: SQLite hands DateTime(timezone=True) back
    naive, and what we store there is always UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", 30)
    connect_args.setdefault("check_same_thread", False)
    if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
        raise ValueError("use a file database: the worker and the API share it")
    # A pool of long-lived connections: closing the last WAL connection checkpoints the log,
    # which made every command pay for a checkpoint when connections were not pooled.
    kwargs.setdefault("pool_size", 8)
    kwargs.setdefault("max_overflow", 16)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # Deleted and overwritten content is zeroed, not left in free space: erasing a reader
        # (their key, their copied contact details) must leave nothing behind in the file.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers lock at BEGIN, so they queue instead of failing with "database is locked"
        # on upgrade from a read lock; readers stay deferred and never block under WAL.
        immediate = conn.get_execution_options().get("lector_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
