"""RFV scores and named segments: pure functions, no database (documented in docs/readers.md).

R (recency: days since the last loan), F (frequency: loans in the window) and V (volume as
breadth: distinct classes borrowed in the window) are each scored 1..5 by quintile among the
readers who borrowed in the window (5 is best: most recent, most loans, most classes). A reader
who keeps no reading history is never profiled from their titles: their V is not computed and
their F score stands in for it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SEGMENTS = ("champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost")
NEW_READER_DAYS = 90


@dataclass(frozen=True)
class ReaderActivity:
    """What the window shows of one reader, as of the cut-off."""

    reader_id: str
    tenure_days: int  # days since registration
    recency_days: int | None  # None: no loan in the window
    frequency: int  # loans in the window
    breadth: int | None  # distinct classes in the window; None when history is off


@dataclass(frozen=True)
class Scored:
    reader_id: str
    recency: int  # 0 when there was no loan in the window
    frequency: int
    volume: int
    segment: str


def quintile(value: float, sorted_values: Sequence[float]) -> int:
    """1..5: the fifth of ``sorted_values`` that ``value`` falls in (ties share a score)."""
    if not sorted_values:
        return 0
    below = bisect_left(sorted_values, value)
    return 1 + min(4, (5 * below) // len(sorted_values))


def name_segment(r: int, f: int, v: int, tenure_days: int, borrowed: bool) -> str:
    """The named segment of one reader's scores (first rule that matches wins)."""
    if tenure_days <= NEW_READER_DAYS:
        return "new"
    if not borrowed:
        return "lost"
    if r >= 4 and f >= 4 and v >= 4:
        return "champions"
    if r >= 3 and f >= 4:
        return "loyal"
    if r <= 2 and f >= 3:
        return "at_risk"
    if r >= 4:
        return "promising"
    return "hibernating"


def score_readers(readers: Sequence[ReaderActivity]) -> list[Scored]:
    """Quintile scores and segments for every reader, deterministically (sorted by id)."""
    active = [a for a in readers if a.recency_days is not None]
    # Recency: fewer days is better, so score the negated days.
    recencies = sorted(-float(a.recency_days or 0) for a in active)
    frequencies = sorted(float(a.frequency) for a in active)
    breadths = sorted(float(a.breadth) for a in active if a.breadth is not None)
    out = []
    for a in sorted(readers, key=lambda x: x.reader_id):
        if a.recency_days is None:
            r = f = v = 0
        else:
            r = quintile(-float(a.recency_days), recencies)
            f = quintile(float(a.frequency), frequencies)
            v = quintile(float(a.breadth), breadths) if a.breadth is not None else f
        segment = name_segment(r, f, v, a.tenure_days, a.recency_days is not None)
        out.append(Scored(a.reader_id, r, f, v, segment))
    return out


def movements(before: Mapping[str, str], after: Mapping[str, str]) -> dict[tuple[str, str], int]:
    """How many readers went from each segment to each other (or stayed), between two
    snapshots; readers in only one snapshot count from or to 'none'."""
    counts: dict[tuple[str, str], int] = {}
    for reader in sorted(set(before) | set(after)):
        key = (before.get(reader, "none"), after.get(reader, "none"))
        counts[key] = counts.get(key, 0) + 1
    return counts
