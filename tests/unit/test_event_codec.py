"""The codec writes every field and reads back only the exact shape of the current version."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import UTC, date, datetime
from typing import Any, Union

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import events.domain  # noqa: F401  (fills the type registry)
from events import codec
from events.base import Event, registered_types
from events.codec import EventShapeError
from events.loans import LoanOpened

OPENED = LoanOpened(loan_id="L1", barcode="B1", title_id="T1", reader_id="R1", branch="main",
                    item_type="book", reader_category="adult", clc_class="I",
                    opened_at=datetime(2026, 3, 1, 8, tzinfo=UTC), due_on=date(2026, 3, 31))

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6)


def strategy(hint: Any) -> st.SearchStrategy[Any]:
    """Values of a field's type, as commands build them (JSON-shaped where typed ``Any``)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return st.one_of([strategy(a) for a in typing.get_args(hint)])
    if hint is type(None):
        return st.none()
    if hint is Any:
        return JSON
    if hint is datetime:
        return st.datetimes(timezones=st.just(UTC))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(hint)
    if origin is tuple:
        return st.lists(strategy(typing.get_args(hint)[0]), max_size=3).map(tuple)
    if origin is frozenset:
        return st.frozensets(strategy(typing.get_args(hint)[0]), max_size=3)
    if origin is dict:
        key, value = typing.get_args(hint)
        return st.dictionaries(strategy(key), strategy(value), max_size=3)
    return st.from_type(hint)


def instances(cls: type[Event]) -> st.SearchStrategy[Event]:
    hints = codec._hints(cls)
    return st.builds(cls, **{f.name: strategy(hints[f.name]) for f in dataclasses.fields(cls)})


TYPES = sorted(registered_types())


@pytest.mark.parametrize("type_name", TYPES)
def test_every_event_type_round_trips_with_all_its_fields(type_name: str) -> None:
    cls = registered_types()[type_name]

    @settings(max_examples=25, derandomize=True, deadline=None)
    @given(instances(cls))
    def round_trip(event: Event) -> None:
        data = codec.to_data(event)
        assert set(data) == {f.name for f in dataclasses.fields(cls)}
        assert codec.from_data(type_name, data) == event
        assert codec.decode(type_name, cls.schema_version, data) == event

    round_trip()


def test_a_field_no_version_of_the_event_has_is_refused() -> None:
    data = {**codec.to_data(OPENED), "renewed_by": "kiosk-1"}
    with pytest.raises(EventShapeError) as refused:
        codec.from_data("loan.opened", data)
    assert (refused.value.type_name, refused.value.version) == ("loan.opened", 2)
    assert (refused.value.unknown, refused.value.missing) == ({"renewed_by"}, set())
    assert str(refused.value) == "loan.opened v2: unknown renewed_by"


def test_a_missing_field_is_refused_even_when_the_class_has_a_default_for_it() -> None:
    data = codec.to_data(OPENED)
    del data["hold_id"], data["branch"]
    with pytest.raises(EventShapeError, match=r"^loan\.opened v2: missing branch, hold_id$"):
        codec.from_data("loan.opened", data)


def test_a_refusal_after_upcasting_names_the_version_on_disk() -> None:
    data = {"loan_id": "L1", "barcode": "B1", "reader_id": "R1", "title_id": "T1",
            "renewed_at": "2024-05-01T02:00:00+00:00", "due_on": "2024-06-01",
            "previous_due_on": "2024-05-15", "renewals_used": 1, "renewd_by": "x"}
    with pytest.raises(EventShapeError,
                       match=r"^loan\.renewed v3 \(stored as v1\): unknown renewd_by$") as refused:
        codec.decode("loan.renewed", 1, data)
    assert refused.value.stored_version == 1


def test_a_shape_error_is_a_value_error_for_callers_that_catch_bad_data() -> None:
    assert issubclass(EventShapeError, ValueError)
