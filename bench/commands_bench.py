"""Check-out + check-in commands in process, from 1 and from N processes, against raw
INSERT + COMMIT from as many processes (issue 17, the "commands" row), on PostgreSQL.

Run: .venv/bin/python bench/commands_bench.py [URL] [--commands 400] [--writers 8] [--rounds 3]
(URL defaults to $LECTOR_BENCH_DATABASE_URL.) A fresh database is created next to the one in
the URL, migrated, and dropped at the end. Each command process bootstraps Lector on it,
registers its own reader and four copies (so processes never refuse each other: the
decisions, loads and appends are measured, not conflicts), waits until every process is
ready, then runs check-out and check-in through the real command handlers
(service.application.circulation), alternating over its copies. Projections are not caught
up after commit (a Celery worker would do that): the command path is what is measured. The
baseline is bench/store_bench.py's raw single-row INSERT + COMMIT of the event row shape
from as many processes. Cases run interleaved (round 1 of each, then round 2, ...); medians
of the rounds are printed with the ratio command/raw.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from bench.circulation_bench import fresh_database
from bench.store_bench import RAW_TABLE, append_rate, server_libpq, started_together
from service.application import catalogue, circulation, readers
from service.application.context import Actor, Principal
from service.bootstrap import bootstrap
from service.config import Config, _normalise_db_url

DESK = Actor(Principal("staff", "bench", "desk"), "desk")
COPIES = 4


def command_child(url: str, n: int, tag: str) -> None:
    """n commands (check-out, check-in, ...) after the parent says go; prints start/end."""
    lector = bootstrap(Config(database_url=url, secret_key="bench", instance_dir=Path("/tmp")),
                       after_commit=lambda position: None)
    card = f"C-{tag}"
    readers.register_reader(lector.ports, DESK, readers.RegisterReader(
        card, "读者", "adult", reader_id=f"r-{tag}"), None)
    barcodes = [f"B-{tag}-{k}" for k in range(COPIES)]
    for barcode in barcodes:
        catalogue.add_copy(lector.ports, DESK, catalogue.AddCopy(barcode, "t-bench", "main"),
                           None)
    circulation.check_out(lector.ports, DESK, card, barcodes[0], None, None)  # warm
    circulation.check_in(lector.ports, DESK, barcodes[0], None, None)
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.time()
    for i in range(n // 2):
        barcode = barcodes[i % COPIES]
        circulation.check_out(lector.ports, DESK, card, barcode, None, None)
        circulation.check_in(lector.ports, DESK, barcode, None, None)
    ended = time.time()
    lector.dispose()
    print(json.dumps({"start": started, "end": ended, "n": 2 * (n // 2)}), flush=True)


def command_rate(url: str, writers: int, n: int, round_: int) -> float:
    """Commands per second of ``writers`` processes doing n commands in all, started together
    once every one is ready (wall clock from the first start to the last end)."""
    return started_together([[sys.executable, __file__, url, "--child", str(n // writers),
                              f"w{writers}r{round_}p{w}"] for w in range(writers)],
                            "command process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("LECTOR_BENCH_DATABASE_URL"))
    parser.add_argument("--commands", type=int, default=400, help="per case and round")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    if args.child:
        return command_child(args.url, int(args.child), extra[0])
    if not args.url:
        parser.error("give a PostgreSQL URL or set LECTOR_BENCH_DATABASE_URL")
    with fresh_database(server_libpq(_normalise_db_url(args.url))) as url:
        with psycopg.connect(server_libpq(url)) as raw:
            raw.execute(RAW_TABLE)
        lector = bootstrap(Config(database_url=url, secret_key="bench",
                                  instance_dir=Path("/tmp")), after_commit=lambda p: None)
        catalogue.catalogue_title(lector.ports, DESK, catalogue.CatalogueTitle(
            title="三体", clc_class="I247.5", title_id="t-bench"), None)
        lector.dispose()
        cases: dict[str, list[float]] = {}
        for r in range(args.rounds):
            for writers in (1, args.writers):
                cases.setdefault(f"commands {writers}", []).append(
                    command_rate(url, writers, args.commands, r))
                cases.setdefault(f"raw {writers}", []).append(
                    append_rate("append-raw", url, writers, args.commands, r))
            print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}/s"
                                                 for k, v in cases.items()), flush=True)
        med = {k: statistics.median(v) for k, v in cases.items()}
        print(f"\nmedians of {args.rounds} interleaved rounds, {args.commands} per case and "
              "round (commands/s vs raw INSERT+COMMIT/s):")
        for writers in (1, args.writers):
            mine, base = med[f"commands {writers}"], med[f"raw {writers}"]
            print(f"  check-out + check-in, {writers} process(es): {mine:8,.1f}/s  vs "
                  f"{base:9,.1f}/s  = {mine / base:.3f}")


if __name__ == "__main__":
    main()
