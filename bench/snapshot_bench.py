"""Benchmark per-stream snapshots: check-out + check-in for a reader with a short and a long
history, with and without reader snapshots (events/snapshots.py), on PostgreSQL.

Run: .venv/bin/python bench/snapshot_bench.py [URL] [--cycles 60] [--rounds 3]
     [--short 20] [--long 2000]
(URL defaults to $LECTOR_BENCH_DATABASE_URL.) A fresh database is created next to the one
named in the URL, migrated, and dropped at the end. Two readers get ``--short`` and
``--long`` prior loan events (appended to their streams directly), then each case runs
``--cycles`` check-out + check-in pairs through the real command handlers in this process
(no projection catch-up after commit: the decision is what is measured), in interleaved
rounds; the medians are printed in commands/s with the ratios long/short and with/without.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, make_url, text

from events import PendingEvent
from events.loans import LoanClosed, LoanOpened
from events.streams import reader_stream
from service.adapters.database import upgrade
from service.application import catalogue, circulation, readers
from service.application.context import Actor, Principal
from service.application.snapshots import reader_snapshots
from service.bootstrap import Lector, bootstrap
from service.config import Config, _normalise_db_url

DESK = Actor(Principal("staff", "bench", "desk"), "desk")
META = {"actor": "staff:bench", "role": "desk", "channel": "desk", "command": "check_out",
        "correlation_id": "00000000-0000-0000-0000-000000000000"}


def prepare(lector: Lector, name: str, prior: int) -> None:
    """A reader with ``prior`` loan events (opened/closed pairs) and a copy to borrow."""
    readers.register_reader(lector.ports, DESK, readers.RegisterReader(
        f"C-{name}", "读者", "adult", reader_id=name), None)
    catalogue.add_copy(lector.ports, DESK, catalogue.AddCopy(f"B-{name}", "t-bench", "main"),
                       None)
    at = datetime(2025, 1, 1, tzinfo=UTC)
    batch: list[PendingEvent] = []
    for n in range(prior // 2):
        loan, barcode = f"{name}-old{n}", f"OLD-{name}-{n}"
        common = dict(loan_id=loan, barcode=barcode, title_id="t-bench", reader_id=name,
                      branch="main", item_type="book", reader_category="adult",
                      clc_class="I247.5", due_on=(at + timedelta(days=30)).date())
        batch.append(PendingEvent(LoanOpened(**common, opened_at=at), (reader_stream(name),)))
        batch.append(PendingEvent(LoanClosed(**common, closed_at=at + timedelta(days=7)),
                                  (reader_stream(name),)))
    for start in range(0, len(batch), 500):
        version = lector.store.load([reader_stream(name)]).version(reader_stream(name))
        lector.store.append(batch[start:start + 500], expected={reader_stream(name): version},
                            meta=META)


def cycles(lector: Lector, name: str, n: int, snapshots: bool) -> float:
    """Commands per second of n check-out + check-in pairs."""
    lector.store.snapshot_policies[:] = [reader_snapshots()] if snapshots else []
    for _ in range(3):  # warm: decode cache, the snapshot taken
        circulation.check_out(lector.ports, DESK, f"C-{name}", f"B-{name}", None, None)
        circulation.check_in(lector.ports, DESK, f"B-{name}", None, None)
    started = time.perf_counter()
    for _ in range(n):
        circulation.check_out(lector.ports, DESK, f"C-{name}", f"B-{name}", None, None)
        circulation.check_in(lector.ports, DESK, f"B-{name}", None, None)
    return 2 * n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("LECTOR_BENCH_DATABASE_URL"))
    parser.add_argument("--cycles", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--short", type=int, default=20)
    parser.add_argument("--long", type=int, default=2000)
    args = parser.parse_args()
    if not args.url:
        parser.error("give a PostgreSQL URL or set LECTOR_BENCH_DATABASE_URL")
    server = make_url(_normalise_db_url(args.url))
    name = f"lector_bench_{uuid.uuid4().hex[:8]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        config = Config(database_url=url, secret_key="bench", instance_dir=Path("/tmp"))
        lector = bootstrap(config, after_commit=lambda position: None)
        catalogue.catalogue_title(lector.ports, DESK, catalogue.CatalogueTitle(
            title="三体", clc_class="I247.5", title_id="t-bench"), None)
        prepare(lector, "short", args.short)
        prepare(lector, "long", args.long)
        cases: dict[tuple[str, bool], list[float]] = {
            (who, snap): [] for who in ("short", "long") for snap in (False, True)}
        for r in range(args.rounds):
            for (who, snap), rates in cases.items():
                rates.append(cycles(lector, who, args.cycles, snap))
            print(f"round {r + 1}: " + ", ".join(
                f"{who}{' +snap' if snap else ''} {v[-1]:.0f}/s"
                for (who, snap), v in cases.items()), flush=True)
        med = {k: statistics.median(v) for k, v in cases.items()}
        print(f"\nmedians of {args.rounds} interleaved rounds, check-out + check-in "
              f"commands/s ({args.cycles} pairs per case and round):")
        for snap in (False, True):
            short, long_ = med[("short", snap)], med[("long", snap)]
            print(f"  {'with' if snap else 'without'} snapshots: {args.short} prior events "
                  f"{short:7.1f}/s, {args.long} prior events {long_:7.1f}/s, "
                  f"long/short = {long_ / short:.2f}")
        print(f"  {args.long} prior events, with/without snapshots = "
              f"{med[('long', True)] / med[('long', False)]:.2f}")
        lector.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
