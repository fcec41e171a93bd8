"""One demo library per back end per test run, built once and copied for each test that uses it.

`build_demo` takes half a minute or more; a module whose every test built its own spent most of
its time there. The first process of a run that asks for a back end's demo (under `pytest -n 2`
either worker; a file lock makes the other wait) builds it into a database of the run's own and
records its URL in the folder the run's processes share. Each test then gets a copy of its own
(a PostgreSQL clone from the demo as template, or a file copy: about a second), so a test that
changes its library changes no other test's, as when each built its own. The controller drops
the PostgreSQL demo when the whole run is over (`drop_run_demos`, from tests/conftest.py).

xdist's `--dist loadgroup` would keep a module on one worker instead, but with pytest 9.2 it
silently stops grouping (pytest-dev/pytest-xdist#1386), and the build would still be repeated
once per module.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from service.config import Config
from service.data.demo.executor import build_demo
from tests.databases import drop_postgres_database, postgres_admin_url, sqlite_path

# A small demo: a year of loans ending today (the reports dashboard's figures need a year).
DEMO_SEED = 7
DEMO_LOANS = 1500
DEMO_DAYS = 364
POSTGRES_NAME = "demo-postgres.name"  # the database to drop when the run ends


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every process of this run shares: an xdist worker's base temp is a
    subfolder of the controller's (`popen-gw0`), a plain run's is its own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def demo_database(backend: str, factory: Any, folder: Path) -> str:
    """The URL of this run's demo library on ``backend``, built now if no process has yet.

    Nothing stays connected to it (copies are made from it); tests use `factory.new(url)`.
    """
    record = folder / f"demo-{backend}.url"
    with open(folder / f"demo-{backend}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if record.exists():
            return record.read_text()
        if backend == "postgres":
            name = f"lector_demo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            (folder / POSTGRES_NAME).write_text(name)  # before the build: dropped if it fails
            url = factory.new_untracked(name)
        else:
            path = folder / "demo-sqlite.db"
            shutil.copyfile(factory.template, path)
            url = f"sqlite:///{path}"
        config = Config(database_url=url, secret_key="t", instance_dir=folder / f"demo-{backend}")
        build_demo(config, seed=DEMO_SEED, start=date.today() - timedelta(days=DEMO_DAYS),
                   target_loans=DEMO_LOANS)
        if backend == "sqlite":  # the copies are of the file alone: fold its log into it
            with sqlite3.connect(sqlite_path(url)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        record.write_text(url)  # only a finished demo is ever copied
        return url


def drop_run_demos(config: pytest.Config) -> None:
    """Drop the run's PostgreSQL demo, once no process of the run can copy it any more."""
    factory = getattr(config, "_tmp_path_factory", None)  # pytest's, as xdist itself uses it
    admin_url = postgres_admin_url()
    if factory is None or admin_url is None:
        return
    named = factory.getbasetemp() / POSTGRES_NAME
    if named.exists():
        drop_postgres_database(admin_url, named.read_text())
