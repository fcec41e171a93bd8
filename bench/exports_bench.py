"""Export speed (issue 17): CSV and XLSX rows/s as ratios to a raw cursor read, same run.

Run:  .venv/bin/python bench/exports_bench.py --database-url postgresql://postgres@127.0.0.1/postgres
          [--rows 300000] [--xlsx-rows 30000] [--rounds 3]

Two fresh PostgreSQL databases get ``--rows`` and ``--xlsx-rows`` open loans bulk-inserted
into the current-loans read model (with titles and readers for the joins; see
bench/export_loans.py). Each round runs, interleaved, in this order: the raw baseline on the
CSV database, the real ``loans`` CSV export (PostgreSQL COPY), the raw baselines on the XLSX
database, the real ``loans`` XLSX export (XlsxWriter, constant memory). The baselines are a
psycopg server-side cursor, 1,000 rows a fetch, doing nothing with the rows, reading either
the bare read-model table (``table``: issue 17's "cursor") or the export's own joined SELECT
(``query``: the same rows the export writes). Every case runs in its own spawned process, RSS sampled every
20 ms. The figures printed are medians over the rounds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.export_loans import Databases, Sampler, _rss_mib, fill


def _case(kind: str, url: str) -> dict[str, float]:
    from events.engine import make_engine
    from service.data.exporting import KINDS, ExportParams, open_export

    engine = make_engine(url)
    params = ExportParams(date(2026, 3, 1))
    start_rss, sampler = _rss_mib(), Sampler()
    sampler.start()
    started = time.perf_counter()
    rows = 0
    if kind.startswith("baseline"):
        # Through the driver's server-side cursor, rows discarded: the export's own joined
        # SELECT ("query"), or the bare read-model table ("table", issue 17's baseline).
        from sqlalchemy import select

        from projections.current_loans import current_loans
        from service.data.exporting.kinds import _loan_query

        query: Any = (_loan_query(params, False) if kind == "baseline query"
                      else select(current_loans))
        compiled = query.compile(dialect=engine.dialect)
        with engine.connect() as conn, conn.begin():
            raw = conn.connection.dbapi_connection
            with raw.cursor(name="bench") as cursor:  # type: ignore[union-attr]
                cursor.itersize = 1000
                cursor.execute(str(compiled), compiled.params)
                for _row in cursor:
                    rows += 1
    else:
        fmt = kind.split()[-1]
        export = open_export(engine, KINDS["loans"], params, "zh-CN")
        with open("/dev/null", "wb") as sink:
            for chunk in export.stream(fmt):
                sink.write(chunk)
        with engine.connect() as conn:
            from sqlalchemy import func, select

            from projections.current_loans import current_loans

            rows = int(conn.scalar(select(func.count()).select_from(current_loans)) or 0)
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    engine.dispose()
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed,
            "rss_growth_mib": sampler.peak - start_rss}


def _child(kind: str, url: str, queue: multiprocessing.Queue[str]) -> None:
    queue.put(json.dumps(_case(kind, url)))


def _run(kind: str, url: str) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = context.Queue()
    process = context.Process(target=_child, args=(kind, url, queue))
    process.start()
    result: dict[str, float] = json.loads(queue.get())
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL server URL")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--xlsx-rows", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from service.config import _normalise_db_url

    dbs = Databases(_normalise_db_url(args.database_url))
    try:
        big, small = dbs.new("csv"), dbs.new("xlsx")
        fill(big, args.rows)
        fill(small, args.xlsx_rows)
        cases = (("baseline table", big, "csv table"), ("baseline query", big, "csv query"),
                 ("export csv", big, "csv"),
                 ("baseline table", small, "xlsx table"), ("baseline query", small, "xlsx query"),
                 ("export xlsx", small, "xlsx"))
        seen: dict[str, list[dict[str, float]]] = {label: [] for *_, label in cases}
        for n in range(args.rounds):
            for kind, url, label in cases:
                result = _run(kind, url)
                seen[label].append(result)
                print(f"round {n + 1} {label:<10} {result['rows']:>8.0f} rows "
                      f"{result['rows_per_s']:>9.0f} rows/s  RSS +{result['rss_growth_mib']:.1f} MiB",
                      flush=True)
        med = {label: statistics.median(r["rows_per_s"] for r in results)
               for label, results in seen.items()}
        rss = {label: max(r["rss_growth_mib"] for r in results) for label, results in seen.items()}
        print(f"\nPostgreSQL, median of {args.rounds} interleaved rounds")
        print(f"{'format':<6} {'rows':>8} {'export/s':>9} {'table/s':>9} {'ratio':>6} "
              f"{'query/s':>9} {'ratio':>6} {'aim':>5} {'max RSS growth MiB':>19}")
        for fmt, count, aim in (("csv", args.rows, 0.5), ("xlsx", args.xlsx_rows, 0.1)):
            table, joined = med[f"{fmt} table"], med[f"{fmt} query"]
            print(f"{fmt:<6} {count:>8} {med[fmt]:>9.0f} {table:>9.0f} {med[fmt] / table:>6.2f} "
                  f"{joined:>9.0f} {med[fmt] / joined:>6.2f} {aim:>5} {rss[fmt]:>19.1f}")
    finally:
        dbs.close()


if __name__ == "__main__":
    main()
