"""A long, random schemathesis run over every API operation (run it before a release).

Run: .venv/bin/python bench/fuzz_api.py [--database-url URL] [--max-examples 200]
     [--seed N] [--no-nul] [--anonymous-examples 20]

CI runs the same checks derandomised and small (tests/api/test_openapi_fuzz.py); this run is
random unless --seed is given, so each run tries new input. It prints the seed it used (give
it back with --seed to replay), how many requests got which status, and every failure: an
undocumented 5xx, a body that does not match its schema, a wrong content type or status, or
a token-guarded operation that answered without a token. Exit status 1 when anything failed.

A fresh database is made for the run (a temporary SQLite file, or a new PostgreSQL database
next to the one --database-url names, dropped at the end). Generated strings contain NUL
unless --no-nul is given.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.adapters.app import build_app
from service.bootstrap import bootstrap
from service.config import Config
from tests.api.fuzzing import FuzzReport, admin_headers, fuzz
from tests.databases import PostgresFactory, SqliteFactory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: SQLite)")
    parser.add_argument("--max-examples", type=int, default=200,
                        help="examples per operation and generation mode, with an admin token")
    parser.add_argument("--anonymous-examples", type=int, default=20,
                        help="examples per operation and mode without a token (0: skip)")
    parser.add_argument("--seed", type=int, help="replay a run (default: a random seed)")
    parser.add_argument("--no-nul", action="store_true", help="no NUL characters in strings")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    logging.basicConfig(level=logging.CRITICAL)  # the report lists the 500s; no tracebacks

    folder = Path(tempfile.mkdtemp(prefix="lector-fuzz-"))
    factory = PostgresFactory(args.database_url) if args.database_url else SqliteFactory(folder)
    url = factory.new()
    lector = bootstrap(Config(database_url=url, secret_key="fuzz-secret", instance_dir=folder,
                              testing=True, min_position_wait_s=0.02))
    try:
        app = build_app(lector)
        app.config["TESTING"] = True
        print(f"seed {seed}, {args.max_examples} examples per operation and mode, "
              f"database {lector.engine.dialect.name}, NUL {'off' if args.no_nul else 'on'}")
        runs = [("admin", admin_headers(app, lector), args.max_examples)]
        if args.anonymous_examples:
            runs.append(("no token", {}, args.anonymous_examples))
        failed = False
        for name, headers, examples in runs:
            started = time.monotonic()
            report = fuzz(app, headers, max_examples=examples, derandomize=False, seed=seed,
                          allow_nul=not args.no_nul)
            failed |= _print(name, report, time.monotonic() - started)
        return 1 if failed else 0
    finally:
        lector.dispose()
        factory.drop(url)
        factory.close()


def _print(name: str, report: FuzzReport, seconds: float) -> bool:
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(report.statuses.items()))
    print(f"\n{name}: {report.cases} requests in {seconds:.0f} s ({statuses})")
    print(f"  {len(report.failures)} failures")
    for line in sorted(report.failures):
        print(f"  - {line}")
    return bool(report.failures)


if __name__ == "__main__":
    sys.exit(main())
