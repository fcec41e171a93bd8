"""Small numeric helpers shared by calibration and plan statistics (pure, stdlib only)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def fit_zipf_exponent(counts: Sequence[int]) -> float:
    """Least-squares slope s of log(count) = c - s*log(rank) over counts sorted descending."""
    ranked = sorted((c for c in counts if c > 0), reverse=True)
    if len(ranked) < 3:
        raise ValueError("need at least three positive counts to fit a Zipf exponent")
    xs = [math.log(rank) for rank in range(1, len(ranked) + 1)]
    ys = [math.log(c) for c in ranked]
    mx = sum(xs) / len(xs)
    my = sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return -sxy / sxx


def harmonic(n: int, s: float) -> float:
    """Generalised harmonic number H(n, s) = sum of r**-s for r in 1..n."""
    return math.fsum(math.pow(r, -s) for r in range(1, n + 1))


def zipf_top_share(s: float, n_titles: int, fraction: float) -> float:
    """Share of loans taken by the top `fraction` of `n_titles` titles under Zipf(s)."""
    k = max(1, round(fraction * n_titles))
    return harmonic(k, s) / harmonic(n_titles, s)


def top_share(counts: Sequence[int], n_titles: int, fraction: float) -> float:
    """Observed share of the total taken by the top `fraction` of `n_titles` (zeros included)."""
    total = sum(counts)
    if total == 0:
        return 0.0
    k = max(1, round(fraction * n_titles))
    return sum(sorted(counts, reverse=True)[:k]) / total


def coefficient_of_variation(values: Sequence[float]) -> float:
    """Population standard deviation divided by the mean."""
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return math.sqrt(var) / mean


def peak_trough_ratio(values: Sequence[float]) -> float:
    """Largest value divided by the smallest."""
    return max(values) / min(values)
