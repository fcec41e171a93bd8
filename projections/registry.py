"""Every projection the system runs, in one place."""

from __future__ import annotations

from projections.activities import Activities
from projections.base import Projection
from projections.campaigns import Campaigns
from projections.catalogue import Catalogue
from projections.co_borrowing import CoBorrowing
from projections.collection import Collection
from projections.current_loans import CurrentLoans
from projections.export_schedules import ExportSchedules
from projections.families import Families
from projections.feedback_inbox import FeedbackInbox
from projections.fines import Fines
from projections.hold_queue import HoldQueue
from projections.lapse_model import LapseModel
from projections.notice_outbox import NoticeOutbox
from projections.payments import Payments
from projections.reader_profiles import ReaderProfiles
from projections.reader_segments import ReaderSegments
from projections.reader_timeline import ReaderTimeline
from projections.reading_history import ReadingHistory
from projections.rollups import ReportRollups
from projections.surveys import Surveys
from projections.title_keys import TitleKeys
from projections.title_search import TitleSearch
from projections.transits import Transits
from projections.trends import Trends


def all_projections(timezone: str) -> list[Projection]:
    """Fresh instances of every projection, in a stable order. ``timezone`` is the library's
    (Config.timezone): trends count each event on its local day, so there is no default that
    a caller could forget to override."""
    return [
        ReaderProfiles(), Catalogue(), CurrentLoans(), HoldQueue(), Fines(), ReadingHistory(),
        FeedbackInbox(), Trends(timezone), TitleKeys(), NoticeOutbox(), TitleSearch(),
        ReportRollups(timezone),
        ReaderSegments(timezone), ReaderTimeline(), LapseModel(),
        Payments(), ExportSchedules(), Collection(), Activities(), Surveys(), Campaigns(),
        Transits(), Families(), CoBorrowing(timezone),
    ]


def by_name(name: str, timezone: str) -> Projection:
    for projection in all_projections(timezone):
        if projection.name == name:
            return projection
    raise KeyError(name)
