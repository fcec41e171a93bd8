"""The kinds of notice Lector sends to readers."""

from __future__ import annotations

from enum import StrEnum


class NoticeKind(StrEnum):
    """What a notice is about; the value is stable and used in keys and template names."""

    reservation_ready = "reservation_ready"
    pickup_reminder = "pickup_reminder"
    due_soon = "due_soon"
    overdue = "overdue"
    hold_expired = "hold_expired"
    hold_cancelled = "hold_cancelled"
    fine_assessed = "fine_assessed"
    feedback_answered = "feedback_answered"
    suggestion_decided = "suggestion_decided"
    digest = "digest"
    activity_reminder = "activity_reminder"  # the day before a library activity

    # Campaigns (outreach): sent only to readers who consented to marketing.
    campaign_new_arrivals = "campaign_new_arrivals"
    campaign_we_miss_you = "campaign_we_miss_you"
    campaign_activity = "campaign_activity"
    campaign_survey = "campaign_survey"  # an invitation to answer a reader survey


# Kinds that need the reader's marketing consent (PIPL), beyond their channel choice.
MARKETING_KINDS = frozenset({NoticeKind.campaign_new_arrivals, NoticeKind.campaign_we_miss_you,
                             NoticeKind.campaign_activity, NoticeKind.campaign_survey})
