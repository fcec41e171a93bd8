"""20 self-check kiosks lending and returning at once over SIP2, against real PostgreSQL.

    .venv/bin/python bench/sip2_bench.py [--admin-url postgresql://postgres@127.0.0.1/postgres]
        [--kiosks 20] [--checkouts 30] [--copies 80] [--readers 12] [--projections deferred]

Creates a fresh database (dropped at the end), seeds readers with PINs, titles, copies and
one kiosk account per kiosk, starts the SIP2 server over LectorSip2Backend on an ephemeral
port, and runs one thread per kiosk speaking SIP2 over a raw socket (requests built and
replies parsed with service.adapters.sip2.codec). Kiosks share the copies and the readers, so they
race for the same copy and the same reader's loan limit. At the end every invariant is
checked from the log (and the projections against it), and throughput and p50/p99 response
times are printed. Exit status 1 if an invariant is broken.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, make_url, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from events.loans import LoanClosed, LoanOpened
from projections.catalogue import copies as copies_table
from projections.current_loans import current_loans
from projections.runner import catch_up
from service.adapters.database import upgrade
from service.adapters.sip2 import Sip2Server, Sip2Settings
from service.adapters.sip2.codec import Message, encode, format_timestamp, parse
from service.adapters.sip2.lector_backend import LectorSip2Backend
from service.application.catalogue import AddCopy, CatalogueTitle, add_copy, catalogue_title
from service.application.context import SYSTEM, Actor
from service.application.kiosks import create_kiosk
from service.application.readers import RegisterReader, register_reader
from service.bootstrap import bootstrap
from service.config import DEFAULT_TIMEZONE, Config

ZONE = ZoneInfo(DEFAULT_TIMEZONE)
PIN, PASSWORD = "2468", "kiosk-bench-pw"
BLANK = " " * 18


class Kiosk:
    """One self-check machine: a socket, a sequence number and a clock for its requests."""

    def __init__(self, port: int, number: int, run: int = 0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer, self.sequence = b"", 0
        # Each request gets its own transaction second, so no two requests of one kiosk
        # share (date, AY) and a new request is never mistaken for a resend; each run of a
        # comparison starts a day further back, so runs never share a key either.
        self.moment = (datetime.now(UTC) - timedelta(days=1 + run) + timedelta(hours=number))
        self.latencies: dict[str, list[float]] = defaultdict(list)

    def ask(self, code: str, fixed: dict[str, str], *fields: tuple[str, str]) -> Message:
        self.sequence = (self.sequence + 1) % 10
        self.moment += timedelta(seconds=1)
        stamp = format_timestamp(self.moment, ZONE)
        fixed = {k: (stamp if v == "<now>" else v) for k, v in fixed.items()}
        data = encode(Message(code, fixed, fields, str(self.sequence)), with_checksum=True)
        started = time.perf_counter()
        self.sock.sendall(data)
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r")
        self.latencies[code].append(time.perf_counter() - started)
        return parse(line.decode())

    def checkout(self, card: str, barcode: str) -> bool:
        reply = self.ask("11", {"sc_renewal_policy": "N", "no_block": "N",
                                "transaction_date": "<now>", "nb_due_date": BLANK},
                         ("AO", "LECTOR"), ("AA", card), ("AB", barcode), ("AC", ""), ("AD", PIN))
        return reply.fixed.get("ok") == "1" and reply.fixed.get("renewal_ok") == "N"

    def checkin(self, barcode: str) -> bool:
        reply = self.ask("09", {"no_block": "N", "transaction_date": "<now>", "return_date": BLANK},
                         ("AP", "MAIN"), ("AO", "LECTOR"), ("AB", barcode))
        return reply.fixed.get("ok") == "1"


def run_kiosk(port: int, number: int, args: argparse.Namespace, cards: list[str],
              barcodes: list[str], out: dict[str, Any], lock: threading.Lock,
              run: int = 0) -> None:
    """Lend ``args.checkouts`` times (random reader, random copy), returning as it goes."""
    rng = random.Random(args.seed * 1000 + number + 100 * run)
    kiosk = Kiosk(port, number, run)
    login = kiosk.ask("93", {"uid_algorithm": "0", "pwd_algorithm": "0"},
                      ("CN", f"kiosk{number:02d}"), ("CO", PASSWORD), ("CP", "MAIN"))
    assert login.fixed.get("ok") == "1", "kiosk login refused"
    held: list[str] = []
    lent = refused = returned = 0
    for _ in range(args.checkouts):
        barcode = rng.choice(barcodes)
        if kiosk.checkout(rng.choice(cards), barcode):
            lent += 1
            held.append(barcode)
        else:
            refused += 1
        if len(held) >= args.hold or (held and rng.random() < 0.4):
            returned += kiosk.checkin(held.pop(rng.randrange(len(held))))
    while held:
        returned += kiosk.checkin(held.pop())
    kiosk.sock.close()
    with lock:
        out["lent"] += lent
        out["refused"] += refused
        out["returned"] += returned
        for code, values in kiosk.latencies.items():
            out["latencies"][code].extend(values)


def seed(lector: Any, args: argparse.Namespace) -> tuple[list[str], list[str]]:
    actor = Actor(SYSTEM, "api")
    ports = lector.ports
    cards = [f"R{n:03d}" for n in range(args.readers)]
    for card in cards:
        register_reader(ports, actor, RegisterReader(card, f"读者{card}", "adult", pin=PIN), None)
    barcodes = []
    for n in range(args.copies // 2):
        title = catalogue_title(ports, actor, CatalogueTitle(f"书目 {n}", clc_class="I247"), None)
        for c in range(2):
            barcode = f"B{n:03d}{c}"
            add_copy(ports, actor, AddCopy(barcode, str(title.result["title_id"]), "MAIN"), None)
            barcodes.append(barcode)
    for number in range(args.kiosks):
        create_kiosk(lector.engine, kiosk_id=f"kiosk-{number:02d}", login_user=f"kiosk{number:02d}",
                     password=PASSWORD, institution_id="LECTOR", location="MAIN",
                     now=datetime.now(UTC))
    return cards, barcodes


def check_invariants(lector: Any, out: dict[str, Any], limit: int) -> list[str]:
    """Replay the log: one reader per copy, loan limits, kiosk counts, projections agree."""
    problems: list[str] = []
    holder: dict[str, str] = {}
    loans_of: Counter[str] = Counter()
    opened = closed = 0
    for stored in lector.store.iter_all():
        event = stored.event
        if isinstance(event, LoanOpened) and stored.stream_id.startswith("copy-"):
            opened += 1
            if event.barcode in holder:
                problems.append(f"{event.barcode} lent to {event.reader_id} while on loan to "
                                f"{holder[event.barcode]} (position {stored.position})")
            holder[event.barcode] = event.reader_id
            loans_of[event.reader_id] += 1
            if loans_of[event.reader_id] > limit:
                problems.append(f"reader {event.reader_id} holds {loans_of[event.reader_id]} loans")
        elif isinstance(event, LoanClosed) and stored.stream_id.startswith("copy-"):
            closed += 1
            if holder.pop(event.barcode, None) != event.reader_id:
                problems.append(f"{event.barcode} returned by a reader who did not have it")
            loans_of[event.reader_id] -= 1
    if holder:
        problems.append(f"{len(holder)} copies still on loan after every kiosk returned its own")
    if (opened, closed) != (out["lent"], out["returned"]):
        problems.append(f"log has {opened} loans opened / {closed} closed, kiosks were told "
                        f"{out['lent']} / {out['returned']}")
    for projection in lector.projections:
        catch_up(lector.engine, lector.store, projection)
    with lector.engine.connect() as conn:
        open_rows = conn.scalar(select(text("count(*)")).select_from(current_loans))
        statuses = Counter(r[0] for r in conn.execute(select(copies_table.c.status)))
    if open_rows or set(statuses) != {"available"}:
        problems.append(f"projections disagree: {open_rows} open loans, copy statuses {statuses}")
    return problems


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def report(out: dict[str, Any], elapsed: float, args: argparse.Namespace) -> None:
    every = [v for values in out["latencies"].values() for v in values]
    print(f"{args.kiosks} kiosks, {len(every)} SIP2 requests in {elapsed:.1f} s: "
          f"{len(every) / elapsed:.0f} requests/s (projections {args.projections})")
    print(f"loans opened {out['lent']}, refused {out['refused']} (copy taken or limit), "
          f"returned {out['returned']}")
    names = {"93": "login", "11": "checkout", "09": "checkin"}
    for code, values in [("all", every), *sorted(out["latencies"].items())]:
        print(f"  {names.get(code, code):9s} n={len(values):5d}  p50 {percentile(values, .5):7.1f} ms"
              f"  p99 {percentile(values, .99):7.1f} ms  mean {statistics.fmean(values) * 1000:7.1f} ms")


def start_server(url: str, processes: int, args: argparse.Namespace) -> tuple[Any, int]:
    """`lector sip2 --processes N` as a subprocess on a free port; wait until it answers."""
    import subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "DATABASE_URL": url, "LECTOR_SECRET_KEY": "bench",
           "LECTOR_INSTANCE_DIR": "/tmp/lector-sip2-bench",
           "LECTOR_LOGIN_RATE_LIMIT": "100000 per minute"}
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    log = open(f"/tmp/lector-sip2-bench-{processes}.log", "wb")  # noqa: SIM115 - lives on
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "sip2", "--port", str(port), "--processes",
         str(processes), "--rate-per-second", "0"], env=env, stdout=log,
        stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(1.0 if processes > 1 else 0.2)  # let every child bind
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"sip2 with {processes} processes did not start")


def one_run(port: int, kiosks: int, args: argparse.Namespace, cards: list[str],
            barcodes: list[str], run: int, totals: dict[str, int]) -> dict[str, float]:
    out: dict[str, Any] = {"lent": 0, "refused": 0, "returned": 0,
                           "latencies": defaultdict(list)}
    lock = threading.Lock()
    threads = [threading.Thread(target=run_kiosk, args=(port, n, args, cards, barcodes, out,
                                                        lock, run)) for n in range(kiosks)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for name in ("lent", "refused", "returned"):
        totals[name] += out[name]
    every = [v for values in out["latencies"].values() for v in values]
    figures = {"rps": len(every) / elapsed}
    for code, name in (("11", "checkout"), ("09", "checkin")):
        figures[f"{name} p50"] = percentile(out["latencies"][code], .5)
        figures[f"{name} p99"] = percentile(out["latencies"][code], .99)
    return figures


def compare_processes(lector: Any, url: str, args: argparse.Namespace, cards: list[str],
                      barcodes: list[str]) -> int:
    """Interleaved rounds of: 1 kiosk on 1 process (baseline), then ``--kiosks`` kiosks on
    each process count; medians over the rounds, ratios against the baseline."""
    counts = [int(n) for n in args.processes.split(",")]
    servers = {n: start_server(url, n, args) for n in sorted(set([1, *counts]))}
    cases = [("1 kiosk, 1 process", 1, 1)] + [
        (f"{args.kiosks} kiosks, {n} process{'es' if n > 1 else ''}", n, args.kiosks)
        for n in counts]
    seen: dict[str, list[dict[str, float]]] = defaultdict(list)
    totals = {"lent": 0, "refused": 0, "returned": 0}
    run = 0
    try:
        for round_ in range(args.rounds):
            for name, processes, kiosks in cases:
                run += 1
                figures = one_run(servers[processes][1], kiosks, args, cards, barcodes, run,
                                  totals)
                seen[name].append(figures)
                print(f"round {round_ + 1} {name:22s} " + "  ".join(
                    f"{key} {value:7.1f}" for key, value in figures.items()), flush=True)
    finally:
        for server, _port in servers.values():
            server.terminate()
            server.wait(30)
        if args.redis_url:
            import redis

            redis.Redis.from_url(args.redis_url).flushdb()  # the tasks nobody will run
    print(f"\nmedians of {args.rounds} rounds (ms; rps = SIP2 requests per second; "
          f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}):")
    baseline = {k: statistics.median(f[k] for f in seen[cases[0][0]]) for k in seen[cases[0][0]][0]}
    for name, _processes, _kiosks in cases:
        median = {k: statistics.median(f[k] for f in seen[name]) for k in seen[name][0]}
        print(f"  {name:22s} " + "  ".join(
            f"{key} {value:7.1f}" + ("" if key == "rps" else f" (x{value / baseline[key]:.1f})")
            for key, value in median.items()))
    out = {**totals, "latencies": {}}
    problems = check_invariants(lector, out, limit=10)
    lector.dispose()
    for problem in problems:
        print("INVARIANT BROKEN:", problem)
    if not problems:
        print("invariants hold over every run: each copy on loan to at most one reader, no "
              "reader over the loan limit, log and kiosk counts agree, projections match")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default=os.environ.get(
        "LECTOR_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--checkouts", type=int, default=30, help="checkout attempts per kiosk")
    parser.add_argument("--copies", type=int, default=80)
    parser.add_argument("--readers", type=int, default=12)
    parser.add_argument("--hold", type=int, default=3, help="most loans a kiosk keeps open")
    parser.add_argument("--projections", choices=("deferred", "inline"), default="deferred",
                        help="deferred: folded at the end, as a Celery worker would; inline: "
                             "after every command, as the embedded mode does")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", default=None,
                        help="compare server process counts, e.g. 1,2: each runs as `lector "
                             "sip2 --processes N` in its own processes (not sharing the "
                             "kiosks' GIL), with a 1-kiosk baseline, in interleaved rounds")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the comparison")
    parser.add_argument("--redis-url", default=None,
                        help="REDIS_URL for the server processes (projections then deferred "
                             "to Celery, as in production; the database is flushed at the end)")
    args = parser.parse_args()

    from service.config import _normalise_db_url

    admin_url = make_url(_normalise_db_url(args.admin_url)).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"lector_sip2_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        config = Config(database_url=url, secret_key="bench", instance_dir=Path("/tmp"))
        lector = bootstrap(config, after_commit=(lambda position: None)
                           if args.projections == "deferred" else None)
        cards, barcodes = seed(lector, args)
        for projection in lector.projections:
            catch_up(lector.engine, lector.store, projection)
        if args.processes:
            return compare_processes(lector, url, args, cards, barcodes)
        # Kiosks send far below this; the bench measures the server, not the rate limiter.
        settings = Sip2Settings(zone=ZONE, rate_per_second=10_000, rate_burst=10_000)
        server = Sip2Server(LectorSip2Backend(lector), host="127.0.0.1", port=0, settings=settings)
        server.start()
        out: dict[str, Any] = {"lent": 0, "refused": 0, "returned": 0,
                               "latencies": defaultdict(list)}
        lock = threading.Lock()
        threads = [threading.Thread(target=run_kiosk, args=(server.port, n, args, cards, barcodes,
                                                            out, lock)) for n in range(args.kiosks)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        server.stop()
        report(out, elapsed, args)
        problems = check_invariants(lector, out, limit=10)
        lector.dispose()
        for problem in problems:
            print("INVARIANT BROKEN:", problem)
        if not problems:
            print("invariants hold: each copy on loan to at most one reader, no reader over the "
                  "loan limit, log and kiosk counts agree, projections match the log")
        return 1 if problems else 0
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
