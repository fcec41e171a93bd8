"""The worker process's Lector, built lazily after fork (never at import time)."""

from __future__ import annotations

import threading

from service.bootstrap import Lector, bootstrap
from service.config import Config

_lock = threading.Lock()
_lector: Lector | None = None


def get_lector() -> Lector:
    """This process's composition root (one per forked worker child)."""
    global _lector
    with _lock:
        if _lector is None:
            _lector = bootstrap(Config.from_env())
        return _lector


def set_lector(lector: Lector | None) -> None:
    """Install a ready-made Lector (embedded mode and tests share the caller's)."""
    global _lector
    with _lock:
        _lector = lector


def reset_after_fork() -> None:
    """Forget the parent's connections; the child builds its own on first use."""
    global _lector
    _lector = None
