"""Differences between the sent and hold-out groups with 95 % confidence intervals.

Shares (who borrowed, who visited) use the two-proportion normal (Wald) interval; means
(loans per reader) use Welch's t interval with the Welch-Satterthwaite degrees of freedom.
Pure functions: no numpy or scipy (the t quantile is computed here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5 % quantile


@dataclass(frozen=True)
class Interval:
    """``difference`` = sent - hold-out, and its 95 % interval [low, high]."""

    difference: float
    low: float
    high: float


def proportion_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95
                          ) -> Interval | None:
    """Two-proportion normal interval for x1/n1 - x2/n2; None when a group is empty."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = x1 / n1, x2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    d = p1 - p2
    return Interval(d, d - z * se, d + z * se)


def mean_and_variance(n: int, total: float, squares: float) -> tuple[float, float]:
    """Mean and sample variance (n - 1) from a count, a sum and a sum of squares."""
    if n <= 0:
        return 0.0, 0.0
    mean = total / n
    if n == 1:
        return mean, 0.0
    return mean, max(0.0, (squares - n * mean * mean) / (n - 1))


def welch_difference(mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int,
                     level: float = 0.95) -> Interval | None:
    """Welch's t interval for mean1 - mean2; None when a group has fewer than two readers."""
    if n1 < 2 or n2 < 2:
        return None
    a, b = var1 / n1, var2 / n2
    d = mean1 - mean2
    se2 = a + b
    if se2 == 0:
        return Interval(d, d, d)
    df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    half = t_quantile(1 - (1 - level) / 2, df) * math.sqrt(se2)
    return Interval(d, d - half, d + half)


def t_cdf(t: float, df: float) -> float:
    """Student's t distribution function (via the regularised incomplete beta)."""
    x = df / (df + t * t)
    tail = 0.5 * _betainc(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The p quantile (0.5 < p < 1) of Student's t with ``df`` degrees of freedom."""
    if df > 1e7:
        df = 1e7
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) (continued fraction, Lentz)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                + a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1) / (a + b + 2):
        return 1 - _betainc(b, a, 1 - x)
    return math.exp(ln_front) * _betacf(a, b, x) / a


def _betacf(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h
