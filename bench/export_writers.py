"""Benchmark the streaming export writers: rows/s and peak memory for loan-shaped rows.

Run: .venv/bin/python bench/export_writers.py [--rows 1000000] [--xlsx-rows 100000] [--tracemalloc]

Each case runs in its own child process so that its peak RSS (ru_maxrss) is its own, and
RSS is also sampled while rows flow, to show memory stays flat as the row count grows.
Output goes to /dev/null, so the numbers measure the writers, not the disk.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.data.exporting.writers import stream_csv, stream_xlsx

HEADER = ["loan_id", "barcode", "title", "card_number", "reader", "branch",
          "checked_out", "due", "renewals", "fine_fen"]  # fmt: skip
TITLES = ["红楼梦", "三体", "活着", "The Little Prince", "百年孤独", "Pride and Prejudice"]
SAMPLE_AT = (0.1, 0.5, 1.0)


def _rss_kib() -> int:
    """Current resident set size in KiB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() // 1024


def loan_rows(count: int, samples: dict[str, int]) -> Iterator[list[object]]:
    """Synthetic current-loan rows, recording RSS at 10 %, 50 % and 100 % of the rows."""
    start = date(2025, 1, 1)
    marks = {int(count * f): f"{int(f * 100)}%" for f in SAMPLE_AT}
    for n in range(count):
        out = start + timedelta(days=n % 365)
        yield [n, f"C{n % 300000:08d}", TITLES[n % len(TITLES)], f"R{n % 50000:07d}",
               "读者" + str(n % 997), "总馆" if n % 3 else "东城分馆", out,
               out + timedelta(days=30), n % 3, (n % 7) * 50]  # fmt: skip
        if n + 1 in marks:
            samples[marks[n + 1]] = _rss_kib()


def _run(kind: str, count: int, trace: bool) -> dict[str, object]:
    samples: dict[str, int] = {}
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    written = 0
    with open("/dev/null", "wb") as sink:
        if kind == "baseline csv.writer":
            text = open("/dev/null", "w", encoding="utf-8", newline="")  # noqa: SIM115
            writer = csv.writer(text)
            writer.writerow(HEADER)
            writer.writerows(loan_rows(count, samples))
            text.close()
        else:
            rows = loan_rows(count, samples)
            chunks = stream_csv(HEADER, rows) if kind == "stream_csv" else (
                stream_xlsx(HEADER, rows, "Loans"))  # fmt: skip
            for chunk in chunks:
                written += len(chunk)
                sink.write(chunk)
    elapsed = time.perf_counter() - started
    result: dict[str, object] = {
        "kind": kind, "rows": count, "seconds": round(elapsed, 2),
        "rows_per_s": round(count / elapsed), "bytes": written,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_mib_at": {k: round(v / 1024, 1) for k, v in samples.items()},
    }  # fmt: skip
    if trace:
        result["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    return result


def _child(kind: str, count: int, trace: bool, queue: multiprocessing.Queue[str]) -> None:
    queue.put(json.dumps(_run(kind, count, trace)))


def main() -> None:
    """Run the baseline, CSV and XLSX cases and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    # openpyxl write-only (pure-Python XML without lxml) runs at ~5,000 rows/s here, so a
    # million XLSX rows take minutes; the default is 100,000 and the output says so.
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python heap")
    args = parser.parse_args()
    cases = [("baseline csv.writer", args.rows), ("stream_csv", args.rows),
             ("stream_xlsx", args.xlsx_rows)]  # fmt: skip
    if args.xlsx_rows != args.rows:
        print(f"note: XLSX uses {args.xlsx_rows:,} rows (openpyxl is slow); CSV uses {args.rows:,}")
    context = multiprocessing.get_context("spawn")
    print(f"{'case':<20} {'rows':>9} {'s':>7} {'rows/s':>9} {'MiB out':>8} "
          f"{'peak RSS MiB':>12}  RSS MiB at 10%/50%/100%")  # fmt: skip
    for kind, count in cases:
        queue: multiprocessing.Queue[str] = context.Queue()
        process = context.Process(target=_child, args=(kind, count, args.tracemalloc, queue))
        process.start()
        r = json.loads(queue.get())
        process.join()
        at = r["rss_mib_at"]
        trace = f"  tracemalloc peak {r['tracemalloc_peak_mib']} MiB" if args.tracemalloc else ""
        print(f"{kind:<20} {r['rows']:>9} {r['seconds']:>7} {r['rows_per_s']:>9} "
              f"{r['bytes'] / 2**20:>8.1f} {r['peak_rss_mib']:>12}  "
              f"{at.get('10%')}/{at.get('50%')}/{at.get('100%')}{trace}")  # fmt: skip


if __name__ == "__main__":
    main()
