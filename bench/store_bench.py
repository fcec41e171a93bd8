"""Benchmark the event store and the projection rebuild on PostgreSQL, against raw baselines.

Run: .venv/bin/python bench/store_bench.py [URL] [--appends 2000] [--events 50000] [--small 10000]
(URL defaults to $LECTOR_BENCH_DATABASE_URL.) A fresh database is created next to the one
named in the URL, migrated, and dropped at the end. Printed in one run:

(a) single-command appends: SqlEventStore.append, one event, expected version, sequential,
    vs a raw single-row INSERT + COMMIT of the same row shape into a scratch table;
(b) rebuild of every projection vs a raw server-side-cursor read of the events table;
(c) peak RSS of the rebuild with --small events in the log and with --events events.
Rebuilds and reads run in child processes, so each peak RSS (VmHWM) is their own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import create_engine, make_url, select, text

import events.domain  # registers every event type before anything is read)
from events import PendingEvent
from events.catalogue import CopyAdded, TitleCatalogued
from events.codec import to_data
from events.engine import make_engine
from events.readers import ReaderPreferencesChanged, ReaderRegistered
from events.schema import events
from events.sqlalchemy_store import SqlEventStore
from projections.registry import all_projections
from projections.runner import rebuild
from service.adapters.database import upgrade
from service.config import DEFAULT_TIMEZONE, _normalise_db_url

RAW_TABLE = """CREATE TABLE bench_raw (
    position BIGSERIAL PRIMARY KEY, event_id VARCHAR(36) NOT NULL UNIQUE,
    stream_id VARCHAR(200) NOT NULL, version INTEGER NOT NULL, type VARCHAR(100) NOT NULL,
    schema_version INTEGER NOT NULL, data JSON NOT NULL, meta JSON NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL, UNIQUE (stream_id, version));
CREATE INDEX ON bench_raw (type, position)"""
META = {"actor": "staff:bench", "role": "librarian", "channel": "api",
        "command": "set_preferences", "correlation_id": "00000000-0000-0000-0000-000000000000"}


def peak_rss_mib() -> float:
    """This process's RSS high-water mark (VmHWM). Not ru_maxrss: on Linux that survives
    execve, so a child would report the RSS of the parent it was forked from."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def load_events(store: SqlEventStore, start: int, stop: int) -> None:
    """Append a catalogue-and-readers mix: per 10 events 5 titles, 4 copies, 1 reader."""
    batch: list[PendingEvent] = []
    for i in range(start, stop):
        kind, n = i % 10, i // 10
        if kind < 5:
            tid = f"t{n}-{kind}"
            batch.append(PendingEvent(TitleCatalogued(tid, f"书名 {tid}", ("刘慈欣", "Ken Liu"),
                                                      clc_class="I247.55", year=2008),
                                      (f"title-{tid}",)))
        elif kind < 9:
            barcode = f"B{n:07d}{kind}"
            batch.append(PendingEvent(CopyAdded(barcode, f"t{n}-0", "main", shelf_mark="I247"),
                                      (f"copy-{barcode}", f"title-t{n}-0")))
        else:
            batch.append(PendingEvent(ReaderRegistered(f"r{n}", f"C{n:08d}", f"读者{n}", "adult",
                                                       phone="13800138000"),
                                      (f"reader-r{n}", f"card-C{n:08d}")))
        if len(batch) == 1000:
            store.append(batch, expected={}, meta=META)
            batch = []
    if batch:
        store.append(batch, expected={}, meta=META)


def child(mode: str, url: str) -> None:
    """Run one measured phase in this (fresh) process and print its figures as JSON."""
    engine = make_engine(url)
    before = peak_rss_mib()
    started = time.perf_counter()
    if mode == "rebuild":
        store = SqlEventStore(engine)
        for projection in all_projections(DEFAULT_TIMEZONE):
            rebuild(engine, store, projection)
    else:  # the raw baseline: every row of the log through a server-side cursor
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=2000).execute(
                select(events))
            for _row in result:
                pass
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM events"))
    engine.dispose()
    print(json.dumps({"seconds": seconds, "events": count, "rss_start_mib": before,
                      "peak_rss_mib": peak_rss_mib()}))


def run_child(mode: str, url: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, url], check=True,
                         capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def append_rates(store: SqlEventStore, libpq_url: str, n: int) -> tuple[float, float]:
    """Seconds for n store appends and n raw INSERT+COMMITs, interleaved in rounds."""
    store_s = raw_s = 0.0
    rounds, streams = 4, 100
    with psycopg.connect(libpq_url) as raw:
        raw.execute(RAW_TABLE)
        raw.commit()
        versions: dict[str, int] = {}
        for r in range(rounds):
            ids = range(r * n // rounds, (r + 1) * n // rounds)
            started = time.perf_counter()
            for i in ids:
                stream = f"reader-bench{i % streams}"
                event = ReaderPreferencesChanged(f"bench{i % streams}", "zh-CN", ("email",),
                                                 bool(i % 2))
                versions[stream] = store.append(
                    [PendingEvent(event, (stream,))], expected={stream: versions.get(stream, 0)},
                    meta=META).stream_versions[stream]
            store_s += time.perf_counter() - started
            started = time.perf_counter()
            for i in ids:
                event = ReaderPreferencesChanged(f"bench{i % streams}", "zh-CN", ("email",),
                                                 bool(i % 2))
                raw.execute(
                    "INSERT INTO bench_raw (event_id, stream_id, version, type, schema_version,"
                    " data, meta, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now())",
                    (str(uuid.uuid4()), f"reader-bench{i % streams}", i // streams + 1,
                     event.type_name, 1, json.dumps(to_data(event)), json.dumps(META)))
                raw.commit()
            raw_s += time.perf_counter() - started
    return store_s, raw_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("LECTOR_BENCH_DATABASE_URL"))
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.url)
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
        report(url, args)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    store = SqlEventStore(engine)
    say = lambda line: print(line, flush=True)  # noqa: E731
    say(f"database: fresh {make_url(url).database} on {make_url(url).host}; "
        f"projections: {len(all_projections(DEFAULT_TIMEZONE))}")
    started = time.perf_counter()
    load_events(store, 0, args.small)
    say(f"loaded {args.small:,} events in {time.perf_counter() - started:.1f} s")
    small = run_child("rebuild", url)
    started = time.perf_counter()
    load_events(store, args.small, args.events)
    say(f"loaded {args.events - args.small:,} more in {time.perf_counter() - started:.1f} s")
    big, raw = run_child("rebuild", url), run_child("read", url)
    say("\n(b) rebuild of every projection vs raw server-side cursor read (yield_per=2000)")
    for label, r in (("rebuild", small), ("rebuild", big), ("raw read", raw)):
        say(f"  {label:9} {r['events']:>7,} events {r['seconds']:8.2f} s "
            f"{r['events'] / r['seconds']:>10,.0f} events/s")
    rate_ratio = (big["events"] / big["seconds"]) / (raw["events"] / raw["seconds"])
    say(f"  rebuild / raw read = {rate_ratio:.3f}")
    say("\n(c) peak RSS of the rebuild process (VmHWM)")
    for r in (small, big):
        say(f"  {r['events']:>7,} events: {r['rss_start_mib']:.1f} MiB at start, "
            f"{r['peak_rss_mib']:.1f} MiB peak")
    say(f"  raw read of {raw['events']:,}: {raw['peak_rss_mib']:.1f} MiB peak")
    n = args.appends
    store_s, raw_s = append_rates(store, server_libpq(url), n)
    say(f"\n(a) single-command appends, sequential, N={n:,} each (log holds {args.events:,})")
    say(f"  SqlEventStore.append   {n / store_s:>8,.0f} events/s ({store_s / n * 1000:.2f} ms each)")
    say(f"  raw INSERT + COMMIT    {n / raw_s:>8,.0f} events/s ({raw_s / n * 1000:.2f} ms each)")
    say(f"  store / raw = {(n / store_s) / (n / raw_s):.3f}")
    engine.dispose()


def server_libpq(url: str) -> str:
    """The same database as a plain libpq URL for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
