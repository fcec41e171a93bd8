"""How long a waiting hold may take: a plain estimate the portal shows beside the queue place."""

from __future__ import annotations

from math import ceil


def estimated_wait_days(queue_position: int, circulating_copies: int, loan_days: int) -> int | None:
    """Days until the hold is likely ready, or None when no copy circulates.

    The queue moves one reader per copy per loan period: the reader at place ``p`` waits for
    ``ceil(p / copies)`` loan periods. It assumes every reader ahead keeps the book the whole
    period and does not renew, so it is an upper bound in the usual case (early returns,
    holds cancelled ahead) and low only when readers ahead renew or return late.
    """
    if circulating_copies <= 0 or queue_position <= 0:
        return None
    return ceil(queue_position / circulating_copies) * loan_days
