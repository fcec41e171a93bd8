"""Every upcaster step, from a stored shape to the event it must read back as.

``STEPS`` holds one stored-shape fixture per (type, version) step and per shape that step
meets on disk. A new upcaster needs its entry here: the completeness tests below say so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

import events.domain  # noqa: F401  (fills the type registry)
from events import codec
from events.base import Event, registered_types
from events.campaigns import CampaignCreated
from events.catalogue import (
    CopyAdded,
    CopyFound,
    CopyMarkedLost,
    CopyWithdrawn,
    TitleCatalogued,
)
from events.holds import HoldPlaced
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import ReaderErased, ReaderPreferencesChanged

WHEN = "2024-05-01T02:00:00+00:00"
RENEWED = {"loan_id": "L1", "barcode": "B1", "reader_id": "R1", "title_id": "T1",
           "renewed_at": WHEN, "due_on": "2024-06-01", "previous_due_on": "2024-05-15",
           "renewals_used": 1}
TITLE_V1 = {"title_id": "T1", "title": "The Three-Body Problem", "authors": ["Liu, Cixin"],
            "isbn": None, "publisher": "Tor", "year": 2014, "language": "eng",
            "clc_class": "I247.55", "other_classes": {"lc": "PL2946"},
            "subjects": ["Science fiction"], "title_original": None, "source_keys": ["001:x1"]}
HOLD_V1 = {"hold_id": "H1", "title_id": "T1", "reader_id": "R1", "pickup_branch": "main",
           "placed_at": WHEN}
OPENED_V1 = {"loan_id": "L1", "barcode": "B1", "title_id": "T1", "reader_id": "R1",
             "branch": "main", "item_type": "book", "reader_category": "adult", "clc_class": "I",
             "opened_at": WHEN, "due_on": "2024-05-31", "hold_id": None}
CLOSED = {"loan_id": "L1", "barcode": "B1", "reader_id": "R1", "title_id": "T1",
          "branch": "main", "closed_at": WHEN, "due_on": "2024-05-15", "days_late": 0}


def renewed(**fields: Any) -> LoanRenewed:
    return LoanRenewed(loan_id="L1", barcode="B1", reader_id="R1", title_id="T1",
                       renewed_at=datetime(2024, 5, 1, 2, tzinfo=UTC), due_on=date(2024, 6, 1),
                       previous_due_on=date(2024, 5, 15), renewals_used=1, **fields)


def closed(**fields: Any) -> LoanClosed:
    return LoanClosed(loan_id="L1", barcode="B1", reader_id="R1", title_id="T1", branch="main",
                      closed_at=datetime(2024, 5, 1, 2, tzinfo=UTC), due_on=date(2024, 5, 15),
                      days_late=0, **fields)


# (type, from version, what the row holds, what it reads back as)
STEPS: list[tuple[str, int, dict[str, Any], Event]] = [
    # Written before the trend fields existed.
    ("loan.renewed", 1, RENEWED,
     renewed(branch="", reader_category="", clc_class=None)),
    # Written after they were added with defaults, still labelled v1: kept as stored.
    ("loan.renewed", 1, {**RENEWED, "branch": "east", "reader_category": "child",
                         "clc_class": "I"},
     renewed(branch="east", reader_category="child", clc_class="I")),
    ("loan.closed", 1, CLOSED,
     closed(reader_category="", clc_class=None, item_type="book")),
    ("loan.closed", 1, {**CLOSED, "reader_category": "adult", "clc_class": "K",
                        "item_type": "periodical"},
     closed(reader_category="adult", clc_class="K", item_type="periodical")),
    # Before survey invitations: a campaign named no survey.
    ("campaign.created", 1,
     {"campaign_id": "C1", "name": "We miss you", "audience": {"segment": "lost"},
      "template": "campaign_we_miss_you", "message": "", "holdout_pct": 10,
      "send_at": "2026-11-01T02:00:00+00:00", "created_at": "2026-10-31T02:00:00+00:00"},
     CampaignCreated("C1", "We miss you", {"segment": "lost"}, "campaign_we_miss_you", "", 10,
                     datetime(2026, 11, 1, 2, tzinfo=UTC), datetime(2026, 10, 31, 2, tzinfo=UTC),
                     survey_id=None)),
    # Before campaigns: nobody had consented to marketing (PIPL: consent, so off).
    ("reader.preferences_changed", 1,
     {"reader_id": "R1", "language": "zh-CN", "notice_channels": ["email"],
      "keep_history": True, "digest": True},
     ReaderPreferencesChanged("R1", "zh-CN", ("email",), True, digest=True, marketing=False)),
    # The oldest v1 shape, before the digest field.
    ("reader.preferences_changed", 1,
     {"reader_id": "R1", "language": "en", "notice_channels": [], "keep_history": False},
     ReaderPreferencesChanged("R1", "en", (), False, digest=False, marketing=False)),

    # Before overrides: no loan or renewal passed a soft refusal.
    ("loan.opened", 1, OPENED_V1,
     LoanOpened(loan_id="L1", barcode="B1", title_id="T1", reader_id="R1", branch="main",
                item_type="book", reader_category="adult", clc_class="I",
                opened_at=datetime(2024, 5, 1, 2, tzinfo=UTC), due_on=date(2024, 5, 31),
                hold_id=None, override_codes=(), override_reason=None, override_by=None)),
    ("loan.renewed", 2, {**RENEWED, "branch": "east", "reader_category": "child",
                         "clc_class": "I"},
     renewed(branch="east", reader_category="child", clc_class="I", override_codes=(),
             override_reason=None, override_by=None)),
    # Declared with the reader id only, never written by a command.
    ("reader.erased", 1, {"reader_id": "R1"}, ReaderErased(reader_id="R1")),
    # Before names with roles, classes with schemes, languages and formats.
    ("title.catalogued", 1, TITLE_V1,
     TitleCatalogued(
         title_id="T1", title="The Three-Body Problem", authors=("Liu, Cixin",), isbn=None,
         publisher="Tor", year=2014, language="eng", clc_class="I247.55",
         other_classes={"lc": "PL2946"}, subjects=("Science fiction",), title_original=None,
         source_keys=("001:x1",),
         names=({"name": "Liu, Cixin", "role": "author", "kind": "personal", "original": None},),
         classes=({"scheme": "clc", "value": "I247.55"}, {"scheme": "lcc", "value": "PL2946"}),
         languages=("eng",), format="book", nonfiling=0, sort_title="the three-body problem",
         variant_titles=(), series=(), edition=None, pages=None, summary=None,
         publisher_original=None)),
    # Before volumes: a copy is the whole title.
    ("copy.added", 1, {"barcode": "B1", "title_id": "T1", "branch": "main", "item_type": "book",
                       "shelf_mark": "I247/1", "price_fen": 3500},
     CopyAdded(barcode="B1", title_id="T1", branch="main", item_type="book",
               shelf_mark="I247/1", price_fen=3500, enumeration=None, chronology=None)),
    # Before copy events carried business time: the recorded time stands (added_at None).
    ("copy.added", 2, {"barcode": "B1", "title_id": "T1", "branch": "main", "item_type": "book",
                       "shelf_mark": None, "price_fen": None, "enumeration": "v.2",
                       "chronology": None},
     CopyAdded(barcode="B1", title_id="T1", branch="main", item_type="book",
               enumeration="v.2", added_at=None)),
    ("copy.withdrawn", 1, {"barcode": "B1", "title_id": "T1", "reason": "worn"},
     CopyWithdrawn(barcode="B1", title_id="T1", reason="worn", withdrawn_at=None)),
    ("copy.marked_lost", 1, {"barcode": "B1", "title_id": "T1", "reader_id": "R1",
                             "loan_id": "L1", "charge_fen": 3500},
     CopyMarkedLost(barcode="B1", title_id="T1", reader_id="R1", loan_id="L1", charge_fen=3500,
                    lost_at=None)),
    ("copy.found", 1, {"barcode": "B1", "title_id": "T1"},
     CopyFound(barcode="B1", title_id="T1", found_at=None)),
    # Before volumes, and (oldest shape) before the trend fields.
    ("hold.placed", 1, HOLD_V1,
     HoldPlaced(hold_id="H1", title_id="T1", reader_id="R1", pickup_branch="main",
                placed_at=datetime(2024, 5, 1, 2, tzinfo=UTC), reader_category="",
                clc_class=None, enumeration=None)),
    ("hold.placed", 1, {**HOLD_V1, "reader_category": "child", "clc_class": "I"},
     HoldPlaced(hold_id="H1", title_id="T1", reader_id="R1", pickup_branch="main",
                placed_at=datetime(2024, 5, 1, 2, tzinfo=UTC), reader_category="child",
                clc_class="I", enumeration=None)),
]


@pytest.mark.parametrize(
    ("type_name", "version", "stored", "expected"), STEPS,
    ids=[f"{t}-v{v}-{i}" for i, (t, v, _, _) in enumerate(STEPS)])
def test_each_stored_shape_reads_back_as_the_current_event(
    type_name: str, version: int, stored: dict[str, Any], expected: Event,
) -> None:
    assert codec.decode(type_name, version, dict(stored)) == expected


@pytest.mark.parametrize(
    ("type_name", "version", "stored"), [(t, v, s) for t, v, s, _ in STEPS],
    ids=[f"{t}-v{v}-{i}" for i, (t, v, _, _) in enumerate(STEPS)])
def test_an_upcaster_does_not_change_the_data_it_was_given(
    type_name: str, version: int, stored: dict[str, Any],
) -> None:
    given = dict(stored)
    codec.upcast(type_name, version, given)
    assert given == stored


def test_every_event_class_past_v1_has_an_upcaster_for_every_step_from_v1() -> None:
    missing = [f"{name} v{v}" for name, cls in registered_types().items()
               for v in range(1, cls.schema_version) if (name, v) not in codec._UPCASTERS]
    assert missing == []


def test_every_upcaster_steps_from_a_version_below_its_class_s_current_one() -> None:
    types = registered_types()
    stale = [f"{name} v{v}" for name, v in codec._UPCASTERS
             if name not in types or v >= types[name].schema_version]
    assert stale == []


def test_every_upcaster_step_has_a_stored_shape_fixture_here() -> None:
    covered = {(t, v) for t, v, _, _ in STEPS}
    assert sorted(set(codec._UPCASTERS) - covered) == []
