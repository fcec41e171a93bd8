from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.catalogue.isbn import InvalidIsbn, isbn10_from_13, normalize_isbn


def _isbn10_check(body: str) -> str:
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
    return "X" if check == 10 else str(check)


valid_isbn10 = st.text("0123456789", min_size=9, max_size=9).map(lambda b: b + _isbn10_check(b))


def test_a_hyphenated_isbn13_is_returned_as_bare_digits() -> None:
    assert normalize_isbn("978-7-02-000220-7") == "9787020002207"


def test_an_isbn10_is_converted_to_its_978_isbn13() -> None:
    assert normalize_isbn("0-306-40615-2") == "9780306406157"


def test_an_isbn10_with_a_lower_case_x_check_digit_is_accepted() -> None:
    assert normalize_isbn("0-8044-2957-x") == "9780804429573"


def test_spaces_and_surrounding_whitespace_are_ignored() -> None:
    assert normalize_isbn("  978 0 306 40615 7 ") == "9780306406157"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "bad_length"),
        ("", "bad_length"),
        ("97803064061577", "bad_length"),
        ("03064O6152", "bad_characters"),
        ("X306406152", "bad_characters"),
        ("978030640615X", "bad_characters"),
        ("0306406153", "bad_checksum"),
        ("9780306406158", "bad_checksum"),
    ],
)
def test_an_invalid_isbn_is_refused_with_a_stable_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIsbn) as caught:
        normalize_isbn(raw)
    assert caught.value.reason == reason


def test_invalid_isbn_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_isbn("nonsense")


def test_a_979_isbn_has_no_isbn10() -> None:
    assert isbn10_from_13("979-10-90636-07-1") is None


def test_a_978_isbn_gives_back_its_isbn10_with_an_x_check_digit() -> None:
    assert isbn10_from_13("9780804429573") == "080442957X"


@given(valid_isbn10)
def test_any_valid_isbn10_round_trips_through_isbn13(isbn10: str) -> None:
    isbn13 = normalize_isbn(isbn10)
    assert len(isbn13) == 13
    assert normalize_isbn(isbn13) == isbn13
    assert isbn10_from_13(isbn13) == isbn10


@given(valid_isbn10, st.integers(0, 8), st.integers(1, 9))
def test_a_single_changed_digit_in_an_isbn10_is_detected(
    isbn10: str, position: int, shift: int
) -> None:
    changed = str((int(isbn10[position]) + shift) % 10)
    corrupted = isbn10[:position] + changed + isbn10[position + 1 :]
    with pytest.raises(InvalidIsbn) as caught:
        normalize_isbn(corrupted)
    assert caught.value.reason == "bad_checksum"


@given(valid_isbn10, st.integers(0, 12), st.integers(1, 9))
def test_a_single_changed_digit_in_an_isbn13_is_detected(
    isbn10: str, position: int, shift: int
) -> None:
    isbn13 = normalize_isbn(isbn10)
    changed = str((int(isbn13[position]) + shift) % 10)
    corrupted = isbn13[:position] + changed + isbn13[position + 1 :]
    with pytest.raises(InvalidIsbn) as caught:
        normalize_isbn(corrupted)
    assert caught.value.reason == "bad_checksum"
