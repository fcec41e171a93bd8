"""Automatic reader blocks and their bilingual explanations (plus the Message helper)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from service.domain.i18n import Message
from service.domain.library.policy import PolicyMatrix, default_matrix
from service.domain.locale import negotiate_lang
from service.domain.readers.blocks import BlockReason, block_message, block_reasons, days_overdue, message

TODAY = date(2025, 11, 20)
MATRIX = replace(default_matrix(), block_fine_threshold_fen=1000, block_overdue_days=30)


def reasons(
    *,
    manual_block: str | None = None,
    fines_owed_fen: int = 0,
    oldest_due: date | None = None,
    card_expires: date | None = None,
    matrix: PolicyMatrix = MATRIX,
) -> list[BlockReason]:
    return block_reasons(
        manual_block=manual_block,
        fines_owed_fen=fines_owed_fen,
        oldest_due=oldest_due,
        card_expires=card_expires,
        today=TODAY,
        matrix=matrix,
    )


def test_a_reader_in_good_standing_is_not_blocked() -> None:
    assert reasons(fines_owed_fen=999, oldest_due=TODAY, card_expires=TODAY) == []


def test_a_manual_block_blocks_even_without_a_note() -> None:
    assert reasons(manual_block="") == [BlockReason.MANUAL]


def test_fines_equal_to_the_threshold_block() -> None:
    assert reasons(fines_owed_fen=1000) == [BlockReason.FINES_OVER_THRESHOLD]


def test_fines_just_below_the_threshold_do_not_block() -> None:
    assert reasons(fines_owed_fen=999) == []


def test_a_zero_threshold_blocks_any_debt_but_not_a_clean_account() -> None:
    strict = replace(MATRIX, block_fine_threshold_fen=0)
    assert reasons(fines_owed_fen=1, matrix=strict) == [BlockReason.FINES_OVER_THRESHOLD]
    assert reasons(fines_owed_fen=0, matrix=strict) == []


def test_a_loan_overdue_exactly_the_limit_does_not_block() -> None:
    assert reasons(oldest_due=TODAY - timedelta(days=30)) == []


def test_a_loan_overdue_one_day_more_than_the_limit_blocks() -> None:
    assert reasons(oldest_due=TODAY - timedelta(days=31)) == [BlockReason.OVERDUE_TOO_LONG]


def test_a_loan_due_in_the_future_does_not_block() -> None:
    assert reasons(oldest_due=TODAY + timedelta(days=100)) == []


def test_a_card_works_on_its_expiry_day_and_is_blocked_the_day_after() -> None:
    assert reasons(card_expires=TODAY) == []
    assert reasons(card_expires=TODAY - timedelta(days=1)) == [BlockReason.CARD_EXPIRED]


def test_every_reason_is_listed_in_a_stable_order() -> None:
    got = reasons(
        manual_block="lost card",
        fines_owed_fen=5000,
        oldest_due=TODAY - timedelta(days=90),
        card_expires=TODAY - timedelta(days=1),
    )
    assert got == [
        BlockReason.MANUAL,
        BlockReason.FINES_OVER_THRESHOLD,
        BlockReason.OVERDUE_TOO_LONG,
        BlockReason.CARD_EXPIRED,
    ]


def test_block_reasons_are_their_stable_string_codes() -> None:
    assert [str(r) for r in BlockReason] == [
        "manual",
        "fines_over_threshold",
        "overdue_too_long",
        "card_expired",
    ]


def test_days_overdue_counts_calendar_days_and_never_goes_negative() -> None:
    assert days_overdue(TODAY - timedelta(days=3), TODAY) == 3
    assert days_overdue(TODAY + timedelta(days=3), TODAY) == 0
    assert days_overdue(None, TODAY) == 0


@pytest.mark.parametrize("reason", list(BlockReason))
def test_every_reason_has_a_distinct_chinese_and_english_message(reason: BlockReason) -> None:
    en, zh = message(reason, "en"), message(reason, "zh-CN")
    assert en and zh and en != zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_the_fines_message_names_the_amounts_in_each_language() -> None:
    msg = block_message(BlockReason.FINES_OVER_THRESHOLD, fines_owed_fen=1250, threshold_fen=1000)
    assert "CN¥12.50" in msg.in_lang("en") and "CN¥10.00" in msg.in_lang("en")
    assert "¥12.50" in msg.in_lang("zh-CN") and "¥10.00" in msg.in_lang("zh")


def test_the_overdue_message_names_the_days() -> None:
    text = message(BlockReason.OVERDUE_TOO_LONG, "zh-CN", overdue_days=45, limit_days=30)
    assert "45 天" in text and "30 天" in text


def test_the_expiry_message_names_the_date() -> None:
    expiry = date(2025, 10, 1)
    assert "October 1, 2025" in message(BlockReason.CARD_EXPIRED, "en", card_expires=expiry)
    assert "2025年10月1日" in message(BlockReason.CARD_EXPIRED, "zh-CN", card_expires=expiry)


def test_the_manual_message_quotes_the_librarians_note() -> None:
    assert "丢失" in message(BlockReason.MANUAL, "en", note="证件丢失")


def test_a_block_message_is_a_bilingual_value() -> None:
    msg = block_message(BlockReason.CARD_EXPIRED)
    assert msg.in_lang("en") == msg.en and msg.in_lang("zh-CN") == msg.zh


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("zh-CN", "zh"), ("zh", "zh"), ("zh_CN", "zh"), ("ZH-Hans", "zh"), ("en-US", "en"),
     ("fr", "en"), ("", "en"), (None, "en")],
)  # fmt: skip
def test_chinese_language_tags_select_chinese_and_everything_else_english(
    tag: str | None, expected: str
) -> None:
    assert negotiate_lang(tag, "en") == {"zh": "zh-CN", "en": "en"}[expected]
    assert Message(en="en", zh="zh").in_lang(tag) == expected


def test_a_message_fills_placeholders_in_both_languages() -> None:
    msg = Message(en="{n} days", zh="{n} 天").format(n=3)
    assert msg == Message(en="3 days", zh="3 天")
    assert msg.to_dict() == {"en": "3 days", "zh-CN": "3 天"}
