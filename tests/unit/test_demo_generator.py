"""The demo generator: deterministic, complete catalogue, and a plan the real handlers accept."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, date, timedelta
from functools import cache

from service.data.demo import (
    DEMO_POLICY,
    CancelHold,
    Catalogue,
    CheckIn,
    CheckOut,
    PlaceHold,
    PlannedAction,
    ReaderSpec,
    Renew,
    closed_days,
    generate_catalogue,
    generate_readers,
    generate_year_plan,
    plan_statistics,
)
from service.data.demo.calendar_cn import CLOSE_HOUR, OPEN_HOUR, SHANGHAI, local_date
from service.data.demo.clc_classes import TOP_LEVEL
from service.data.demo.isbn import is_valid_isbn13

START = date(2025, 1, 1)


@cache
def demo(seed: int) -> tuple[Catalogue, list[ReaderSpec], list[PlannedAction]]:
    rng = random.Random(seed)
    catalogue = generate_catalogue(rng)
    readers = generate_readers(rng)
    return catalogue, readers, list(generate_year_plan(rng, catalogue, readers, START))


def test_the_same_seed_gives_the_same_library_and_the_same_year() -> None:
    rng = random.Random(7)
    catalogue = generate_catalogue(rng)
    readers = generate_readers(rng)
    plan = list(generate_year_plan(rng, catalogue, readers, START, days=60))
    again = random.Random(7)
    assert generate_catalogue(again) == catalogue
    assert generate_readers(again) == readers
    assert list(generate_year_plan(again, catalogue, readers, START, days=60)) == plan


def test_a_different_seed_gives_a_different_year() -> None:
    assert demo(1)[0] != demo(2)[0]
    assert demo(1)[2][:200] != demo(2)[2][:200]


def test_the_catalogue_has_the_asked_sizes_and_every_clc_top_level_class() -> None:
    catalogue = demo(1)[0]
    assert len(catalogue.titles) == 1000
    assert len(catalogue.copies) == 3000
    assert {t.clc_class[0] for t in catalogue.titles} == set(TOP_LEVEL)
    assert len(TOP_LEVEL) == 22


def test_isbns_are_valid_and_unique_and_barcodes_unique() -> None:
    catalogue = demo(1)[0]
    isbns = [t.isbn13 for t in catalogue.titles]
    assert all(is_valid_isbn13(i) for i in isbns)
    assert len(set(isbns)) == len(isbns)
    barcodes = [c.barcode for c in catalogue.copies]
    assert len(set(barcodes)) == len(barcodes)


def test_about_seventy_percent_of_titles_are_chinese() -> None:
    languages = Counter(t.language for t in demo(1)[0].titles)
    assert languages["chi"] == 700
    assert languages["eng"] == 300


def test_the_most_wanted_titles_have_more_copies_than_the_long_tail() -> None:
    catalogue = demo(1)[0]
    copies = Counter(c.title_id for c in catalogue.copies)
    head = [copies[t] for t in catalogue.popularity[:10]]
    tail = [copies[t] for t in catalogue.popularity[-100:]]
    assert min(head) > max(tail)
    assert all(copies[t.title_id] >= 1 for t in catalogue.titles)
    assert {c.branch for c in catalogue.copies} == {"main", "east"}


def test_readers_are_mostly_chinese_speaking_with_unique_cards_and_example_mail() -> None:
    readers = demo(1)[1]
    assert len(readers) == 500
    assert len({r.card_number for r in readers}) == 500
    assert all(r.card_number[0] == "R" and len(r.card_number) == 9 for r in readers)
    assert {r.category for r in readers} == {"adult", "student", "child", "senior"}
    assert sum(r.language == "zh-CN" for r in readers) > 400
    assert all(r.email.endswith("@example.com") for r in readers)


def test_actions_come_in_time_order_within_opening_hours_on_open_days() -> None:
    plan = demo(1)[2]
    instants = [a.at for a in plan]
    assert instants == sorted(instants)
    assert all(a.at.tzinfo is not None and a.at.utcoffset() == timedelta(0) for a in plan)
    closed = set(closed_days(START, 365))
    for action in plan:
        local = action.at.astimezone(SHANGHAI)
        assert OPEN_HOUR <= local.hour < CLOSE_HOUR
        assert local.date() not in closed
    assert plan[0].at.astimezone(UTC).date() >= START - timedelta(days=1)


def test_a_copy_is_lent_only_when_on_the_shelf_and_readers_stay_under_the_limit() -> None:
    catalogue, _, plan = demo(1)
    title_of = catalogue.title_of()
    on_loan: dict[str, str] = {}  # barcode -> card
    loans_of: Counter[str] = Counter()
    holds: dict[tuple[str, str], int] = {}
    for action in plan:
        if isinstance(action, CheckOut):
            assert action.barcode not in on_loan, "copy lent twice"
            on_loan[action.barcode] = action.card_number
            loans_of[action.card_number] += 1
            holds.pop((action.card_number, title_of[action.barcode]), None)
            assert loans_of[action.card_number] <= DEMO_POLICY.loan_limit
        elif isinstance(action, CheckIn):
            card = on_loan.pop(action.barcode)
            loans_of[card] -= 1
        elif isinstance(action, Renew):
            assert action.barcode in on_loan
        elif isinstance(action, PlaceHold):
            assert (action.card_number, action.title_id) not in holds
            holds[(action.card_number, action.title_id)] = 1
        elif isinstance(action, CancelHold):
            assert holds.pop((action.card_number, action.title_id)) == 1
    assert max(loans_of.values()) <= DEMO_POLICY.loan_limit


def test_a_hold_is_placed_only_when_no_copy_of_the_title_is_on_any_shelf() -> None:
    catalogue, _, plan = demo(1)
    title_of = catalogue.title_of()
    copies_of = Counter(c.title_id for c in catalogue.copies)
    out: Counter[str] = Counter()
    for action in plan:
        if isinstance(action, CheckOut):
            out[title_of[action.barcode]] += 1
        elif isinstance(action, CheckIn):
            out[title_of[action.barcode]] -= 1
        elif isinstance(action, PlaceHold):
            # copies not on loan are trapped for earlier holds, never on the open shelf
            assert out[action.title_id] <= copies_of[action.title_id]
            assert out[action.title_id] >= 1


def test_a_year_has_realistic_volume_renewals_late_returns_holds_and_feedback() -> None:
    catalogue, _, plan = demo(1)
    stats = plan_statistics(plan, catalogue, START, 365)
    assert 12000 <= stats.checkouts <= 20000
    assert 0.20 <= stats.renewal_share <= 0.30
    assert 0.07 <= stats.late_return_share <= 0.13
    assert stats.holds_placed > 200
    assert stats.holds_cancelled > 0
    assert stats.fines_paid_fen > 0
    assert 52 <= stats.feedback <= 52 * 6
    assert 26 <= stats.suggestions <= 52 * 4
    assert len(stats.full_months) == 12
    assert all(local_date(a.at).year == 2025 for a in plan)


def test_the_whole_year_is_generated_well_under_five_seconds() -> None:
    began = time.process_time()  # CPU time: other test runs share this machine
    rng = random.Random(99)
    catalogue = generate_catalogue(rng)
    readers = generate_readers(rng)
    count = sum(1 for _ in generate_year_plan(rng, catalogue, readers, START))
    assert count > 20000
    assert time.process_time() - began < 5.0
