"""Every command Lector accepts, as a frozen dataclass: one place lists them all.

A command is an intent in the imperative (``CheckOut``), built by an adapter (an API schema
or route, the SIP2 server, the CLI, the demo, a worker) and given to ``handle`` in
``service/application/handlers.py``, which finds its handler in ``HANDLERS``. A command carries
what the caller asked for, never how it is answered; the idempotency key travels beside it
(it belongs to the request, not to the intent). No I/O here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from events.catalogue import TitleFormat


class Unset:
    """A field the caller did not send (different from sending None, which clears it)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = Unset()


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


# --- circulation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckOut:
    card_number: str
    barcode: str
    branch: str | None = None
    override_reason: str | None = None  # a librarian passing soft refusals, and why


@dataclass(frozen=True)
class CheckIn:
    barcode: str
    branch: str | None = None
    returned_at: datetime | None = None  # a book drop's return time (the loan closes then)


@dataclass(frozen=True)
class Renew:
    barcode: str
    only_reader: str | None = None  # a reader renewing their own loan
    override_reason: str | None = None  # a librarian passing soft refusals, and why


@dataclass(frozen=True)
class RenewAll:
    reader_id: str


@dataclass(frozen=True)
class MarkLost:
    barcode: str


@dataclass(frozen=True)
class PlaceHold:
    reader_id: str
    title_id: str
    pickup_branch: str
    enumeration: str | None = None  # one volume of a multi-volume title


@dataclass(frozen=True)
class CancelHold:
    hold_id: str
    reason: str
    only_reader: str | None = None  # a reader cancelling their own hold


@dataclass(frozen=True)
class ExpireHold:
    hold_id: str


@dataclass(frozen=True)
class ExpireDueHolds:
    """The hourly sweep: expire every trapped hold past its pickup date."""


# --- readers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegisterReader:
    card_number: str
    name: str
    category: str
    language: str = "zh-CN"
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    address: str | None = None
    notice_channels: tuple[str, ...] = ("email",)
    keep_history: bool = True
    expires_on: date | None = None
    home_branch: str | None = None
    pin: str | None = None
    reader_id: str = field(default_factory=_new_id)


@dataclass(frozen=True)
class UpdateReader:
    """Change contact details: only the fields given change (None clears one)."""

    reader_id: str
    name: str | None = UNSET
    phone: str | None = UNSET
    email: str | None = UNSET
    id_number: str | None = UNSET
    address: str | None = UNSET
    expires_on: date | None = UNSET
    home_branch: str | None = UNSET
    pin: str | None = None

    def changes(self) -> dict[str, Any]:
        """The contact fields the caller gave, by name."""
        return {name: getattr(self, name) for name in UPDATABLE_READER_FIELDS
                if getattr(self, name) is not UNSET}


UPDATABLE_READER_FIELDS = ("name", "phone", "email", "id_number", "address", "expires_on",
                           "home_branch")


@dataclass(frozen=True)
class ChangeCategory:
    reader_id: str
    category: str


@dataclass(frozen=True)
class BlockReader:
    reader_id: str
    reason: str


@dataclass(frozen=True)
class UnblockReader:
    reader_id: str
    note: str


@dataclass(frozen=True)
class SetPreferences:
    """Only the preferences given change."""

    reader_id: str
    language: str | None = None
    notice_channels: tuple[str, ...] | None = None
    keep_history: bool | None = None
    digest: bool | None = None
    marketing: bool | None = None


@dataclass(frozen=True)
class EraseReader:
    reader_id: str
    reason: str
    force: bool = False


# --- catalogue -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueTitle:
    title: str
    authors: tuple[str, ...] = ()
    isbn: str | None = None
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    clc_class: str | None = None
    other_classes: dict[str, str] | None = None
    subjects: tuple[str, ...] = ()
    title_original: str | None = None
    source_keys: tuple[str, ...] = ()
    title_id: str = field(default_factory=_new_id)
    names: tuple[dict[str, Any], ...] = ()
    classes: tuple[dict[str, str], ...] = ()
    variant_titles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    format: TitleFormat = TitleFormat.BOOK
    nonfiling: int = 0
    sort_title: str = ""
    series: tuple[str, ...] = ()
    edition: str | None = None
    pages: str | None = None
    summary: str | None = None
    publisher_original: str | None = None


@dataclass(frozen=True)
class UpdateTitle:
    """Correct a title's description. ``changes`` names the fields given (the title record
    has some thirty, checked by the handler), as ``TitleUpdated`` records them."""

    title_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class AddCopy:
    barcode: str
    title_id: str
    branch: str
    item_type: str | None = None  # None: from the title's format (book, audio, video ...)
    shelf_mark: str | None = None
    price_fen: int | None = None
    enumeration: str | None = None
    chronology: str | None = None


@dataclass(frozen=True)
class WithdrawCopy:
    barcode: str
    reason: str


# --- fines ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PayFines:
    reader_id: str
    amount_fen: int
    method: str


@dataclass(frozen=True)
class WaiveFine:
    reader_id: str
    fine_id: str
    amount_fen: int | None  # None: the whole remaining amount
    reason: str


# --- feedback and purchase suggestions -----------------------------------------------------

@dataclass(frozen=True)
class SubmitFeedback:
    reader_id: str
    category: str
    text: str
    rating: int | None = None
    title_id: str | None = None


@dataclass(frozen=True)
class AnswerFeedback:
    feedback_id: str
    answer: str
    close: bool = False


@dataclass(frozen=True)
class CloseFeedback:
    feedback_id: str


@dataclass(frozen=True)
class SuggestPurchase:
    reader_id: str
    title: str
    author: str | None = None
    isbn: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class DecideSuggestion:
    suggestion_id: str
    decision: str
    reason: str


# --- library configuration -----------------------------------------------------------------

@dataclass(frozen=True)
class ChangePolicy:
    matrix: Mapping[str, Any]  # a PolicyMatrix as a dict, validated by the handler


@dataclass(frozen=True)
class ChangeCalendar:
    branch: str
    calendar: Mapping[str, Any]  # closed weekdays and dates, validated by the handler


@dataclass(frozen=True)
class ChangeReportSettings:
    settings: Mapping[str, Any]  # dead stock N, weeding X/Y, holds per copy R; validated


@dataclass(frozen=True)
class ChangeNoticeTemplate:
    kind: str
    lang: str
    part: str
    source: str | None  # None: back to the shipped template


# --- notices (recorded by the workers) -----------------------------------------------------

@dataclass(frozen=True)
class ScheduleNotice:
    key: str
    reader_id: str
    kind: str
    data: Mapping[str, Any]
    day: date
    item_keys: Sequence[str] = ()


@dataclass(frozen=True)
class RecordNoticeSent:
    key: str
    reader_id: str
    kind: str
    channel: str
    message_id: str
    subject: str
    sent_at: datetime


@dataclass(frozen=True)
class RecordNoticeFailed:
    key: str
    reader_id: str
    kind: str
    channel: str
    reason: str
    failed_at: datetime
    permanent: bool


@dataclass(frozen=True)
class RecordNoticeGaveUp:
    key: str
    reader_id: str
    kind: str
    channel: str
    reason: str
    attempts: int
    at: datetime


@dataclass(frozen=True)
class RecordNoticeCancelled:
    key: str
    reader_id: str
    kind: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ResendNotice:
    notice: Mapping[str, Any]  # the outbox row to send again


# --- staff and kiosk accounts --------------------------------------------------------------

@dataclass(frozen=True)
class CreateStaffAccount:
    username: str
    password: str
    role: str
    display_name: str | None = None


@dataclass(frozen=True)
class SetStaffActive:
    username: str
    active: bool


@dataclass(frozen=True)
class ResetStaffPassword:
    username: str
    password: str


@dataclass(frozen=True)
class ChangeStaffRole:
    username: str
    role: str


@dataclass(frozen=True)
class CreateKiosk:
    kiosk_id: str
    login_user: str
    password: str
    institution_id: str
    location: str
    charset: str = "utf-8"
    language: str = "zh-CN"


@dataclass(frozen=True)
class DeactivateKiosk:
    kiosk_id: str


# -- Library configuration: managed lists and borrowing by phone --------------------------

@dataclass(frozen=True)
class DefineListEntry:
    """Define a code of a managed list (branch, reader category, item type, collection), or
    change its names; a retired code comes back when defined again."""

    kind: str
    code: str
    name_zh: str
    name_en: str
    clc_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RetireListEntry:
    kind: str
    code: str


@dataclass(frozen=True)
class ChangeSelfService:
    """Turn borrowing by phone (scan to borrow in the portal) on or off for one branch."""

    branch: str
    portal_checkout: bool


@dataclass(frozen=True)
class PortalCheckOut:
    """A reader borrows a copy to their own card from the portal, at the copy's branch."""

    reader_id: str
    barcode: str


@dataclass(frozen=True)
class SetNoticeSettings:
    """Replace a reader's notice settings: kinds muted in the portal, quiet hours (both or
    neither, HH:MM)."""

    reader_id: str
    muted_kinds: tuple[str, ...] = ()
    quiet_start: str | None = None
    quiet_end: str | None = None


# -- Reader relationships -----------------------------------------------------------------

@dataclass(frozen=True)
class RefreshSegments:
    """Score and segment every reader as of a date (None: yesterday); once per date."""

    as_of: date | None = None
    window_days: int | None = None


@dataclass(frozen=True)
class RefreshRecommendations:
    """Recompute every reader's recommendations as of a date (None: yesterday); once per date."""

    as_of: date | None = None


@dataclass(frozen=True)
class ChooseLapseModel:
    """Evaluate lapse risk on the log and record whether the model or the rule is served."""

    horizon_days: int

# --- library activities and reader surveys --------------------------------------------------

@dataclass(frozen=True)
class PublishActivity:
    kind: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    branch: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    audience_category: str | None = None


@dataclass(frozen=True)
class SignUpForActivity:
    activity_id: str
    reader_id: str


@dataclass(frozen=True)
class CancelActivitySignUp:
    activity_id: str
    reader_id: str


@dataclass(frozen=True)
class MarkActivityAttendance:
    activity_id: str
    card_number: str  # an e-card code is resolved to its card by the adapter


@dataclass(frozen=True)
class CreateSurvey:
    title_zh: str
    title_en: str
    questions: tuple[Mapping[str, Any], ...]
    anonymous: bool = False
    audience_category: str | None = None


@dataclass(frozen=True)
class PublishSurvey:
    survey_id: str


@dataclass(frozen=True)
class CloseSurvey:
    survey_id: str


@dataclass(frozen=True)
class AnswerSurvey:
    survey_id: str
    reader_id: str
    answers: Mapping[str, Any]

# --- campaigns -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CreateCampaign:
    name: str
    audience: Mapping[str, Any]
    template: str
    send_at: datetime
    message: str = ""
    holdout_pct: int = 10
    survey_id: str | None = None  # campaign_survey: the open survey readers are invited to


@dataclass(frozen=True)
class LaunchCampaign:
    """Freeze the audience and draw the hold-out (``seed`` None: a fresh random one)."""

    campaign_id: str
    seed: int | None = None
    # The audience resolved by the caller: only the demo, whose read models are folded once
    # at the end of its year; None (the API) resolves the campaign's filter from them.
    readers: tuple[str, ...] | None = None

# --- families and schools ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkGuardian:
    """Make ``guardian_id`` a guardian of ``child_id`` (the adapter checked the child's PIN,
    or staff link at the desk: ``via`` says which)."""

    child_id: str
    guardian_id: str
    via: str = "desk"


@dataclass(frozen=True)
class UnlinkGuardian:
    child_id: str
    guardian_id: str


@dataclass(frozen=True)
class CreateClass:
    class_id: str
    name: str
    school: str = ""
    card_number: str | None = None  # the class card batch holds go to
    teacher: str | None = None  # default: the acting staff member


@dataclass(frozen=True)
class SetClassPupils:
    class_id: str
    card_numbers: tuple[str, ...]


@dataclass(frozen=True)
class SetReadingList:
    class_id: str
    title_ids: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class ReserveReadingList:
    """One hold per title of the class's reading list, for the class card, at a branch."""

    class_id: str
    pickup_branch: str
