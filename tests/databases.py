"""Fresh databases per test: SQLite files, and PostgreSQL databases cloned from a template."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from service.adapters.database import upgrade


def postgres_admin_url() -> str | None:
    """The PostgreSQL server tests may use (LECTOR_TEST_DATABASE_URL), normalised for psycopg."""
    raw = os.environ.get("LECTOR_TEST_DATABASE_URL")
    if not raw:
        return None
    from service.config import _normalise_db_url

    return _normalise_db_url(raw)


def _admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def drop_postgres_database(url: str, name: str) -> None:
    """Drop database ``name`` on the server at ``url``, whoever is still connected to it."""
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class PostgresFactory:
    """Migrates one template database per run, then clones it for each test (fast)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = _admin_engine(url)
        self.prefix = f"lector_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = f"{self.prefix}_tmpl"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        upgrade(self._url_for(self.template))
        self.created: list[str] = []

    def _url_for(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def new(self, template: str | None = None) -> str:
        """A clone of the migrated template, or of the database at URL ``template`` (which
        nothing may be connected to: PostgreSQL refuses to copy a database in use)."""
        name = f"{self.prefix}_{len(self.created)}"
        source = self.template if template is None else make_url(template).database
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        self.created.append(name)
        return self._url_for(name)

    def new_untracked(self, name: str) -> str:
        """A migrated database named ``name`` that this factory never drops (its creator does)."""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return self._url_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        with self.admin.connect() as conn:
            for name in [*self.created, self.template]:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):])


class SqliteFactory:
    """Migrates one template file per run and copies it for each test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        upgrade(f"sqlite:///{self.template}")
        self.count = 0

    def new(self, template: str | None = None) -> str:
        """A copy of the migrated template, or of the database at URL ``template`` (closed, its
        write-ahead log checkpointed into the file)."""
        self.count += 1
        path = self.folder / f"test_{self.count}.db"
        shutil.copyfile(self.template if template is None else sqlite_path(template), path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        pass
