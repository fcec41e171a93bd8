"""Benchmark the event store and the projection rebuild on PostgreSQL, against raw baselines.

Run: .venv/bin/python bench/store_bench.py [URL] [--appends 1600] [--events 50000]
     [--writers 8] [--rounds 3]
(URL defaults to $LECTOR_BENCH_DATABASE_URL.) A fresh database is created next to the one
named in the URL, migrated, and dropped at the end. Every case runs in child processes, in
interleaved rounds (round 1 of every case, then round 2, ...), and the medians are printed
as ratios against the raw baseline of the same shape:

(a) single-command appends: SqlEventStore.append, one event, expected version, from 1 and
    from --writers processes, vs raw single-row INSERT + COMMIT of the same row shape into a
    scratch table from as many processes;
(b) `lector rebuild --all` (every projection, rebuilt beside and swapped) vs a server-side
    cursor read of the whole events table with its JSON decoded; with the peak RSS
    (VmHWM) of the rebuild process, its own since each child is a fresh process; and the
    same rebuild folded row by row (projections.rebuilding.BUFFERED = False, the code path
    before set-based writes) in the same rounds. `--only rebuild` skips case (a).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import create_engine, make_url, text

from events import PendingEvent
from events.catalogue import CopyAdded, TitleCatalogued
from events.codec import to_data
from events.engine import make_engine
from events.readers import ReaderPreferencesChanged, ReaderRegistered
from events.sqlalchemy_store import SqlEventStore
from projections import rebuilding
from projections.registry import all_projections
from projections.runner import rebuild_all
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


def child(mode: str, url: str, *extra: str) -> None:
    """Run one measured phase in this (fresh) process and print its figures as JSON."""
    if mode.startswith("append"):
        return append_child(mode, url, int(extra[0]), extra[1])
    engine = make_engine(url)
    before = peak_rss_mib()
    started = time.perf_counter()
    if mode in ("rebuild", "rowwise"):  # what `lector rebuild --all` does: one pass
        if mode == "rowwise":  # the fold before set-based writes: a statement per event
            rebuilding.BUFFERED = False
        store = SqlEventStore(engine)
        _reached, failed = rebuild_all(engine, store, all_projections(DEFAULT_TIMEZONE))
        assert not failed, failed
    else:  # the raw baseline: every row of the log through a server-side cursor, JSON decoded
        with psycopg.connect(server_libpq(url)) as raw, raw.cursor("log") as cursor:
            cursor.itersize = 2000
            cursor.execute("SELECT * FROM events ORDER BY position")
            for _row in cursor:  # psycopg decodes the json columns into Python objects
                pass
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM events"))
    engine.dispose()
    print(json.dumps({"seconds": seconds, "events": count, "rss_start_mib": before,
                      "peak_rss_mib": peak_rss_mib()}))


def append_child(mode: str, url: str, n: int, tag: str) -> None:
    """n appends of one event each, after the parent says go; prints wall-clock start/end."""
    streams = 50
    names = [f"reader-b{tag}-{k}" for k in range(streams)]
    prefs = [ReaderPreferencesChanged(f"b{tag}-{k}", "zh-CN", ("email",), bool(k % 2))
             for k in range(streams)]
    if mode == "append-store":
        store = SqlEventStore(make_engine(url, pool_size=1))
        versions = dict.fromkeys(names, 0)
        store.append([PendingEvent(prefs[0], (names[0],))], expected={names[0]: 0}, meta=META)
        versions[names[0]] = 1  # a warm connection, as a running service has
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.time()
        for i in range(n):
            k = i % streams
            versions[names[k]] = store.append(
                [PendingEvent(prefs[k], (names[k],))], expected={names[k]: versions[names[k]]},
                meta=META).stream_versions[names[k]]
    else:
        raw = psycopg.connect(server_libpq(url))
        raw.execute("SELECT 1")
        raw.commit()
        data = [json.dumps(to_data(e)) for e in prefs]
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.time()
        for i in range(n):
            k = i % streams
            raw.execute(
                "INSERT INTO bench_raw (event_id, stream_id, version, type, schema_version,"
                " data, meta, recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now())",
                (str(uuid.uuid4()), names[k], i // streams + 1, prefs[k].type_name, 1,
                 data[k], json.dumps(META)))
            raw.commit()
    print(json.dumps({"start": started, "end": time.time(), "n": n}), flush=True)


def run_child(mode: str, url: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, url], check=True,
                         capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def append_rate(mode: str, url: str, writers: int, n: int, round_: int) -> float:
    """Events per second of ``writers`` processes doing n appends in all, started together
    once every one is connected (wall clock from the first start to the last end)."""
    return started_together([[sys.executable, __file__, "--child", mode, url, str(n // writers),
                              f"{mode[7]}{writers}r{round_}p{w}"] for w in range(writers)],
                            f"{mode} writer")


def started_together(commands: list[list[str]], what: str) -> float:
    """Items per second of one child process per command: each prints "ready", all are told
    "go" at once, each ends with a JSON line {start, end, n}; the rate is all n over the wall
    clock from the first start to the last end."""
    procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for command in commands]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    done = []
    for proc in procs:
        out, _ = proc.communicate(timeout=1800)
        if proc.returncode:
            raise RuntimeError(f"a {what} failed")
        done.append(json.loads(out.strip().splitlines()[-1]))
    span = max(d["end"] for d in done) - min(d["start"] for d in done)
    return sum(d["n"] for d in done) / span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("LECTOR_BENCH_DATABASE_URL"))
    parser.add_argument("--appends", type=int, default=1600, help="per case and round")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("all", "rebuild"), default="all",
                        help="rebuild: only case (b), rebuild vs read")
    parser.add_argument("--rowwise-rounds", type=int, default=None,
                        help="rounds of the row-by-row rebuild (the 'before' side; default"
                             " --rounds, 0 to skip: it is slow)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    if args.child:
        return child(args.child, args.url, *extra)
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
        f"projections: {len(all_projections(DEFAULT_TIMEZONE))}; rounds: {args.rounds}")
    started = time.perf_counter()
    load_events(store, 0, args.events)
    say(f"loaded {args.events:,} events in {time.perf_counter() - started:.1f} s")
    with psycopg.connect(server_libpq(url)) as raw:
        raw.execute(RAW_TABLE)
    engine.dispose()
    cases = {"store 1": [], "raw 1": [], f"store {args.writers}": [], f"raw {args.writers}": [],
             "rebuild": [], "rowwise": [], "read": []}
    rss: list[float] = []
    rowwise_rounds = args.rounds if args.rowwise_rounds is None else args.rowwise_rounds
    for r in range(args.rounds):
        if r < rowwise_rounds:
            before = run_child("rowwise", url)
            cases["rowwise"].append(before["events"] / before["seconds"])
        rebuilt, read = run_child("rebuild", url), run_child("read", url)
        cases["rebuild"].append(rebuilt["events"] / rebuilt["seconds"])
        cases["read"].append(read["events"] / read["seconds"])
        rss.append(rebuilt["peak_rss_mib"])
        for writers in (1, args.writers) if args.only == "all" else ():
            for mode in ("store", "raw"):
                rate = append_rate(f"append-{mode}", url, writers, args.appends, r)
                cases[f"{mode} {writers}"].append(rate)
        say(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s" for k, v in cases.items()
                                            if v))
    med = {k: statistics.median(v) for k, v in cases.items() if v}
    say(f"\nmedians of {args.rounds} interleaved rounds (events/s), ratio against the baseline:")
    for label, mine, base in (
        ("(a) store append, 1 writer", "store 1", "raw 1"),
        (f"(a) store append, {args.writers} writer processes", f"store {args.writers}",
         f"raw {args.writers}"),
        (f"(b) rebuild --all, {args.events:,} events", "rebuild", "read"),
        ("(b) same, row by row (before set-based writes)", "rowwise", "read"),
    ):
        if mine not in med:
            continue
        say(f"  {label:44} {med[mine]:>9,.0f}  vs {med[base]:>9,.0f}  = {med[mine] / med[base]:.3f}")
    say(f"  rebuild peak RSS (VmHWM), median: {statistics.median(rss):.0f} MiB")


def server_libpq(url: str) -> str:
    """The same database as a plain libpq URL for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
