"""Circulation policy matrix: resolution, validation, serialisation and defaults."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.library.policy import (
    PolicyInvalid,
    PolicyMatrix,
    PolicyRule,
    default_matrix,
    hold_limit_for,
    loan_limit_for,
)

FALLBACK = PolicyRule(
    None, None, None, loan_days=30, renewals_allowed=1, renewal_days=30, loan_limit=10,
    hold_limit=5, daily_fine_fen=10, fine_cap_fen=2000, grace_days=0, pickup_days=7,
)  # fmt: skip


def rule(
    category: str | None = None,
    item_type: str | None = None,
    branch: str | None = None,
    **changes: Any,
) -> PolicyRule:
    return replace(
        FALLBACK, reader_category=category, item_type=item_type, branch=branch, **changes
    )


def matrix(*rules: PolicyRule) -> PolicyMatrix:
    return PolicyMatrix(rules, block_fine_threshold_fen=1000, block_overdue_days=30)


def test_the_fallback_rule_answers_when_nothing_more_specific_matches() -> None:
    m = matrix(FALLBACK, rule("child", loan_days=21))
    assert m.resolve("adult", "book", "central") == FALLBACK


def test_a_rule_naming_two_fields_beats_a_rule_naming_one() -> None:
    m = matrix(FALLBACK, rule(branch="east", loan_days=7), rule("child", "av", loan_days=10))
    assert m.resolve("child", "av", "east").loan_days == 10


def test_the_exact_rule_for_all_three_fields_wins() -> None:
    m = matrix(
        FALLBACK,
        rule("child", "av", loan_days=10),
        rule("child", "av", "east", loan_days=3),
        rule("child", None, "east", loan_days=5),
    )
    assert m.resolve("child", "av", "east").loan_days == 3


def test_on_a_tie_a_branch_rule_beats_a_category_rule() -> None:
    m = matrix(FALLBACK, rule("child", loan_days=21), rule(branch="east", loan_days=7))
    assert m.resolve("child", "book", "east").loan_days == 7


def test_on_a_tie_a_category_rule_beats_an_item_type_rule() -> None:
    m = matrix(FALLBACK, rule(item_type="av", loan_days=14), rule("child", loan_days=21))
    assert m.resolve("child", "av", "central").loan_days == 21


def test_on_a_tie_of_two_named_fields_branch_and_category_beat_branch_and_item_type() -> None:
    m = matrix(
        FALLBACK,
        rule(None, "av", "east", loan_days=4),
        rule("child", None, "east", loan_days=5),
        rule("child", "av", None, loan_days=6),
    )
    assert m.resolve("child", "av", "east").loan_days == 5


def test_a_rule_for_another_category_never_applies() -> None:
    m = matrix(FALLBACK, rule("staff", loan_days=60))
    assert m.resolve("adult", None, None).loan_days == 30


def test_resolving_without_any_matching_rule_raises_policy_invalid() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(rule("child")).resolve("adult", "book", "east")
    assert "rules" in err.value.problems


def test_a_sound_matrix_validates() -> None:
    matrix(FALLBACK, rule("child", loan_limit=5)).validate()


def test_a_matrix_without_fallback_is_invalid() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(rule("child")).validate()
    assert set(err.value.problems) == {"rules"}
    assert "兜底" in err.value.messages("zh-CN")["rules"]


def test_negative_numbers_are_reported_per_field() -> None:
    bad = rule("child", loan_limit=-1, daily_fine_fen=-5)
    with pytest.raises(PolicyInvalid) as err:
        matrix(FALLBACK, bad).validate()
    assert set(err.value.problems) == {"rules[1].loan_limit", "rules[1].daily_fine_fen"}


def test_two_rules_with_the_same_key_are_reported_as_duplicates() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(FALLBACK, rule("child"), rule("child", loan_days=5)).validate()
    assert set(err.value.problems) == {"rules[2]"}
    assert "rules[1]" in err.value.messages("en")["rules[2]"]


def test_a_fine_cap_below_the_daily_fine_is_invalid() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(FALLBACK, rule("child", daily_fine_fen=50, fine_cap_fen=20)).validate()
    assert set(err.value.problems) == {"rules[1].fine_cap_fen"}


def test_a_zero_cap_is_fine_when_there_is_no_daily_fine() -> None:
    matrix(FALLBACK, rule("staff", daily_fine_fen=0, fine_cap_fen=0)).validate()


def test_a_zero_loan_period_and_zero_pickup_days_are_invalid() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(FALLBACK, rule("child", loan_days=0, pickup_days=0)).validate()
    assert set(err.value.problems) == {"rules[1].loan_days", "rules[1].pickup_days"}


def test_renewals_without_renewal_days_are_invalid() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(FALLBACK, rule("child", renewals_allowed=2, renewal_days=0)).validate()
    assert set(err.value.problems) == {"rules[1].renewal_days"}


def test_absurdly_long_periods_and_blank_names_are_invalid() -> None:
    with pytest.raises(PolicyInvalid) as err:
        matrix(FALLBACK, rule(" ", loan_days=100_000)).validate()
    assert set(err.value.problems) == {"rules[1].reader_category", "rules[1].loan_days"}


def test_negative_block_thresholds_are_invalid() -> None:
    bad = PolicyMatrix((FALLBACK,), block_fine_threshold_fen=-1, block_overdue_days=-2)
    with pytest.raises(PolicyInvalid) as err:
        bad.validate()
    assert set(err.value.problems) == {"block_fine_threshold_fen", "block_overdue_days"}


def test_a_matrix_round_trips_through_json() -> None:
    m = default_matrix()
    assert PolicyMatrix.from_dict(json.loads(json.dumps(m.to_dict()))) == m


def test_wildcards_are_stored_as_null() -> None:
    assert FALLBACK.to_dict()["reader_category"] is None


def test_parsing_reports_missing_mistyped_and_unknown_fields() -> None:
    raw = FALLBACK.to_dict()
    del raw["loan_days"]
    raw["grace_days"] = "3"
    raw["loan_dayz"] = 30
    with pytest.raises(PolicyInvalid) as err:
        PolicyMatrix.from_dict({"rules": [raw, 7], "block_overdue_days": True, "x": 1})
    assert set(err.value.problems) == {
        "rules[0].loan_days",
        "rules[0].grace_days",
        "rules[0].loan_dayz",
        "rules[1]",
        "block_fine_threshold_fen",
        "block_overdue_days",
        "x",
    }


def test_the_default_matrix_is_valid_and_follows_chinese_public_library_practice() -> None:
    m = default_matrix()
    m.validate()
    adult_book = m.resolve("adult", "book", "central")
    assert (adult_book.loan_days, adult_book.renewals_allowed, adult_book.loan_limit) == (30, 1, 10)
    assert (adult_book.daily_fine_fen, adult_book.fine_cap_fen, adult_book.pickup_days) == (
        10,
        2000,
        7,
    )


def test_in_the_default_matrix_children_keep_their_lower_fines_on_periodicals() -> None:
    child_periodical = default_matrix().resolve("child", "periodical", None)
    assert child_periodical.loan_days == 14
    assert child_periodical.daily_fine_fen == 5
    assert child_periodical.loan_limit == 5


def test_in_the_default_matrix_staff_pay_no_fines() -> None:
    assert default_matrix().resolve("staff", "av", "east").daily_fine_fen == 0


def test_an_unknown_category_gets_the_fallback_row() -> None:
    assert default_matrix().resolve("visitor", "book", None).loan_limit == 10


def test_the_overall_loan_limit_is_the_category_row_ignoring_item_type_rows() -> None:
    m = matrix(FALLBACK, rule("child", loan_limit=5), rule("child", "av", loan_limit=2))
    assert loan_limit_for(m, "child") == 5
    assert loan_limit_for(m, "adult") == 10


def test_the_overall_loan_limit_ignores_branch_specific_category_rows() -> None:
    m = matrix(FALLBACK, rule("child", branch="east", loan_limit=3))
    assert loan_limit_for(m, "child") == 10


def test_the_overall_hold_limit_is_the_category_row() -> None:
    assert hold_limit_for(default_matrix(), "child") == 3


names = st.sampled_from(["adult", "child", "staff", "student", None])
items = st.sampled_from(["book", "av", "periodical", None])
branches = st.sampled_from(["central", "east", None])


@st.composite
def matrices(draw: st.DrawFn) -> PolicyMatrix:
    keys = draw(st.sets(st.tuples(names, items, branches), max_size=20))
    rules = [rule(*key, loan_days=i + 1) for i, key in enumerate(sorted(keys, key=repr))]
    return matrix(FALLBACK, *(r for r in rules if r.key != (None, None, None)))


@given(matrices(), names, items, branches)
def test_resolution_picks_a_matching_rule_at_least_as_specific_as_every_other_match(
    m: PolicyMatrix, category: str | None, item_type: str | None, branch: str | None
) -> None:
    winner = m.resolve(category, item_type, branch)
    assert winner.matches(category, item_type, branch)
    matching = [r for r in m.rules if r.matches(category, item_type, branch)]
    assert all(winner.specificity >= r.specificity for r in matching)
    # The winner is unique: no other matching rule has the same precedence.
    assert sum(r.precedence() == winner.precedence() for r in matching) == 1


@given(matrices(), names, items, branches)
def test_resolution_does_not_depend_on_the_order_of_rules(
    m: PolicyMatrix, category: str | None, item_type: str | None, branch: str | None
) -> None:
    reversed_m = replace(m, rules=tuple(reversed(m.rules)))
    assert reversed_m.resolve(category, item_type, branch) == m.resolve(
        category, item_type, branch
    )


def test_counts_money_and_block_days_have_upper_bounds() -> None:
    bad = PolicyMatrix((replace(FALLBACK, loan_limit=10**30, hold_limit=1001,
                                renewals_allowed=1001, fine_cap_fen=10**9 + 1),),
                       block_fine_threshold_fen=10**9 + 1, block_overdue_days=3661)
    with pytest.raises(PolicyInvalid) as err:
        bad.validate()
    assert set(err.value.problems) == {
        "rules[0].loan_limit", "rules[0].hold_limit", "rules[0].renewals_allowed",
        "rules[0].fine_cap_fen", "block_fine_threshold_fen", "block_overdue_days"}
    assert "不能超过 1000" in err.value.messages("zh-CN")["rules[0].loan_limit"]
    edge = PolicyMatrix((replace(FALLBACK, loan_limit=1000, fine_cap_fen=10**9),),
                        block_fine_threshold_fen=10**9, block_overdue_days=3660)
    edge.validate()


def test_renewing_overdue_loans_is_off_unless_the_policy_says_so() -> None:
    recorded_before = {k: v for k, v in default_matrix().to_dict().items()
                       if k != "renew_overdue"}
    assert PolicyMatrix.from_dict(recorded_before).renew_overdue is False
    allowing = PolicyMatrix.from_dict({**recorded_before, "renew_overdue": True})
    assert allowing.renew_overdue is True
    assert PolicyMatrix.from_dict(allowing.to_dict()) == allowing
    with pytest.raises(PolicyInvalid) as err:
        PolicyMatrix.from_dict({**recorded_before, "renew_overdue": "yes"})
    assert set(err.value.problems) == {"renew_overdue"}
