"""Benchmark the real loans export path at 1,000,000 rows: rows/s and peak RSS.

This measures the EXPORT path only. To get a million open loans quickly, the rows are
bulk-inserted straight into the current-loans read model (rm_current_loans), with titles
and reader profiles for the joins; no events are appended and no command runs.

Run:  .venv/bin/python bench/export_loans.py [--rows 1000000] [--xlsx-rows 100000]
                                              [--database-url postgresql://...]

SQLite (a fresh file in a temporary folder) is the default; with --database-url a fresh
database is created on that PostgreSQL server and dropped afterwards. Each case runs in
its own spawned process so its peak RSS is its own; RSS is also sampled every 20 ms while
it runs. The baseline is a raw server-side cursor read of the same table in the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, make_url, select, text

TITLES = ["红楼梦", "三体", "活着", "The Little Prince", "百年孤独", "Pride and Prejudice"]
N_TITLES, N_READERS, BATCH = 20_000, 50_000, 20_000


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class Sampler(threading.Thread):
    """Records the highest RSS seen while the case runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.stop = _rss_mib(), threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, _rss_mib())


def fill(url: str, rows: int) -> None:
    """Migrate, then bulk-insert titles, readers and ``rows`` open loans."""
    from events.engine import make_engine
    from projections.catalogue import titles
    from projections.current_loans import current_loans
    from projections.reader_profiles import reader_profiles
    from service.adapters.database import upgrade

    upgrade(url)
    engine = make_engine(url)
    now = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)
    with engine.begin() as conn:
        for start in range(0, N_TITLES, BATCH):
            conn.execute(titles.insert(), [
                {"title_id": f"t{n}", "title": f"{TITLES[n % 6]} {n}", "authors": [],
                 "subjects": [], "source_keys": [], "catalogued_at": now, "search_text": ""}
                for n in range(start, min(start + BATCH, N_TITLES))])
        for start in range(0, N_READERS, BATCH):
            conn.execute(reader_profiles.insert(), [
                {"reader_id": f"r{n}", "card_number": f"C{n:07d}", "name": f"读者{n}",
                 "category": "adult", "language": "zh-CN", "notice_channels": ["email"],
                 "keep_history": True, "digest": False, "erased": False,
                 "registered_at": now, "updated_at": now, "search_text": "",
                 "lifetime_loans": 0}
                for n in range(start, min(start + BATCH, N_READERS))])
        for start in range(0, rows, BATCH):
            conn.execute(current_loans.insert(), [
                {"loan_id": f"l{n}", "barcode": f"B{n:08d}", "title_id": f"t{n % N_TITLES}",
                 "reader_id": f"r{n % N_READERS}", "branch": "总馆" if n % 3 else "东城分馆",
                 "item_type": "book", "opened_at": now - timedelta(minutes=n % 50_000),
                 "due_on": date(2026, 3, 1) + timedelta(days=n % 60), "renewals_used": n % 3}
                for n in range(start, min(start + BATCH, rows))])
    engine.dispose()


def _case(kind: str, url: str) -> dict[str, object]:
    from events.engine import make_engine
    from projections.current_loans import current_loans
    from service.data.exporting import KINDS, ExportParams, open_export

    engine = make_engine(url)
    # Linux keeps ru_maxrss across exec, so a spawned child's own peak is sampled instead.
    start_rss = _rss_mib()
    sampler = Sampler()
    sampler.start()
    started = time.perf_counter()
    rows = written = 0
    if kind == "baseline cursor":
        with engine.connect() as conn, conn.begin():
            result = conn.execution_options(stream_results=True, yield_per=1000).execute(
                select(current_loans))
            for _row in result:
                rows += 1
    else:
        export = open_export(engine, KINDS["loans"], ExportParams(date(2026, 3, 1)), "zh-CN")
        counted = (row for row in export.rows if (rows := rows + 1))  # count as they flow
        export.rows = counted
        with open("/dev/null", "wb") as sink:
            for chunk in export.stream("xlsx" if kind == "export xlsx" else "csv"):
                written += len(chunk)
                sink.write(chunk)
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    engine.dispose()
    return {"kind": kind, "rows": rows, "seconds": round(elapsed, 2),
            "rows_per_s": round(rows / elapsed), "mib_out": round(written / 2**20, 1),
            "start_rss": round(start_rss, 1), "peak_rss": round(sampler.peak, 1)}


def _child(kind: str, url: str, queue: multiprocessing.Queue[str]) -> None:
    queue.put(json.dumps(_case(kind, url)))


def _run(kind: str, url: str) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = context.Queue()
    process = context.Process(target=_child, args=(kind, url, queue))
    process.start()
    result: dict[str, object] = json.loads(queue.get())
    process.join()
    return result


class Databases:
    """Fresh databases: SQLite files in a temporary folder, or new PostgreSQL databases."""

    def __init__(self, server: str | None) -> None:
        self.server, self.folder = server, tempfile.TemporaryDirectory(prefix="lector-bench-")
        self.made: list[str] = []

    def new(self, label: str) -> str:
        if self.server is None:
            return f"sqlite:///{self.folder.name}/{label}.db"
        name = f"lector_bench_{label}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(make_url(self.server), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.made.append(name)
        return make_url(self.server).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        if self.server is not None:
            admin = create_engine(make_url(self.server), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for name in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        self.folder.cleanup()


def main() -> None:
    """Fill the databases, then run baseline, CSV export and XLSX export, one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    # openpyxl's write-only mode runs at a few thousand rows/s, so XLSX gets fewer rows.
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL")
    args = parser.parse_args()
    server = None
    if args.database_url:
        from service.config import _normalise_db_url

        server = _normalise_db_url(args.database_url)
    dbs = Databases(server)
    try:
        started = time.perf_counter()
        big, small = dbs.new("big"), dbs.new("small")
        fill(big, args.rows)
        fill(small, args.xlsx_rows)
        backend = "PostgreSQL" if server else "SQLite"
        print(f"{backend}: inserted {args.rows:,} + {args.xlsx_rows:,} loans directly into "
              f"rm_current_loans in {time.perf_counter() - started:.0f} s (export path only)")
        print(f"{'case':<16} {'rows':>9} {'s':>7} {'rows/s':>8} {'MiB out':>8} "
              f"{'RSS MiB at start':>17} {'peak RSS MiB':>13}")
        for kind, url in (("baseline cursor", big), ("export csv", big),
                          ("baseline cursor", small), ("export xlsx", small)):
            r = _run(kind, url)
            print(f"{kind:<16} {r['rows']:>9} {r['seconds']:>7} {r['rows_per_s']:>8} "
                  f"{r['mib_out']:>8} {r['start_rss']:>17} {r['peak_rss']:>13}")
    finally:
        dbs.close()


if __name__ == "__main__":
    main()
