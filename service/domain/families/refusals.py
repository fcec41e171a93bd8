"""Every family and class refusal, with its stable code and its zh-CN and en wording."""

from __future__ import annotations

from service.domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound


def not_linked() -> NotFound:
    return NotFound("child_not_linked", "This card is not linked to you as a child.",
                    "该读者证未作为孩子关联到您。")


def already_linked() -> Conflict:
    return Conflict("child_already_linked", "This child is already linked to you.",
                    "该孩子已与您关联。")


def cannot_link_self() -> Invalid:
    return Invalid("cannot_link_self", "You cannot link your own card as a child.",
                   "不能把自己的读者证关联为孩子。")


def guardian_cycle() -> Conflict:
    return Conflict("guardian_cycle", "This reader is your guardian; they cannot be your child.",
                    "该读者是您的监护人，不能再作为您的孩子。")


def too_many_guardians(limit: int) -> Conflict:
    return Conflict("too_many_guardians", f"A child may have at most {limit} guardians.",
                    f"每个孩子最多关联 {limit} 位监护人。")


def child_pin_wrong() -> DomainError:
    # 422, not 401: the guardian's own session is fine, the child's PIN is not.
    return Invalid("child_pin_wrong", "The child's card number or PIN is wrong.",
                   "孩子的读者证号或密码错误。")


def child_pin_required() -> Invalid:
    return Invalid("child_pin_required", "Readers link a child with the child's PIN.",
                   "读者关联孩子须提供孩子的密码。", fields={"pin": ["Required."]})


def class_not_found() -> NotFound:
    return NotFound("class_not_found", "Class not found.", "未找到该班级。")


def not_your_class() -> Forbidden:
    return Forbidden("not_your_class", "This class belongs to another teacher.",
                     "该班级属于其他教师。")


def class_exists() -> Conflict:
    return Conflict("class_exists", "A class with this id exists already.", "该班级编号已存在。")


def invalid_class(fields: dict[str, list[str]]) -> Invalid:
    return Invalid("invalid_class", "The class is not valid.", "班级信息无效。", fields=fields)


def class_has_no_card() -> Conflict:
    return Conflict("class_has_no_card",
                    "The class has no class card; batch holds go to the class card.",
                    "该班级没有班级借书证，批量预约需要班级借书证。")


def reading_list_empty() -> Conflict:
    return Conflict("reading_list_empty", "The class has no reading list yet.",
                    "该班级还没有阅读书单。")
