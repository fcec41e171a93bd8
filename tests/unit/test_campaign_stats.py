"""The uplift statistics against figures worked by hand (and the t table)."""

from __future__ import annotations

import math

import pytest

from service.domain.campaigns.assignment import HOLDOUT, SENT, assign, holdout_size
from service.domain.campaigns.stats import (
    mean_and_variance,
    proportion_difference,
    t_quantile,
    welch_difference,
)


def test_two_proportion_interval_matches_the_hand_computed_one() -> None:
    # 30/100 vs 20/100: d = 0.10, se = sqrt(.3*.7/100 + .2*.8/100) = sqrt(.0037) = .0608276
    ci = proportion_difference(30, 100, 20, 100)
    assert ci is not None
    assert ci.difference == pytest.approx(0.10)
    assert ci.low == pytest.approx(0.10 - 1.959964 * 0.0608276, abs=1e-6)  # -0.019220
    assert ci.high == pytest.approx(0.219220, abs=1e-6)


def test_an_empty_group_has_no_interval() -> None:
    assert proportion_difference(3, 10, 0, 0) is None
    assert welch_difference(1.0, 1.0, 1, 1.0, 1.0, 5) is None


@pytest.mark.parametrize(("df", "expected"), [
    (1, 12.706205), (2, 4.302653), (5, 2.570582), (10, 2.228139), (30, 2.042272),
    (1000, 1.962339)])
def test_t_quantile_matches_the_table(df: float, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-5)


def test_welch_interval_matches_the_hand_computed_one() -> None:
    # sent [1,2,3,4,5]: mean 3, var 2.5; hold-out [1,1,2,2]: mean 1.5, var 1/3.
    m1, v1 = mean_and_variance(5, 15, 55)
    m2, v2 = mean_and_variance(4, 6, 10)
    assert (m1, v1) == (3.0, 2.5)
    assert (m2, v2) == pytest.approx((1.5, 1 / 3))
    ci = welch_difference(m1, v1, 5, m2, v2, 4)
    assert ci is not None
    se = math.sqrt(2.5 / 5 + (1 / 3) / 4)  # 0.763763
    df = se ** 4 / ((2.5 / 5) ** 2 / 4 + ((1 / 3) / 4) ** 2 / 3)  # 5.2500
    assert df == pytest.approx(5.25, abs=1e-3)
    half = t_quantile(0.975, df) * se
    assert 2.50 < t_quantile(0.975, df) < 2.57  # between the table's t(6) and t(5)
    assert ci.difference == 1.5
    assert ci.low == pytest.approx(1.5 - half) and ci.high == pytest.approx(1.5 + half)
    # t(0.975, 5.25) by interpolating the table in 1/df: 2.5353, so low = 1.5 - 2.5353 * se
    assert ci.low == pytest.approx(-0.4364, abs=2e-3)


def test_equal_groups_with_no_spread_give_a_point() -> None:
    ci = welch_difference(2.0, 0.0, 3, 2.0, 0.0, 3)
    assert ci is not None and (ci.low, ci.high) == (0.0, 0.0)


def test_the_draw_is_deterministic_and_holds_out_the_percentage() -> None:
    readers = [f"R{i}" for i in range(200)]
    first = assign(readers, 42, 10)
    assert first == assign(list(reversed(readers)), 42, 10)
    assert sum(g == HOLDOUT for g in first.values()) == 20 == holdout_size(200, 10)
    assert set(first.values()) == {SENT, HOLDOUT}
    assert assign(readers, 43, 10) != first  # another seed, another draw
    assert holdout_size(15, 10) == 2 and holdout_size(14, 10) == 1 and holdout_size(5, 0) == 0
