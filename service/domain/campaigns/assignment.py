"""The hold-out draw: deterministic from a seed, reproducible by anyone who has the log."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

SENT = "sent"
HOLDOUT = "holdout"
GROUPS = (SENT, HOLDOUT)


def draw_key(seed: int, reader_id: str) -> str:
    """The reader's place in the seeded random order (SHA-256: stable across Pythons)."""
    return hashlib.sha256(f"{seed}:{reader_id}".encode()).hexdigest()


def holdout_size(audience: int, holdout_pct: int) -> int:
    """How many readers the hold-out gets: the percentage, rounded half up."""
    return (audience * holdout_pct * 2 + 100) // 200


def assign(reader_ids: Iterable[str], seed: int, holdout_pct: int) -> dict[str, str]:
    """reader id -> "sent" or "holdout": the first ``holdout_size`` in seeded order are held out."""
    readers = sorted(set(reader_ids))
    order = sorted(readers, key=lambda r: draw_key(seed, r))
    held = set(order[:holdout_size(len(order), holdout_pct)])
    return {r: HOLDOUT if r in held else SENT for r in readers}
