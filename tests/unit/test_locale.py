"""The one locale module: CLDR money, dates and numbers in both languages; exact parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.locale import (
    AmountInvalid,
    decimal_to_fen,
    fen_to_decimal,
    format_date,
    format_datetime,
    format_money,
    format_number,
    negotiate_lang,
    parse_money,
)


def test_an_amount_is_shown_with_cldrs_yuan_sign_in_each_language() -> None:
    assert format_money(1230, "zh-CN") == "¥12.30"
    assert format_money(1230, "en") == "CN¥12.30"


def test_thousands_are_grouped_and_small_amounts_keep_two_decimals() -> None:
    assert format_money(123_456_78, "en") == "CN¥123,456.78"
    assert format_money(5, "zh") == "¥0.05"
    assert format_money(0, "en") == "CN¥0.00"


def test_a_negative_amount_puts_the_sign_first() -> None:
    assert format_money(-1230, "en") == "-CN¥12.30"
    assert format_money(-1230, "zh-CN") == "-¥12.30"


def test_an_unknown_language_formats_like_english() -> None:
    assert format_money(100, "fr") == "CN¥1.00"
    assert format_money(100, None) == "CN¥1.00"


def test_money_must_be_integer_fen_never_a_float() -> None:
    with pytest.raises(TypeError):
        format_money(12.3, "en")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_money(True, "en")


def test_fen_and_yuan_convert_exactly_both_ways() -> None:
    assert fen_to_decimal(1250) == Decimal("12.50") and str(fen_to_decimal(-7)) == "-0.07"
    assert decimal_to_fen(Decimal("0.29")) == 29
    with pytest.raises(ValueError):
        decimal_to_fen(Decimal("0.001"))


def test_dates_use_cldr_long_form_in_each_language() -> None:
    assert format_date(date(2026, 12, 3), "zh-CN") == "2026年12月3日"
    assert format_date(date(2026, 12, 3), "en") == "December 3, 2026"
    assert format_date("2026-12-10", "en") == "December 10, 2026"


def test_an_instant_is_shown_in_the_library_zone_it_is_given() -> None:
    moment = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert format_datetime(moment, "zh-CN", "Asia/Shanghai") == "2026年12月3日 17:00"
    assert format_datetime(moment, "en", "Asia/Shanghai") == "December 3, 2026, 5:00\u202fPM"
    assert format_datetime(moment, "en", "Europe/London") == "December 3, 2026, 9:00\u202fAM"
    # The day itself moves with the zone: 20:00 UTC is already tomorrow in Shanghai.
    assert format_date(datetime(2026, 12, 3, 20, tzinfo=UTC), "zh-CN", "Asia/Shanghai") == (
        "2026年12月4日")


def test_an_aware_instant_without_a_zone_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError):
        format_datetime(datetime(2026, 12, 3, 9, tzinfo=UTC), "en")


def test_numbers_are_grouped() -> None:
    assert format_number(1234567, "zh-CN") == "1,234,567"
    assert format_number(1234567, "en") == "1,234,567"


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [("zh-CN", "en", "zh-CN"), ("zh", "en", "zh-CN"), ("zh_CN", "en", "zh-CN"),
     ("ZH-Hans", "en", "zh-CN"), ("en-US", "zh-CN", "en"), ("EN", "zh-CN", "en"),
     ("fr", "en", "en"), ("fr", "zh-CN", "zh-CN"), ("", "zh-CN", "zh-CN"), (None, "en", "en"),
     ("fr-FR,en;q=0.8,zh;q=0.9", "en", "zh-CN"), ("en-GB,en;q=0.9,zh-CN;q=0.8", "zh-CN", "en"),
     ("zh;q=0, en;q=0.1", "zh-CN", "en"), ("*", "zh-CN", "zh-CN"), ("de;q=x", "en", "en")],
)  # fmt: skip
def test_one_rule_negotiates_a_tag_or_an_accept_language_header(
    value: str | None, default: str, expected: str
) -> None:
    assert negotiate_lang(value, default) == expected


def test_the_fallback_language_must_be_one_we_ship() -> None:
    with pytest.raises(ValueError):
        negotiate_lang("zh", "fr")


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
        ("CN¥1,234.50", 123450),
        ("-CN¥0.07", -7),
    ],
)
def test_a_yuan_amount_is_read_exactly_into_fen(text: str, fen: int) -> None:
    assert parse_money(text) == fen


@pytest.mark.parametrize(
    "text",
    ["12.345", "0.001", "", "  ", "abc", "1e3", "12.", ".5", "1,23", "1 2", "12.3.4", "NaN", "٣"],
)
def test_malformed_amounts_and_more_than_two_decimals_are_refused(text: str) -> None:
    with pytest.raises(AmountInvalid) as err:
        parse_money(text)
    assert "amount" in err.value.problems
    assert "两位小数" in err.value.messages("zh-CN")["amount"]


def test_an_absurdly_large_amount_is_refused() -> None:
    with pytest.raises(AmountInvalid):
        parse_money("1" * 16)


def test_the_decimal_that_floats_get_wrong_is_exact() -> None:
    # float("0.29") * 100 == 28.999999999999996
    assert parse_money("0.29") == 29
    assert parse_money("1.15") == 115


@given(st.integers(-10**15, 10**15), st.sampled_from(["en", "zh-CN"]))
def test_parsing_what_was_formatted_gives_the_same_fen(fen: int, lang: str) -> None:
    assert parse_money(format_money(fen, lang)) == fen


@given(st.integers(0, 10**12), st.integers(0, 99))
def test_a_plain_decimal_string_reads_as_yuan_and_fen(yuan: int, cents: int) -> None:
    assert parse_money(f"{yuan}.{cents:02d}") == yuan * 100 + cents
