"""Back-off between notice retries: grows, is capped, and jitter never makes it shrink."""

from __future__ import annotations

import random

import pytest

from workers.notices.delivery import retry_delay


def test_retry_delays_double_from_the_base_until_they_reach_the_cap() -> None:
    delays = [retry_delay(n, base=30, cap=3600, jitter=1.0) for n in range(10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_with_any_jitter_a_retry_never_waits_less_than_the_one_before_until_the_cap() -> None:
    rng = random.Random(20261202)
    for _ in range(200):
        delays = [retry_delay(n, base=30, cap=3600, jitter=rng.random()) for n in range(7)]
        assert delays == sorted(delays)
        assert all(15 * 2**n <= d <= 30 * 2**n for n, d in enumerate(delays))


def test_with_any_jitter_no_delay_exceeds_the_cap_even_after_very_many_tries() -> None:
    rng = random.Random(7)
    for attempt in (7, 20, 63, 500, 10_000):
        delay = retry_delay(attempt, base=30, cap=3600, jitter=rng.random())
        assert 1800 <= delay <= 3600


def test_jitter_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError):
        retry_delay(1, jitter=1.5)
