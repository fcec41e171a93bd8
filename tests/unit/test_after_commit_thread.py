"""InBackground: a command's after-commit work on one thread of the process, after it returns.

Real threads, no fakes of the thread itself: the hook is a plain function that records what
it was given, gated where a test needs a run to be in progress.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from service.adapters.dispatch import InBackground
from service.config import Config


def test_the_hook_runs_on_another_thread_with_the_position() -> None:
    seen: list[tuple[int, str]] = []
    later = InBackground(lambda p: seen.append((p, threading.current_thread().name)))
    later(7)
    assert later.drain(5)
    assert seen == [(7, "lector-after-commit")]


def test_positions_signalled_during_a_run_make_one_more_run_with_the_highest() -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def hook(position: int) -> None:
        seen.append(position)
        started.set()
        release.wait(5)

    later = InBackground(hook)
    later(1)
    assert started.wait(5)
    for position in (4, 2, 3):  # a burst while the first run is still folding
        later(position)
    assert not later.drain(0.2)  # still busy: drain says so instead of pretending
    release.set()
    assert later.drain(5)
    assert seen == [1, 4]


def test_a_failing_run_does_not_stop_the_next_one() -> None:
    seen: list[int] = []

    def hook(position: int) -> None:
        seen.append(position)
        if position == 1:
            raise RuntimeError("database went away")

    later = InBackground(hook)
    later(1)
    assert later.drain(5)
    later(2)
    assert later.drain(5)
    assert seen == [1, 2]


def test_the_setting_is_read_from_the_environment_and_checked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LECTOR_AFTER_COMMIT", raising=False)
    assert Config.from_env().after_commit is None
    monkeypatch.setenv("LECTOR_AFTER_COMMIT", "inline")
    assert Config.from_env().after_commit == "inline"
    monkeypatch.setenv("LECTOR_AFTER_COMMIT", "later")
    with pytest.raises(ValueError, match="LECTOR_AFTER_COMMIT"):
        Config.from_env()


def test_a_process_that_exits_finishes_the_pass_it_owes_first(tmp_path: Path) -> None:
    done = tmp_path / "folded"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from service.adapters.dispatch import InBackground

        def hook(position):
            time.sleep(0.3)  # a fold still running when the process is told to stop
            Path({str(done)!r}).write_text(str(position))

        later = InBackground(hook)
        later(42)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=30,
                   cwd=Path(__file__).resolve().parents[2])
    assert done.read_text() == "42"
