"""Desk checkout+checkin round trips through the HTTP API under gunicorn, on PostgreSQL.

    .venv/bin/python bench/circulation_bench.py [--admin-url postgresql://postgres@127.0.0.1/postgres]
        [--redis-url redis://127.0.0.1:6379/13] [--seconds 8] [--levels 1,8,32] [--workers 4]
        [--profile]

For each variant (embedded: projections caught up in the request after commit; celery:
REDIS_URL set, catch-up enqueued to a `celery -A workers.main worker` subprocess) a fresh
database is created, migrated, seeded through the core handlers (one reader and its own
copies per client, so clients never refuse each other) and dropped at the end. gunicorn runs
`service.wsgi:app` with 4 sync workers. Each client is a thread with one http.client
connection (reopened when a sync worker closes it) doing POST /checkouts then POST /checkins.
A raw single-row INSERT+COMMIT baseline (psycopg, one connection per client) runs at the same
concurrency. Prints one table. With --profile, cProfile of check_out+check_in on the handler
path (embedded catch-up) is printed as well.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.adapters.database import upgrade  # noqa: E402
from service.application import catalogue, circulation, readers  # noqa: E402
from service.application.accounts import create_staff  # noqa: E402
from service.application.context import Actor, Principal  # noqa: E402
from service.bootstrap import bootstrap  # noqa: E402
from service.config import Config, _normalise_db_url  # noqa: E402

DESK = Actor(Principal("staff", "bench", "admin"), "desk")
COPIES_PER_CLIENT = 4
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fresh_database(admin_url: str, keep: bool = False) -> Iterator[str]:
    """A new migrated database, dropped afterwards unless ``keep``; yields its SQLAlchemy URL."""
    name = f"lector_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    url = _normalise_db_url(f"{base}/{name}")
    try:
        upgrade(url)
        yield url
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, clients: int, tmp: Path) -> list[tuple[str, list[str]]]:
    """One reader per client with its own copies; a staff account for the desk."""
    lector = bootstrap(Config(database_url=url, secret_key="bench", instance_dir=tmp),
                       after_commit=lambda position: None)
    ports = lector.ports
    plan = []
    catalogue.catalogue_title(ports, DESK, catalogue.CatalogueTitle(
        title="三体", clc_class="I247.5", title_id="bench-title"), None)
    for c in range(clients):
        card = f"BENCH{c:03d}"
        readers.register_reader(ports, DESK, readers.RegisterReader(
            card, f"读者{c}", "staff", reader_id=f"bench-r{c}"), None)
        barcodes = [f"BC{c:03d}-{i}" for i in range(COPIES_PER_CLIENT)]
        for barcode in barcodes:
            catalogue.add_copy(ports, DESK, catalogue.AddCopy(barcode, "bench-title", "main"),
                               None)
        plan.append((card, barcodes))
    create_staff(lector.engine, "bench-desk", "bench-desk-pass", "desk")
    lector.dispose()
    return plan


@contextmanager
def server(url: str, workers: int, redis_url: str | None, tmp: Path) -> Iterator[int]:
    """gunicorn (and with a broker a Celery worker) on this database; yields the port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LECTOR_SECRET_KEY": "bench-secret",
           "LECTOR_INSTANCE_DIR": str(tmp), "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    procs = [subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "service.wsgi:app"], cwd=ROOT, env=env)]
    if redis_url:
        procs.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "workers.main", "worker", "--loglevel=warning",
             "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env))
    try:
        wait_healthy(port)
        yield port
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_healthy(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


class Client:
    """One desk: a keep-alive connection (reopened when the server closes it)."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for tries in range(2):
            try:
                self.conn.request("POST", path, json.dumps(body), self.headers)
                reply = self.conn.getresponse()
                return reply.status, json.loads(reply.read() or b"{}")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if tries:
                    raise
        raise AssertionError("unreachable")


def token_for(port: int) -> str:
    status, body = Client(port, "").post("/api/v1/auth/token",
                                         {"username": "bench-desk", "password": "bench-desk-pass"})
    assert status == 200, body
    return str(body["token"])


def measure(clients: int, seconds: float, work: Callable[[int], Callable[[], list[float]]],
            ) -> dict[str, Any]:
    """Run ``clients`` threads for ``seconds``; each call returns its request latencies."""
    latencies: list[list[tuple[float, float]]] = [[] for _ in range(clients)]
    rounds = [0] * clients
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def body(i: int) -> None:
        step = work(i)
        start.wait()
        try:
            while not stop.is_set():
                now = time.perf_counter()
                latencies[i].extend((now, x) for x in step())
                rounds[i] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    timed = sorted(x for per in latencies for x in per)
    quarter = max(1, len(timed) // 4)
    flat = sorted(x for _, x in timed)
    # Streams only grow (every loan lands in the reader's and the copy's stream), so compare
    # the first and the last quarter of the run: a rising p50 means loads grow with history.
    early = sorted(x for _, x in timed[:quarter])
    late = sorted(x for _, x in timed[-quarter:])
    return {"rounds_per_s": sum(rounds) / elapsed, "p50_ms": pct(flat, 50),
            "p99_ms": pct(flat, 99), "requests": len(flat), "early_p50": pct(early, 50),
            "late_p50": pct(late, 50)}


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


def api_work(port: int, token: str, plan: list[tuple[str, list[str]]]) -> Callable[[int], Any]:
    def make(i: int) -> Callable[[], list[float]]:
        client, (card, barcodes) = Client(port, token), plan[i]
        turn = [0]

        def step() -> list[float]:
            barcode = barcodes[turn[0] % len(barcodes)]
            turn[0] += 1
            t0 = time.perf_counter()
            status, body = client.post("/api/v1/checkouts",
                                       {"card_number": card, "barcode": barcode})
            t1 = time.perf_counter()
            assert status == 201, (status, body)
            status, body = client.post("/api/v1/checkins", {"barcode": barcode})
            t2 = time.perf_counter()
            assert status in (200, 201), (status, body)
            return [t1 - t0, t2 - t1]

        return step

    return make


def insert_work(admin_url: str, table: str) -> Callable[[int], Any]:
    def make(i: int) -> Callable[[], list[float]]:
        conn = psycopg.connect(admin_url)

        def step() -> list[float]:
            t0 = time.perf_counter()
            conn.execute(f"INSERT INTO {table} (client, body) VALUES (%s, %s)", (i, "x" * 200))
            conn.commit()
            return [time.perf_counter() - t0]

        return step

    return make


def baseline(url: str, levels: list[int], seconds: float) -> dict[int, dict[str, Any]]:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    table = "bench_baseline"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id bigserial primary key, client int, body text,"
                     " at timestamptz default now())")
    return {n: measure(n, seconds, insert_work(plain, table)) for n in levels}


def profile(url: str, tmp: Path, rounds: int = 200) -> None:
    """cProfile of check_out+check_in on the handler path, with embedded catch-up."""
    plan = seed(url, 1, tmp)
    lector = bootstrap(Config(database_url=url, secret_key="bench", instance_dir=tmp))
    card, barcodes = plan[0]
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for _ in range(rounds):
        circulation.check_out(lector.ports, DESK, card, barcodes[0], None, None)
        circulation.check_in(lector.ports, DESK, barcodes[0], None, None)
    profiler.disable()
    per = (time.perf_counter() - t0) / rounds * 1000
    print(f"\nProfile: {rounds} checkout+checkin round trips in-process, {per:.1f} ms each")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(28)
    lector.dispose()


def run_variant(name: str, admin_url: str, redis_url: str | None, args: Any,
                ) -> dict[int, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp, fresh_database(admin_url) as url:
        plan = seed(url, max(args.levels), Path(tmp))
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()  # our own database number only
        with server(url, args.workers, redis_url, Path(tmp)) as port:
            token = token_for(port)
            measure(min(4, max(args.levels)), 1.0, api_work(port, token, plan))  # warm up
            out = {n: measure(n, args.seconds, api_work(port, token, plan)) for n in args.levels}
        print(f"  {name}: done", flush=True)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 8, 32])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    results = {"API, embedded catch-up": run_variant("embedded", args.admin_url, None, args),
               "API, Celery catch-up": run_variant("celery", args.admin_url, args.redis_url,
                                                   args)}
    with fresh_database(args.admin_url) as url:
        results["INSERT+COMMIT baseline"] = baseline(url, args.levels, args.seconds)
    print(f"\n{'variant':<26}{'clients':>8}{'round trips/s':>15}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'requests':>10}{'p50 1st/last quarter':>22}")
    for name, rows in results.items():
        for n, r in rows.items():
            drift = f"{r['early_p50']:.1f} / {r['late_p50']:.1f}"
            print(f"{name:<26}{n:>8}{r['rounds_per_s']:>15.1f}{r['p50_ms']:>9.1f}"
                  f"{r['p99_ms']:>9.1f}{r['requests']:>10}{drift:>22}")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}, {os.cpu_count()} CPUs")
    print("(API latencies are per request: a round trip is one checkout plus one checkin;"
          " the baseline's 'round trip' is one INSERT+COMMIT)")
    missed = False
    for name in ("API, embedded catch-up", "API, Celery catch-up"):
        if 8 in results[name]:
            p99 = results[name][8]["p99_ms"]
            missed |= p99 >= 50
            print(f"target p99 < 50 ms at 8 clients, {name}: "
                  f"{'met' if p99 < 50 else 'MISSED'} ({p99:.1f} ms)")
    if args.profile or missed:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(args.admin_url) as url:
            profile(url, Path(tmp))


if __name__ == "__main__":
    main()
