"""Report classes per scheme, month arithmetic, and the report settings' validation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.collection import class_keys, clc_key, ddc_key, lcc_key
from projections.collection_scope import local_day, months_before
from projections.collection_stock import weeding_rule
from service.application.report_settings import DEFAULT_WEEDING, ReportSettings, parse_report_settings
from service.domain.errors import Invalid


@pytest.mark.parametrize(("value", "key"), [
    ("I247.55", "I"), ("TP311.56", "TP"), ("tn91", "TN"), ("T-65", "T"), ("K825.6", "K"),
    (None, "?"), ("", "?"), ("中", "?"), ("0", "?")])
def test_clc_counts_main_classes_and_splits_t_by_subclass(value: str | None, key: str) -> None:
    assert clc_key(value) == key


def test_dewey_counts_hundreds_and_lc_counts_class_letters() -> None:
    assert (ddc_key("895.1"), ddc_key("004.6"), ddc_key("x"), ddc_key(None)) == (
        "800", "000", None, None)
    assert (lcc_key("QA76.73 .P98"), lcc_key("PL2946"), lcc_key("76")) == ("QA", "PL", None)


def test_a_title_s_classes_come_from_its_schemes_or_the_older_other_classes() -> None:
    assert class_keys(None, [{"scheme": "clc", "value": "TP3"},
                             {"scheme": "lcc", "value": "QA76"}], None) == {
        "clc": "TP", "ddc": None, "lcc": "QA"}
    assert class_keys("I247", [], {"dewey": "895.1", "lc": "PL2946"}) == {
        "clc": "I", "ddc": "800", "lcc": "PL"}


def test_months_before_keeps_the_day_or_takes_the_month_s_last() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2025, 11, 30), -3) == date(2026, 2, 28)


def test_a_class_without_its_own_weeding_rule_takes_its_letter_s_then_the_default() -> None:
    rules = ReportSettings().weeding_rules("clc")
    assert weeding_rule(rules, "TP") == (3, 2)
    assert weeding_rule(rules, "TB") == (5, 3)  # T's
    assert weeding_rule(rules, "O") == DEFAULT_WEEDING["clc"]["default"]


def test_settings_read_back_as_they_were_written() -> None:
    given = {"dead_stock_months": 12, "default_holds_per_copy": 5,
             "holds_per_copy": {"book": 3, "dvd": 2},
             "weeding": {"ddc": {"600": {"age_years": 4, "idle_years": 2}},
                         "clc": {"I": {"age_years": None, "idle_years": 6}}}}
    parsed = parse_report_settings(given)
    assert parse_report_settings(parsed.to_dict()) == parsed
    assert parsed.weeding_rules("ddc")["600"] == (4, 2)
    assert parsed.weeding_rules("ddc")["900"] == (15, 3)


def test_bad_settings_name_every_field_at_fault() -> None:
    with pytest.raises(Invalid) as refused:
        parse_report_settings({"dead_stock_months": True, "colour": "red",
                               "holds_per_copy": {"书 名": 2, "book": 0},
                               "weeding": {"clc": {"TP": {"idle_years": 200, "x": 1}}}})
    assert set(refused.value.fields) == {
        "dead_stock_months", "colour", "holds_per_copy.书 名", "holds_per_copy.book",
        "weeding.clc.TP.idle_years", "weeding.clc.TP.x"}


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
       st.sampled_from(["Asia/Shanghai", "Europe/Vilnius", "America/Goose_Bay",
                        "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
                        "Pacific/Chatham", "UTC"]))
def test_the_local_day_with_cached_hour_offsets_is_the_zone_conversions(
        moment: datetime, zone: str) -> None:
    instant = moment.replace(tzinfo=UTC)
    assert local_day(instant, zone) == instant.astimezone(ZoneInfo(zone)).date()


def test_the_local_day_is_exact_across_an_odd_minute_transition() -> None:
    # Goose Bay changed its clocks at 00:01 local (04:01 UTC) on 5 April 1987.
    for minute in (0, 1, 2, 59):
        instant = datetime(1987, 4, 5, 4, minute, tzinfo=UTC)
        assert local_day(instant, "America/Goose_Bay") == \
            instant.astimezone(ZoneInfo("America/Goose_Bay")).date()
