"""Several SIP2 server processes on one port: a parent that forks and supervises them.

One Python process serves every kiosk under one GIL, so twenty kiosks queue behind each
other's decoding, folding and encoding (issue 17). Each child binds the same port with
SO_REUSEPORT and the kernel spreads new connections over the children. The parent opens no
database connection and no socket: a child builds its own engine and Lector after the fork,
so no connection is ever shared across processes. The parent restarts a child that dies and,
on SIGTERM or SIGINT, stops every child with SIGTERM (each closes its connections cleanly)
and waits for them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("lector.sip2")

# A child that dies this soon after its start is failing, not unlucky: wait before the next.
RESTART_BACKOFF_S = 1.0
STOP_GRACE_S = 10.0


class Supervisor:
    """Fork ``count`` children running ``serve`` (which must return when sent SIGTERM)."""

    def __init__(self, count: int, serve: Callable[[int], None], *,
                 grace_s: float = STOP_GRACE_S) -> None:
        if count < 1:
            raise ValueError("at least one SIP2 process")
        self.count, self.serve, self.grace_s = count, serve, grace_s
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (slot, started at)
        self.stopping = False

    def run(self) -> int:
        """Start the children and supervise them until SIGTERM/SIGINT; return an exit code."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for slot in range(self.count):
                self._spawn(slot)
            while not self.stopping:
                self._reap_and_restart()
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _spawn(self, slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the child: its own signal handling, its own engine (built in serve)
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides on Ctrl+C
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                self.serve(slot)
            except BaseException:
                log.exception("sip2 process %d failed", os.getpid())
                code = 1
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = (slot, time.monotonic())
        log.info("sip2 process %d started (slot %d of %d)", pid, slot + 1, self.count)

    def _reap_and_restart(self) -> None:
        # Polled, not a blocking wait: a blocking waitpid resumes after the signal handler
        # (PEP 475), so SIGTERM would not be seen until some child died.
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            self.stopping = True
            return
        if pid == 0 or pid not in self.children:
            time.sleep(0.1)
            return
        slot, started = self.children.pop(pid)
        if self.stopping:
            return
        log.warning("sip2 process %d ended (%s); starting another", pid, _describe(status))
        if time.monotonic() - started < RESTART_BACKOFF_S:
            time.sleep(RESTART_BACKOFF_S)
        if not self.stopping:
            self._spawn(slot)

    def _stop_children(self) -> None:
        for pid in list(self.children):
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while self.children and time.monotonic() < deadline:
            for pid in list(self.children):
                if _reaped(pid, os.WNOHANG):
                    self.children.pop(pid)
            time.sleep(0.05)
        for pid in list(self.children):
            log.warning("sip2 process %d did not stop in %ss; killing it", pid, self.grace_s)
            _signal(pid, signal.SIGKILL)
            _reaped(pid, 0)
            self.children.pop(pid)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reaped(pid: int, flags: int) -> bool:
    try:
        return os.waitpid(pid, flags)[0] != 0
    except ChildProcessError:
        return True  # already reaped


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
