"""Benchmark the partitioned PostgreSQL event log (0025) against the plain one (0024).

Run: .venv/bin/python bench/partition_bench.py [URL] [--appends 400] [--rounds 5]
     [--months 24]
(URL defaults to $LECTOR_BENCH_DATABASE_URL.) Two fresh databases are created next to the one
named in the URL: one migrated to 0024 (plain table, foreign key from event_streams), one to
head with ``--months`` monthly partitions already made (two years of a library's log; the
link check and the position reads visit every partition). In interleaved rounds each one
takes ``--appends`` single-command appends (one event in two streams, so two links to check)
and a read of the whole log by position in pages of 1000; the medians are printed with the
partitioned/plain ratio. Both databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import create_engine, make_url, text

from events import PendingEvent
from events.catalogue import TitleCatalogued
from events.engine import make_engine
from events.partitions import add_months, ensure_months
from events.sqlalchemy_store import SqlEventStore
from service.adapters.database import upgrade


def _appends(store: SqlEventStore, count: int, tag: str) -> float:
    started = time.perf_counter()
    for n in range(count):
        streams = (f"title-{tag}-{n}", f"shelf-{tag}-{n}")
        store.append([PendingEvent(TitleCatalogued(f"{tag}{n}", "书"), streams)],
                     expected={s: 0 for s in streams}, meta={"actor": "bench"})
    return (time.perf_counter() - started) / count * 1e6


def _read(store: SqlEventStore) -> float:
    started = time.perf_counter()
    after = 0
    while batch := store.read_all(after, 1000):
        after = batch[-1].position
    return (time.perf_counter() - started) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?", default=os.environ.get("LECTOR_BENCH_DATABASE_URL"))
    parser.add_argument("--appends", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    base = make_url(args.url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    names = {kind: f"lector_pbench_{kind}_{uuid.uuid4().hex[:6]}" for kind in ("plain", "parted")}
    urls = {k: base.set(database=n).render_as_string(hide_password=False)
            for k, n in names.items()}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(urls["plain"], "0024_campaign_surveys")
        upgrade(urls["parted"])
        engines = {k: make_engine(u) for k, u in urls.items()}
        this_month = date(datetime.now(UTC).year, datetime.now(UTC).month, 1)
        ensure_months(engines["parted"],
                      [add_months(this_month, -n) for n in range(args.months)])
        stores = {k: SqlEventStore(e) for k, e in engines.items()}
        append_us: dict[str, list[float]] = {k: [] for k in stores}
        read_ms: dict[str, list[float]] = {k: [] for k in stores}
        for round_ in range(args.rounds):
            for kind, store in stores.items():
                append_us[kind].append(_appends(store, args.appends, f"r{round_}"))
                read_ms[kind].append(_read(store))
        total = args.rounds * args.appends
        for label, figures, unit in (("append", append_us, "us/append"),
                                     (f"read {total} events", read_ms, "ms")):
            plain = statistics.median(figures["plain"])
            parted = statistics.median(figures["parted"])
            print(f"{label:<22} plain {plain:9.1f} {unit}  partitioned {parted:9.1f} {unit}"
                  f"  ratio {parted / plain:5.2f}")
        for engine in engines.values():
            engine.dispose()
    finally:
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
