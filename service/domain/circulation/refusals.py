"""Every circulation refusal, with its stable code and its zh-CN and en wording."""

from __future__ import annotations

from events.vocabulary import CopyStatus
from service.domain.errors import Conflict, DomainError, Forbidden, NotFound


def reader_not_found() -> NotFound:
    return NotFound("reader_not_found", "No reader has this card.", "未找到该读者证。")


def copy_not_found() -> NotFound:
    return NotFound("copy_not_found", "No copy has this barcode.", "未找到该条码的册。")


def title_not_found() -> NotFound:
    return NotFound("title_not_found", "Title not found.", "未找到该书目。")


def hold_not_found() -> NotFound:
    return NotFound("hold_not_found", "Hold not found.", "未找到该预约。")


def loan_not_found() -> NotFound:
    return NotFound("loan_not_found", "This copy is not on loan.", "该册未被借出。")


def copy_not_available(status: str) -> Conflict:
    zh = {CopyStatus.ON_LOAN: "已被借出", CopyStatus.LOST: "已登记丢失",
          CopyStatus.WITHDRAWN: "已注销"}.get(status, "不可借")
    return Conflict("copy_not_available", f"The copy is not available ({status}).",
                    f"该册不可借（{zh}）。", copy_status=status)


def hold_for_other_reader() -> Conflict:
    return Conflict("hold_for_other_reader", "This copy is set aside for another reader.",
                    "该册已为其他读者预留。")


def reader_blocked(reasons: list[str], en: list[str], zh: list[str]) -> Forbidden:
    return Forbidden("reader_blocked", "Reader is blocked: " + "; ".join(en),
                     "读者证已被停用：" + "；".join(zh), reasons=reasons)


def loan_limit_reached(limit: int) -> Conflict:
    return Conflict("loan_limit_reached", f"The reader already has {limit} loans (the limit).",
                    f"读者已达借阅上限（{limit} 册）。", limit=limit)


def hold_limit_reached(limit: int) -> Conflict:
    return Conflict("hold_limit_reached", f"The reader already has {limit} holds (the limit).",
                    f"读者已达预约上限（{limit} 个）。", limit=limit)


def renewal_limit_reached(allowed: int) -> Conflict:
    return Conflict("renewal_limit_reached", f"No renewals left ({allowed} allowed).",
                    f"续借次数已用完（最多 {allowed} 次）。", allowed=allowed)


def title_has_holds(waiting: int) -> Conflict:
    return Conflict("title_has_holds", "Other readers are waiting for this title.",
                    "其他读者正在预约此书，不能续借。", waiting=waiting)


def loan_overdue_too_long(days: int) -> Conflict:
    return Conflict("loan_overdue_too_long", f"The loan is {days} days overdue; return it first.",
                    f"该书已逾期 {days} 天，请先归还。", days_overdue=days)


def loan_overdue(days: int) -> Conflict:
    return Conflict("loan_overdue", f"The loan is {days} days overdue and cannot be renewed; "
                    "please return it.", f"该书已逾期 {days} 天，不能续借，请归还。",
                    days_overdue=days)


def renewal_too_early(due_on: str, renewed_due_on: str) -> Conflict:
    return Conflict("renewal_too_early",
                    f"Renewing today would not move the due date ({due_on}); try again later.",
                    f"今天续借不会延长应还日期（{due_on}），请稍后再续借。",
                    due_on=due_on, renewed_due_on=renewed_due_on)


def already_on_loan() -> Conflict:
    return Conflict("already_on_loan", "The reader already has this title on loan.",
                    "读者已借阅此书。")


def already_held() -> Conflict:
    return Conflict("already_held", "The reader already holds this title.", "读者已预约此书。")


def volume_not_found(enumeration: str) -> DomainError:
    return DomainError("volume_not_found", f"The title has no copy of volume {enumeration!r}.",
                       f"该书目没有 {enumeration} 这一卷（期）的馆藏。", status=422,
                       fields={"enumeration": ["No copy of this volume."]})


def payment_exceeds_balance(owed: int) -> DomainError:
    return DomainError("payment_exceeds_balance", f"The reader owes only {owed} fen.",
                       f"读者仅欠款 {owed} 分。", status=422, owed_fen=owed,
                       fields={"amount_fen": [f"At most {owed}."]})


def fine_not_found() -> NotFound:
    return NotFound("fine_not_found", "No open fine with this id.", "未找到该笔未结罚款。")


def not_lost() -> Conflict:
    return Conflict("copy_not_lost", "The copy is not marked lost.", "该册未登记丢失。")


def return_time_invalid(days: int) -> DomainError:
    return DomainError("return_time_invalid",
                       f"A book drop's return time must be in the last {days} days, with a zone.",
                       f"还书箱的归还时间须在最近 {days} 天内（并带时区）。", status=422,
                       fields={"returned_at": [f"Within the last {days} days."]})
