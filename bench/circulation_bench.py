"""Desk checkout+checkin round trips through the HTTP API under gunicorn, on PostgreSQL.

    .venv/bin/python bench/circulation_bench.py [--admin-url postgresql://postgres@127.0.0.1/postgres]
        [--redis-url redis://127.0.0.1:6379/13] [--seconds 8] [--rounds 3] [--levels 1,8,32]
        [--workers 4] [--after-commit inline|background] [--embedded-inline-too]
        [--profile] [--profile-workers DIR]

Two API variants (embedded: projections caught up in the worker after commit; celery:
REDIS_URL set, catch-up enqueued to a `celery -A workers.main worker` subprocess), each on a
fresh database, migrated, seeded through the core handlers (one reader and its own copies
per client, so clients never refuse each other) and dropped at the end, each served by its
own `gunicorn -w 4` (sync workers) on `service.wsgi:app`; both servers stay up for the whole
run. Each client is a thread with one http.client connection (reopened when a sync worker
closes it) doing POST /checkouts then POST /checkins. The baseline is a raw single-row
INSERT+COMMIT (psycopg, one connection per client) at the same concurrency.

Where the after-commit work runs is service/wsgi.py's default (embedded: background, on a
thread of the worker after the answer; Celery: inline) unless --after-commit says otherwise;
--embedded-inline-too adds a third API server, embedded with the catch-up in the request.

The modes run interleaved: each round measures every mode at every level, the order
rotated from round to round; the table gives the median over rounds of each figure and of
each round's ratio API p99 / baseline p99. With --profile, cProfile of check_out+check_in on
the handler path (embedded catch-up) is printed as well; with --profile-workers DIR, every
gunicorn worker runs under cProfile and leaves DIR/<variant>/<pid>.prof.
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
from contextlib import ExitStack, contextmanager
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
def server(url: str, workers: int, redis_url: str | None, tmp: Path,
           profile_dir: str | None = None, after_commit: str | None = None) -> Iterator[int]:
    """gunicorn (and with a broker a Celery worker) on this database; yields the port.
    With ``profile_dir``, every worker runs under cProfile (bench/gunicorn_profile.py)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LECTOR_SECRET_KEY": "bench-secret",
           "LECTOR_INSTANCE_DIR": str(tmp), "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    env.pop("LECTOR_AFTER_COMMIT", None)
    if after_commit:  # unset: service/wsgi.py's choice (background)
        env["LECTOR_AFTER_COMMIT"] = after_commit
    if redis_url:
        env["REDIS_URL"] = redis_url
    ready = tmp / "gunicorn-ready"
    ready.mkdir()
    env["LECTOR_BENCH_READY_DIR"] = str(ready)
    if profile_dir:
        env["LECTOR_BENCH_PROFILE_DIR"] = str(Path(profile_dir) /
                                              ("celery" if redis_url else "embedded"))
    procs = [subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:bench.gunicorn_bench", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "service.wsgi:app"],
        cwd=ROOT, env=env)]
    if redis_url:
        procs.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "workers.main", "worker", "--loglevel=warning",
             "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env))
    try:
        wait_healthy(port)
        wait_ready(ready, workers)
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


def wait_ready(folder: Path, workers: int, timeout_s: float = 120) -> None:
    """Until every gunicorn worker has loaded the app (bench/gunicorn_bench.py)."""
    deadline = time.monotonic() + timeout_s
    while len(list(folder.glob("*.ready"))) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn workers did not all start")
        time.sleep(0.2)


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


MODES = ("API, embedded catch-up", "API, Celery catch-up", "INSERT+COMMIT baseline")
EMBEDDED_INLINE = "API, embedded, inline"  # --embedded-inline-too: LECTOR_AFTER_COMMIT=inline
TARGET_P99_MS = 25.0  # issue 17's aim for 8 clients


@contextmanager
def api_target(admin_url: str, redis_url: str | None, args: Any, tmp: Path,
               after_commit: str | None = None) -> Iterator[Callable[[int], Any]]:
    """A seeded database and its gunicorn (plus Celery worker with a broker), kept up for all
    rounds; yields the client factory, warmed up."""
    with fresh_database(admin_url) as url:
        plan = seed(url, max(args.levels), tmp)
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()  # our own database number only
        with server(url, args.workers, redis_url, tmp, args.profile_workers,
                    after_commit or args.after_commit) as port:
            token = token_for(port)
            work = api_work(port, token, plan)
            measure(min(4, max(args.levels)), 1.0, work)  # warm up
            yield work


@contextmanager
def baseline_target(admin_url: str) -> Iterator[Callable[[int], Any]]:
    with fresh_database(admin_url) as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        table = "bench_baseline"
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"CREATE TABLE {table} (id bigserial primary key, client int,"
                         " body text, at timestamptz default now())")
        yield insert_work(plain, table)


def interleaved(targets: dict[str, Callable[[int], Any]], levels: list[int], rounds: int,
                seconds: float) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Every mode at every level once per round, the order rotated each round, so a machine
    whose load drifts during the run weighs on all modes alike."""
    out: dict[str, dict[int, list[dict[str, Any]]]] = {m: {n: [] for n in levels}
                                                        for m in targets}
    names = list(targets)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in levels:
            for name in order:
                out[name][n].append(measure(n, seconds, targets[name]))
        print(f"  round {r + 1}/{rounds} done, load average {os.getloadavg()[0]:.2f}",
              flush=True)
    return out


def med(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(results: dict[str, dict[int, list[dict[str, Any]]]], rounds: int) -> None:
    """Medians over rounds; the ratio is each round's API p99 over the same round's
    baseline p99 (then the median of those)."""
    base = results[MODES[2]]
    print(f"\nmedian of {rounds} interleaved rounds")
    print(f"{'variant':<26}{'clients':>8}{'round trips/s':>15}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'p99/base':>10}{'p99 per round':>24}{'p50 1st/last q':>16}")
    for name, per_level in results.items():
        for n, rows in per_level.items():
            ratio = statistics.median(r["p99_ms"] / b["p99_ms"]
                                      for r, b in zip(rows, base[n], strict=True))
            each = " ".join(f"{r['p99_ms']:.1f}" for r in rows)
            drift = f"{med(rows, 'early_p50'):.1f} / {med(rows, 'late_p50'):.1f}"
            print(f"{name:<26}{n:>8}{med(rows, 'rounds_per_s'):>15.1f}"
                  f"{med(rows, 'p50_ms'):>9.1f}{med(rows, 'p99_ms'):>9.1f}{ratio:>10.1f}"
                  f"{each:>24}{drift:>16}")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}, {os.cpu_count()} CPUs")
    print("(API latencies are per request: a round trip is one checkout plus one checkin;"
          " the baseline's 'round trip' is one INSERT+COMMIT)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")],
                        default=[1, 8, 32])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--embedded-inline-too", action="store_true",
                        help="a third API server, embedded with LECTOR_AFTER_COMMIT=inline "
                             "(the catch-up in the request), in the same interleaved rounds")
    parser.add_argument("--after-commit", choices=("inline", "background"), default=None,
                        help="LECTOR_AFTER_COMMIT for both servers (default: "
                             "service/wsgi.py's, background embedded, inline with Celery)")
    parser.add_argument("--profile-workers", metavar="DIR", default=None,
                        help="cProfile every gunicorn worker; one .prof file per worker in DIR")
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()}; after-commit work: "
          f"{args.after_commit or 'service/wsgi.py default'}", flush=True)
    with ExitStack() as stack:
        def tmp() -> Path:
            return Path(stack.enter_context(tempfile.TemporaryDirectory()))

        targets = {
            MODES[0]: stack.enter_context(api_target(args.admin_url, None, args, tmp())),
            MODES[1]: stack.enter_context(api_target(args.admin_url, args.redis_url, args,
                                                     tmp())),
        }
        if args.embedded_inline_too:  # the same run's answer to "and with the fold inline?"
            targets[EMBEDDED_INLINE] = stack.enter_context(
                api_target(args.admin_url, None, args, tmp(), after_commit="inline"))
        targets[MODES[2]] = stack.enter_context(baseline_target(args.admin_url))
        results = interleaved(targets, args.levels, args.rounds, args.seconds)
    report(results, args.rounds)
    missed = False
    for name in (*MODES[:2], EMBEDDED_INLINE):
        if name in results and 8 in results[name]:
            p99 = med(results[name][8], "p99_ms")
            missed |= p99 >= TARGET_P99_MS
            print(f"target p99 < {TARGET_P99_MS:.0f} ms at 8 clients, {name}: "
                  f"{'met' if p99 < TARGET_P99_MS else 'MISSED'} ({p99:.1f} ms)")
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp, fresh_database(args.admin_url) as url:
            profile(url, Path(tmp))


if __name__ == "__main__":
    main()
