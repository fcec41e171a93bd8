"""Screen messages shown on kiosks, in zh-CN and en, keyed by stable refusal code."""

from __future__ import annotations

from service.adapters.sip2.results import Text

REFUSALS: dict[str, Text] = {
    "copy_not_available": Text("此书目前不可借。", "This item is not available for loan."),
    "reader_blocked": Text(
        "您的借阅权限已暂停，请到服务台咨询。",
        "Your borrowing privileges are suspended; please ask at the desk.",
    ),
    "loan_limit_reached": Text("您已达到可借册数上限。", "You have reached your loan limit."),
    "hold_for_other_reader": Text(
        "此书已为其他读者预留。", "This item is reserved for another reader."
    ),
    "renewal_limit_reached": Text(
        "此书已达到续借次数上限。", "This item cannot be renewed again."
    ),
    "title_has_holds": Text(
        "此书有其他读者预约，不能续借。", "Other readers are waiting for this title."
    ),
    "reader_not_found": Text("未找到该读者证。", "Library card not found."),
    "copy_not_found": Text("未找到该图书条码。", "Item barcode not found."),
    "invalid_pin": Text("密码错误。", "Incorrect PIN."),
    "pin_required": Text("请输入读者证密码。", "Please enter your PIN."),
    "not_on_loan": Text("此书不在您的借阅记录中。", "This item is not on loan to you."),
    "hold_not_found": Text("未找到该预约。", "No such hold."),
    "hold_exists": Text("您已预约此书。", "You already have a hold on this title."),
    "hold_limit_reached": Text("您已达到可预约数量上限。", "You have reached your hold limit."),
    "not_logged_in": Text(
        "自助机未登录，请联系工作人员。", "This kiosk is not logged in; please call staff."
    ),
    "not_supported": Text("此功能暂不支持。", "This function is not available here."),
    "invalid_amount": Text("金额无效。", "Invalid amount."),
    "currency_mismatch": Text("币种不符。", "Wrong currency."),
    "invalid_text": Text(
        "信息含有无法识别的字符，请重试或到服务台办理。",
        "The message holds characters that cannot be read; try again or go to the desk.",
    ),
    "internal_error": Text(
        "系统暂时无法处理，请到服务台办理。",
        "The system cannot handle this right now; please go to the desk.",
    ),
}

BLOCK_REASONS: dict[str, Text] = {
    "card_expired": Text("读者证已过期。", "Your card has expired."),
    "card_lost": Text("读者证已挂失。", "This card has been reported lost."),
    "fines_over_limit": Text("欠款超过限额。", "Your fines are over the limit."),
    "overdue_loans": Text("有图书逾期未还。", "You have overdue items."),
    "manual": Text("借阅权限已被暂停。", "Your privileges have been suspended."),
}

CHECKOUT_OK = Text("借书成功，请于 {due} 前归还。", "Checked out. Due {due}.")
RENEW_OK = Text("续借成功，新的应还日期为 {due}。", "Renewed. New due date {due}.")
CHECKIN_OK = Text("还书成功，谢谢。", "Returned. Thank you.")
CHECKIN_HOLD = Text(
    "还书成功。此书已被预约，将送往{branch}。",
    "Returned. This item is reserved and goes to {branch}.",
)
RENEW_ALL = Text("已续借 {renewed} 册，未续借 {unrenewed} 册。",
                 "{renewed} renewed, {unrenewed} not renewed.")
HOLD_PLACED = Text("预约成功，您排在第 {position} 位。", "Hold placed; you are number {position}.")
HOLD_CANCELLED = Text("预约已取消。", "Hold cancelled.")
FEE_PAID = Text("缴费成功。", "Payment received.")
GOODBYE = Text("谢谢使用，再见。", "Thank you, goodbye.")


def refusal_text(code: str | None) -> Text:
    """Return the screen text for a refusal code (a generic one for unknown codes)."""
    return REFUSALS.get(code or "", REFUSALS["internal_error"])


def block_text(reason: str) -> Text:
    """Return the screen text explaining one block reason."""
    return BLOCK_REASONS.get(reason, BLOCK_REASONS["manual"])
