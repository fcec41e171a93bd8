"""A realistic sample reader for previewing notice templates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from service.domain.locale import EN, negotiate_lang
from service.domain.notices.kinds import NoticeKind

SAMPLE_TODAY = date(2026, 12, 3)

_TEXT: dict[str, dict[str, Any]] = {
    "zh-CN": {
        "reader_name": "李晓明",
        "library_name": "城东区图书馆",
        "branch": "城东区图书馆（总馆）",
        "books": [("平凡的世界", "路遥"), ("三体", "刘慈欣"), ("活着", "余华")],
        "fine_reason": "逾期归还",
        "hold_reason": "该书已损坏下架，无法继续为您预约",
        "feedback_text": "周末能否延长自习室的开放时间？",
        "answer_text": "您好！自下月起，周六和周日自习室开放至晚上九点。感谢您的建议。",
        "suggestion_title": "置身事内：中国政府与经济发展",
        "decision_reason": "已列入下季度采购计划",
        "activity_title": "周末亲子故事会",
        "survey_title": "2026 年读者满意度调查",
        "activity_description": "适合 4-8 岁的小读者，家长陪同。",

        "class_name": "I 文学",
        "activity": "本周六下午两点，总馆三楼报告厅举办“阅读刘慈欣”读书会，欢迎参加。",
    },
    "en": {
        "reader_name": "Emily Carter",
        "library_name": "Chengdong District Library",
        "branch": "Chengdong District Library (Main)",
        "books": [("Ordinary World", "Lu Yao"), ("The Three-Body Problem", "Liu Cixin"),
                  ("To Live", "Yu Hua")],
        "fine_reason": "Late return",
        "hold_reason": "The copy was damaged and withdrawn, so the reservation cannot continue",
        "feedback_text": "Could the study room stay open later at weekends?",
        "answer_text": "Thank you for the suggestion. From next month the study room is "
                       "open until 9 pm on Saturdays and Sundays.",
        "suggestion_title": "Invisible China",
        "decision_reason": "It is in next quarter's purchasing plan",
        "activity_title": "Weekend storytime for families",
        "survey_title": "Reader satisfaction survey 2026",
        "activity_description": "For readers aged 4 to 8, with a parent.",

        "class_name": "I Literature",
        "activity": "Join our reading club on Liu Cixin this Saturday at 2 pm, "
                    "lecture hall, 3rd floor of the main library.",
    },
}


def sample_context(
    kind: NoticeKind | str, lang: str, *, today: date = SAMPLE_TODAY
) -> dict[str, Any]:
    """Return a complete, realistic context for previewing `kind` in `lang` (zh-CN or en)."""
    kind = NoticeKind(kind)
    t = _TEXT[negotiate_lang(lang, EN)]
    books = [
        {"title": title, "author": author, "barcode": f"C01045{20 + i:02d}"}
        for i, (title, author) in enumerate(t["books"])
    ]
    soon = {**books[0], "due_date": today + timedelta(days=3)}
    late = [
        {**books[1], "due_date": today - timedelta(days=14), "days_overdue": 14},
        {**books[2], "due_date": today - timedelta(days=7), "days_overdue": 7},
    ]
    base: dict[str, Any] = {
        "reader_name": t["reader_name"],
        "library_name": t["library_name"],
        "portal_url": "https://library.example.cn/portal",
    }
    by_kind: dict[NoticeKind, dict[str, Any]] = {
        NoticeKind.reservation_ready: {"items": [books[1]], "pickup_branch": t["branch"],
                                       "pickup_deadline": today + timedelta(days=7)},
        NoticeKind.pickup_reminder: {"items": [books[1]], "pickup_branch": t["branch"],
                                     "pickup_deadline": today + timedelta(days=2)},
        NoticeKind.due_soon: {"items": [soon]},
        # The sample shows the last overdue notice so a preview covers the blocked-card text.
        NoticeKind.overdue: {"items": late[:1], "card_blocked": True, "fine_fen": 700},
        NoticeKind.hold_expired: {"items": [books[1]], "pickup_branch": t["branch"]},
        NoticeKind.hold_cancelled: {"items": [books[2]], "reason": t["hold_reason"]},
        NoticeKind.fine_assessed: {"items": [books[1]], "fine_fen": 1230,
                                   "reason": t["fine_reason"], "balance_fen": 2580},
        NoticeKind.feedback_answered: {"feedback_text": t["feedback_text"],
                                       "answer_text": t["answer_text"]},
        NoticeKind.suggestion_decided: {"suggestion_title": t["suggestion_title"],
                                        "decision": "accepted", "reason": t["decision_reason"]},
        NoticeKind.activity_reminder: {
            "activity_title": t["activity_title"], "activity_branch": t["branch"],
            "activity_description": t["activity_description"],
            "activity_starts_at": datetime.combine(today + timedelta(days=1), time(2, 0),
                                                   tzinfo=UTC)},
        NoticeKind.digest: {"due_soon_items": [soon], "overdue_items": late,
                            "card_blocked": False, "fine_fen": 1050},
        NoticeKind.campaign_new_arrivals: {"items": books, "class_name": t["class_name"]},
        NoticeKind.campaign_we_miss_you: {"message": None},
        NoticeKind.campaign_activity: {"message": t["activity"]},
        NoticeKind.campaign_survey: {"survey_title": t["survey_title"], "message": None},
    }
    return {**base, **by_kind[kind]}
