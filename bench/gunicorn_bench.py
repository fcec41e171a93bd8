"""gunicorn settings for bench/circulation_bench.py: `gunicorn -c python:bench.gunicorn_bench`.

Each worker, once it has loaded the app, leaves ``<pid>.ready`` in LECTOR_BENCH_READY_DIR, so
the bench starts measuring only when every worker can serve (without this, the first round
ran while some workers were still importing the app and its p99 showed their start-up).

With LECTOR_BENCH_PROFILE_DIR set, each worker also runs under cProfile from then on (a sync
worker serves one request at a time on its main thread, so one profiler sees every request
it serves, and none of its start-up) and writes ``<pid>.prof`` there when it exits
(gunicorn's TERM ends workers gracefully). Read them with pstats.
"""

from __future__ import annotations

import cProfile
import os
from pathlib import Path
from typing import Any

_profiles: dict[int, cProfile.Profile] = {}


def post_worker_init(worker: Any) -> None:
    if os.environ.get("LECTOR_BENCH_PROFILE_DIR"):
        profiler = cProfile.Profile()
        _profiles[os.getpid()] = profiler
        profiler.enable()
    ready = os.environ.get("LECTOR_BENCH_READY_DIR")
    if ready:
        (Path(ready) / f"{os.getpid()}.ready").touch()


def worker_exit(server: Any, worker: Any) -> None:
    profiler = _profiles.pop(os.getpid(), None)
    if profiler is None:
        return
    profiler.disable()
    folder = Path(os.environ["LECTOR_BENCH_PROFILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(folder / f"{os.getpid()}.prof"))
