"""Every stream's name, written once: ``<aggregate>-<id>`` plus the configuration streams.

Handlers, workers and projections build stream ids only through these functions, so a
stream's spelling can never drift between the module that writes it and the one that reads
it (``tests/test_single_sources.py`` fails if a prefix is spelled out anywhere else).
"""

from __future__ import annotations

READER = "reader-"
CARD = "card-"  # card number -> reader: makes card numbers unique under any concurrency
TITLE = "title-"
COPY = "copy-"
HOLD = "hold-"
FEEDBACK = "feedback-"
SUGGESTION = "suggestion-"
NOTICE = "notice-"
STAFF = "staff-"
LOGIN = "login-"  # audit of lockouts, per account ("staff:<name>", "reader:<id>", ...)
SEGMENTS = "segments-"  # one segment refresh per local day: two schedulers give one result
RECOMMENDATIONS = "recommendations-"  # one item-kNN refresh per local day, like segments
EXPORT_SCHEDULE = "export-schedule-"
EXPORT_DELIVERY = "export-delivery-"  # one per schedule and period: delivered exactly once
ACTIVITY = "activity-"  # a library activity: its sign-ups, waiting list and attendance
SURVEY = "survey-"
SURVEY_ANSWER = "answer-"  # one per survey and reader: its "must not exist" refuses a 2nd answer
CAMPAIGN = "campaign-"
GUARDIANSHIP = "guardianship-"  # per child: who their guardians are
SCHOOL_CLASS = "class-"  # a teacher's class with its pupils and reading list
PREFIXES = (READER, CARD, TITLE, COPY, HOLD, FEEDBACK, SUGGESTION, NOTICE, STAFF, LOGIN,
            SEGMENTS, RECOMMENDATIONS, EXPORT_SCHEDULE, EXPORT_DELIVERY, ACTIVITY, SURVEY,
            SURVEY_ANSWER, CAMPAIGN, GUARDIANSHIP, SCHOOL_CLASS)

POLICY_STREAM = "config-policy"
CALENDAR_STREAM = "config-calendar"
CONFIG_STREAMS = (POLICY_STREAM, CALENDAR_STREAM)
LISTS_STREAM = "config-lists"  # branches, reader categories, item types, collections
LAPSE_MODEL_STREAM = "lapse-model"  # which lapse scorer is served, chosen nightly
REPORT_SETTINGS_STREAM = "config-report-settings"  # dead stock N, weeding X/Y, holds R
NOTICE_TEMPLATE_STREAM = "notice-templates"


def reader_stream(reader_id: str) -> str:
    return READER + reader_id


def card_stream(card_number: str) -> str:
    return CARD + card_number


def title_stream(title_id: str) -> str:
    return TITLE + title_id


def copy_stream(barcode: str) -> str:
    return COPY + barcode


def hold_stream(hold_id: str) -> str:
    return HOLD + hold_id


def feedback_stream(feedback_id: str) -> str:
    return FEEDBACK + feedback_id


def suggestion_stream(suggestion_id: str) -> str:
    return SUGGESTION + suggestion_id


def notice_stream(key: str) -> str:
    return NOTICE + key


def staff_stream(username: str) -> str:
    return STAFF + username


def login_stream(account: str) -> str:
    return LOGIN + account


def segments_stream(day: str) -> str:
    return SEGMENTS + day


def recommendations_stream(day: str) -> str:
    return RECOMMENDATIONS + day


def export_schedule_stream(schedule_id: str) -> str:
    return EXPORT_SCHEDULE + schedule_id


def export_delivery_stream(schedule_id: str, period: str) -> str:
    return f"{EXPORT_DELIVERY}{schedule_id}-{period}"


def activity_stream(activity_id: str) -> str:
    return ACTIVITY + activity_id


def survey_stream(survey_id: str) -> str:
    return SURVEY + survey_id


def survey_answer_stream(survey_id: str, respondent: str) -> str:
    return f"{SURVEY_ANSWER}{survey_id}-{respondent}"

def campaign_stream(campaign_id: str) -> str:
    return CAMPAIGN + campaign_id

def guardianship_stream(child_id: str) -> str:
    return GUARDIANSHIP + child_id


def class_stream(class_id: str) -> str:
    return SCHOOL_CLASS + class_id
