"""Every activity and survey refusal, with its stable code and its zh-CN and en wording."""

from __future__ import annotations

from service.domain.errors import Conflict, Forbidden, Invalid, NotFound
from service.domain.i18n import Message


def activity_not_found() -> NotFound:
    return NotFound("activity_not_found", "Activity not found.", "未找到该活动。")


def activity_already_signed_up() -> Conflict:
    return Conflict("activity_already_signed_up", "You are already signed up for this activity.",
                    "您已报名该活动。")


def activity_not_signed_up() -> Conflict:
    return Conflict("activity_not_signed_up", "This reader is not signed up for this activity.",
                    "该读者未报名此活动。")


def activity_not_seated() -> Conflict:
    return Conflict("activity_not_seated",
                    "This reader is on the waiting list, not seated: no place to attend.",
                    "该读者在候补名单中，尚无座位。")


def activity_sign_up_closed() -> Conflict:
    return Conflict("activity_sign_up_closed", "Sign-up for this activity has closed.",
                    "该活动报名已截止。")


def activity_not_for_category() -> Forbidden:
    return Forbidden("activity_not_for_category",
                     "This activity is for another reader category.", "该活动面向其他类别的读者。")


def activity_invalid(fields: dict[str, list[Message]]) -> Invalid:
    return Invalid("activity_invalid", "The activity is not valid.", "活动信息无效。",
                   fields=fields)


def survey_not_found() -> NotFound:
    return NotFound("survey_not_found", "Survey not found.", "未找到该调查。")


def survey_already_answered() -> Conflict:
    return Conflict("survey_already_answered", "You have already answered this survey.",
                    "您已回答过该调查。")


def survey_not_open() -> Conflict:
    return Conflict("survey_not_open", "This survey is not open for answers.",
                    "该调查当前不接受回答。")


def survey_not_draft() -> Conflict:
    return Conflict("survey_not_draft", "Only a draft survey can be published.",
                    "只有草稿状态的调查可以发布。")


def survey_not_for_category() -> Forbidden:
    return Forbidden("survey_not_for_category", "This survey is for another reader category.",
                     "该调查面向其他类别的读者。")


def survey_invalid(fields: dict[str, list[Message]]) -> Invalid:
    return Invalid("survey_invalid", "The survey is not valid.", "调查内容无效。", fields=fields)


def answer_invalid(fields: dict[str, list[Message]]) -> Invalid:
    return Invalid("survey_answer_invalid", "The answer is not valid.", "回答无效。",
                   fields=fields)
