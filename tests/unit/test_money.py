"""Money in integer fen: formatting for people and exact parsing of yuan amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.core.money import AmountInvalid, format_fen, parse_yuan


def test_an_amount_is_shown_with_the_yen_sign_in_english() -> None:
    assert format_fen(1230, "en") == "¥12.30"


def test_an_amount_is_shown_in_yuan_in_chinese() -> None:
    assert format_fen(1230, "zh-CN") == "12.30 元"


def test_thousands_are_grouped_and_small_amounts_keep_two_decimals() -> None:
    assert format_fen(123_456_78, "en") == "¥123,456.78"
    assert format_fen(5, "zh") == "0.05 元"
    assert format_fen(0, "en") == "¥0.00"


def test_a_negative_amount_puts_the_sign_first() -> None:
    assert format_fen(-1230, "en") == "-¥12.30"
    assert format_fen(-1230, "zh-CN") == "-12.30 元"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert format_fen(100, "fr") == "¥1.00"
    assert format_fen(100, None) == "¥1.00"


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.3", 1230),
        ("12.30", 1230),
        ("0.05", 5),
        (" 8 元 ", 800),
        ("¥1,234.50", 123450),
        ("￥12.30", 1230),
        ("１２．５０", 1250),
        ("-5", -500),
        ("+3.10", 310),
        ("-¥12.30", -1230),
    ],
)
def test_a_yuan_amount_is_read_exactly_into_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text",
    ["12.345", "0.001", "", "  ", "abc", "1e3", "12.", ".5", "1,23", "1 2", "12.3.4", "NaN", "٣"],
)
def test_malformed_amounts_and_more_than_two_decimals_are_refused(text: str) -> None:
    with pytest.raises(AmountInvalid) as err:
        parse_yuan(text)
    assert "amount" in err.value.problems
    assert "两位小数" in err.value.messages("zh-CN")["amount"]


def test_an_absurdly_large_amount_is_refused() -> None:
    with pytest.raises(AmountInvalid):
        parse_yuan("1" * 16)


def test_the_decimal_that_floats_get_wrong_is_exact() -> None:
    # float("0.29") * 100 == 28.999999999999996
    assert parse_yuan("0.29") == 29
    assert parse_yuan("1.15") == 115


@given(st.integers(-10**15, 10**15), st.sampled_from(["en", "zh-CN"]))
def test_parsing_what_was_formatted_gives_the_same_fen(fen: int, lang: str) -> None:
    assert parse_yuan(format_fen(fen, lang)) == fen


@given(st.integers(0, 10**12), st.integers(0, 99))
def test_a_plain_decimal_string_reads_as_yuan_and_fen(yuan: int, cents: int) -> None:
    assert parse_yuan(f"{yuan}.{cents:02d}") == yuan * 100 + cents
