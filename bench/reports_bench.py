"""Report latency against history size: the same reports over the same last year, on a small
and a large generated history (PostgreSQL).

Each history is the report workload (tests/report_workload.py) at one fixed density (about
`--per-day` checkouts a day) for the same library (`--titles`, `--readers`, copies per title),
written through the store's bulk path; the larger history is simply longer (more years before
the window). `--keep` keeps the databases, `--urls SMALL LARGE` measures them again later
(folding them again unless `--no-fold`). Both are folded by the set-based rebuild
(projections.runner.rebuild_all: one pass over the log, buffered writes). Then every report
runs on both databases interleaved (round 1 small, large; round 2 ...), and the median of
the rounds and the ratio large / small are printed. Reports read roll-ups, so the aim is a ratio within 1.5.

    .venv/bin/python bench/reports_bench.py --admin-url postgresql://postgres@127.0.0.1/postgres \\
        --sizes 100000 2000000 --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.circulation_bench import fresh_database  # noqa: E402
from events.engine import make_engine  # noqa: E402
from events.sqlalchemy_store import SqlEventStore  # noqa: E402
from projections.registry import all_projections  # noqa: E402
from projections.report_readers import report_readers  # noqa: E402
from projections.report_service import report_service  # noqa: E402
from projections.report_top import report_top  # noqa: E402
from projections.runner import rebuild_all  # noqa: E402
from projections.trends import report  # noqa: E402
from service.adapters.database import upgrade  # noqa: E402
from service.application.collection_reports import CollectionQuery, run_report  # noqa: E402
from service.application.report_settings import ReportSettings  # noqa: E402
from service.config import DEFAULT_TIMEZONE  # noqa: E402
from tests.report_workload import Workload, write  # noqa: E402

ZONE = DEFAULT_TIMEZONE
LAST = date(2026, 11, 30)
YEAR = (LAST - timedelta(days=364), LAST)
QUARTER = (LAST - timedelta(days=89), LAST)
MONTH = (LAST - timedelta(days=29), LAST)
NAMES = ("trends", "report_rollups", "collection")
SETTINGS = ReportSettings()

REPORTS: dict[str, Callable[[Any], Any]] = {
    "trends year by month": lambda c: report(c, *YEAR, "month"),
    "trends year by month x class": lambda c: report(c, *YEAR, "month", "class"),
    "trends year by week x branch": lambda c: report(c, *YEAR, "week", "branch"),
    "readers quarter x category": lambda c: report_readers(c, *QUARTER, group_by="category"),
    "readers year": lambda c: report_readers(c, *YEAR),
    "top titles year": lambda c: report_top(c, *YEAR, by="title"),
    "top authors year": lambda c: report_top(c, *YEAR, by="author"),
    "top classes quarter": lambda c: report_top(c, *QUARTER, by="class"),
    "service month": lambda c: report_service(c, *MONTH, LAST, ZONE),
    "collection classes x branch": lambda c: _collection(c, "classes"),
    "collection titles": lambda c: _collection(c, "titles"),
    "collection dead stock": lambda c: _collection(c, "dead-stock"),
    "collection holds pressure": lambda c: _collection(c, "holds"),
}


def _collection(conn: Any, name: str) -> Any:
    return run_report(conn, name, CollectionQuery(as_of=LAST), SETTINGS, LAST, ZONE)


@contextmanager
def sqlite_database(folder: str, name: str, reuse: bool = False) -> Iterator[str]:
    path = Path(folder) / f"reports_bench_{name}.db"
    if reuse and path.exists():
        yield f"sqlite:///{path}"
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    yield url


@contextmanager
def kept_database(url: str) -> Iterator[str]:
    """A database a previous run kept (--urls): migrated to head, never dropped."""
    upgrade(url)
    yield url


def written_events(url: str) -> int:
    """Events the database's log holds (its last position: the bench only appends)."""
    engine = make_engine(url)
    try:
        return SqlEventStore(engine).last_position()
    finally:
        engine.dispose()


def write_history(url: str, events: int, per_day: int, titles: int, readers: int
                  ) -> tuple[int, float]:
    """Write about ``events`` events ending on LAST for a library of ``titles`` titles and
    ``readers`` readers (the same library at every size, so only history differs)."""
    engine = make_engine(url)
    store = SqlEventStore(engine)
    density = per_day * 2.4  # checkouts plus their returns, renewals, holds and messages
    days = max(int(events / density), 1)
    work = Workload(11, readers=readers, titles=titles,
                    start=LAST - timedelta(days=days - 1), zone=ZONE,
                    per_day=(per_day // 2, per_day * 3 // 2))
    began = time.perf_counter()
    written = write(store, work.setup(), batch=1000)
    offset = 0
    while offset < days:  # every day, so the history always ends on LAST
        written += write(store, (item for d in range(offset, min(offset + 30, days))
                                 for item in work.day(d)), batch=1000)
        offset += 30
    wrote = time.perf_counter() - began
    engine.dispose()
    return written, wrote


def fold(url: str) -> float:
    """The set-based rebuild of the report projections (one pass, buffered writes); seconds."""
    engine = make_engine(url)
    store = SqlEventStore(engine)
    began = time.perf_counter()
    _reached, failed = rebuild_all(
        engine, store, [p for p in all_projections(ZONE) if p.name in NAMES], 5000)
    if failed:
        raise SystemExit(f"rebuild failed: {failed}")
    folded = time.perf_counter() - began
    engine.dispose()
    return folded


def measure(urls: list[str], rounds: int) -> dict[str, list[list[float]]]:
    engines = [make_engine(u) for u in urls]
    times: dict[str, list[list[float]]] = {name: [[] for _ in urls] for name in REPORTS}
    for _ in range(rounds):
        for name, run in REPORTS.items():
            for i, engine in enumerate(engines):  # interleaved: small, large, small, ...
                with engine.connect() as conn:
                    began = time.perf_counter()
                    run(conn)
                    times[name][i].append((time.perf_counter() - began) * 1000)
    for engine in engines:
        engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 2_000_000])
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sqlite-dir", default=None,
                        help="Use SQLite files in this folder instead of PostgreSQL.")
    parser.add_argument("--reuse", action="store_true",
                        help="SQLite: measure the histories a previous run left in --sqlite-dir.")
    parser.add_argument("--titles", type=int, default=5000,
                        help="Titles in the library, the same at both sizes.")
    parser.add_argument("--readers", type=int, default=5000,
                        help="Readers in the library, the same at both sizes.")
    parser.add_argument("--urls", nargs=2, metavar=("SMALL", "LARGE"), default=None,
                        help="PostgreSQL databases a run with --keep left: their histories "
                             "are not written again, only folded (unless --no-fold).")
    parser.add_argument("--keep", action="store_true",
                        help="PostgreSQL: keep the new databases and print their URLs.")
    parser.add_argument("--no-fold", action="store_true",
                        help="With --urls: measure the read models as they are.")
    parser.add_argument("--write-only", action="store_true",
                        help="With --keep: write the histories and stop (fold and measure "
                             "later with --urls).")
    args = parser.parse_args()
    if args.sqlite_dir:
        databases = (sqlite_database(args.sqlite_dir, "small", args.reuse),
                     sqlite_database(args.sqlite_dir, "large", args.reuse))
    elif args.urls:
        databases = (kept_database(args.urls[0]), kept_database(args.urls[1]))
    else:
        databases = (fresh_database(args.admin_url, keep=args.keep),
                     fresh_database(args.admin_url, keep=args.keep))
    reused = bool(args.urls) or (args.reuse and bool(args.sqlite_dir))
    with databases[0] as small, databases[1] as large:
        print(f"library: {args.titles:,} titles, {args.readers:,} readers; "
              f"databases {small} {large}", flush=True)
        for url, size in zip((small, large), args.sizes, strict=True):
            written = written_events(url)
            if not reused or not written:
                written, wrote = write_history(url, size, args.per_day, args.titles,
                                               args.readers)
                print(f"history {written:>9,} events: written in {wrote:7.1f} s "
                      f"({written / wrote:,.0f} ev/s)", flush=True)
            if (reused and args.no_fold) or args.write_only:
                continue
            folded = fold(url)
            print(f"history {written:>9,} events: folded in {folded:7.1f} s "
                  f"({written / folded:,.0f} ev/s)", flush=True)
        if args.write_only:
            return
        times = measure([small, large], args.rounds)
    title = f"report (median of {args.rounds} rounds, ms)"
    print(f"\n{title:<36}{'small':>10}{'large':>10}"
          f"{'ratio':>8}")
    for name, (a, b) in times.items():
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"{name:<36}{ma:>10.1f}{mb:>10.1f}{mb / ma:>8.2f}")


if __name__ == "__main__":
    main()
