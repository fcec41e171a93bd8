"""Automatic reader blocks: why a reader may not borrow, renew or reserve right now."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from service.domain.i18n import Message
from service.domain.library.policy import PolicyMatrix
from service.domain.locale import format_date, format_money


class BlockReason(StrEnum):
    """Stable codes for why a reader is blocked (listed in this order)."""

    MANUAL = "manual"
    FINES_OVER_THRESHOLD = "fines_over_threshold"
    OVERDUE_TOO_LONG = "overdue_too_long"
    CARD_EXPIRED = "card_expired"


_GENERAL = {
    BlockReason.MANUAL: Message(
        en="The library has blocked this card.", zh="图书馆已暂停此借阅证的借阅。"
    ),
    BlockReason.FINES_OVER_THRESHOLD: Message(
        en="Unpaid fines have reached the limit; please pay them first.",
        zh="未缴罚款已达上限，请先缴纳罚款。",
    ),
    BlockReason.OVERDUE_TOO_LONG: Message(
        en="A loan is overdue for too long; please return it first.",
        zh="有图书逾期过久，请先归还。",
    ),
    BlockReason.CARD_EXPIRED: Message(
        en="The library card has expired; please renew it at the desk.",
        zh="借阅证已过期，请到服务台办理续期。",
    ),
}
_MANUAL_NOTE = Message(
    en="The library has blocked this card: {note}", zh="图书馆已暂停此借阅证的借阅：{note}"
)
_FINES = Message(
    en="Unpaid fines of {owed_en} have reached the limit of {limit_en}; please pay them first.",
    zh="未缴罚款 {owed_zh}，已达到上限 {limit_zh}，请先缴纳罚款。",
)
_OVERDUE = Message(
    en="A loan is {days} days overdue (the limit is {limit} days); please return it first.",
    zh="有图书已逾期 {days} 天（上限 {limit} 天），请先归还。",
)
_EXPIRED = Message(
    en="The library card expired on {day_en}; please renew it at the desk.",
    zh="借阅证已于 {day_zh} 过期，请到服务台办理续期。",
)


def days_overdue(due: date | None, today: date) -> int:
    """Calendar days a loan due on ``due`` is overdue today (0 if not due yet or no loan)."""
    if due is None:
        return 0
    return max((today - due).days, 0)


def block_reasons(
    *,
    manual_block: str | None,
    fines_owed_fen: int,
    oldest_due: date | None,
    card_expires: date | None,
    today: date,
    matrix: PolicyMatrix,
) -> list[BlockReason]:
    """Every reason the reader is blocked today, in BlockReason order; [] means not blocked.

    - manual: a librarian's block is set (``manual_block`` holds its note, possibly "");
    - fines: the reader owes something and owes at least the threshold (so a threshold of
      0 blocks any debt, and owing nothing never blocks);
    - overdue: the oldest due date is more than ``block_overdue_days`` calendar days ago;
    - card expired: today is after the expiry date (the card works on its last day).
    """
    reasons: list[BlockReason] = []
    if manual_block is not None:
        reasons.append(BlockReason.MANUAL)
    if fines_owed_fen > 0 and fines_owed_fen >= matrix.block_fine_threshold_fen:
        reasons.append(BlockReason.FINES_OVER_THRESHOLD)
    if days_overdue(oldest_due, today) > matrix.block_overdue_days:
        reasons.append(BlockReason.OVERDUE_TOO_LONG)
    if card_expires is not None and today > card_expires:
        reasons.append(BlockReason.CARD_EXPIRED)
    return reasons


def block_message(
    reason: BlockReason,
    *,
    note: str | None = None,
    fines_owed_fen: int | None = None,
    threshold_fen: int | None = None,
    overdue_days: int | None = None,
    limit_days: int | None = None,
    card_expires: date | None = None,
) -> Message:
    """Bilingual explanation of a block; names amounts, days or dates when they are given."""
    if reason is BlockReason.MANUAL and note and note.strip():
        return _MANUAL_NOTE.format(note=note.strip())
    if (
        reason is BlockReason.FINES_OVER_THRESHOLD
        and fines_owed_fen is not None
        and threshold_fen is not None
    ):
        return _FINES.format(
            owed_en=format_money(fines_owed_fen, "en"),
            limit_en=format_money(threshold_fen, "en"),
            owed_zh=format_money(fines_owed_fen, "zh-CN"),
            limit_zh=format_money(threshold_fen, "zh-CN"),
        )
    if reason is BlockReason.OVERDUE_TOO_LONG and None not in (overdue_days, limit_days):
        return _OVERDUE.format(days=overdue_days, limit=limit_days)
    if reason is BlockReason.CARD_EXPIRED and card_expires is not None:
        return _EXPIRED.format(
            day_en=format_date(card_expires, "en"),
            day_zh=format_date(card_expires, "zh-CN"),
        )
    return _GENERAL[reason]


def message(
    reason: BlockReason,
    lang: str | None,
    *,
    note: str | None = None,
    fines_owed_fen: int | None = None,
    threshold_fen: int | None = None,
    overdue_days: int | None = None,
    limit_days: int | None = None,
    card_expires: date | None = None,
) -> str:
    """The explanation of a block in one language (zh for zh/zh-CN, otherwise en)."""
    return block_message(
        reason,
        note=note,
        fines_owed_fen=fines_owed_fen,
        threshold_fen=threshold_fen,
        overdue_days=overdue_days,
        limit_days=limit_days,
        card_expires=card_expires,
    ).in_lang(lang)
