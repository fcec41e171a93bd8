"""Notice keys, Message-IDs, delivery errors and back-off: the exactly-once building blocks."""

from __future__ import annotations

import pickle
import re
from datetime import date, datetime

import pytest

from service.domain.notices.keys import digest_key, message_id, notice_key, resend_key
from service.domain.notices.kinds import NoticeKind
from workers.notices.delivery import (
    FailureReason,
    PermanentDeliveryError,
    TransientDeliveryError,
    backoff_seconds,
)

DUE = date(2026, 12, 3)


def test_an_overdue_key_names_the_loan_the_due_date_and_the_offset() -> None:
    key = notice_key(NoticeKind.overdue, loan_id=41, due_date=DUE, offset_days=7)
    assert key == "overdue:41:2026-12-03:+7"


def test_a_renewal_starts_a_new_overdue_series() -> None:
    before = notice_key("overdue", loan_id=41, due_date=DUE, offset_days=1)
    after = notice_key("overdue", loan_id=41, due_date=date(2026, 12, 31), offset_days=1)
    assert before != after


def test_each_overdue_offset_is_its_own_notice() -> None:
    keys = {notice_key("overdue", loan_id=41, due_date=DUE, offset_days=d) for d in (1, 7, 14)}
    assert len(keys) == 3


def test_the_same_facts_always_give_the_same_key() -> None:
    first = notice_key("due_soon", loan_id="L-9", due_date=DUE, offset_days=3)
    again = notice_key(NoticeKind.due_soon, loan_id="L-9", due_date=DUE, offset_days=3)
    assert first == again == "due_soon:L-9:2026-12-03:-3"


def test_a_reservation_ready_key_names_the_hold_and_the_trap_position() -> None:
    assert notice_key("reservation_ready", hold_id=7, ref=1042) == "reservation_ready:7:1042"


def test_a_second_trap_of_the_same_hold_is_a_new_notice() -> None:
    first = notice_key("reservation_ready", hold_id=7, ref=1042)
    second = notice_key("reservation_ready", hold_id=7, ref=2210)
    assert first != second


def test_a_pickup_reminder_key_counts_days_before_the_deadline() -> None:
    key = notice_key("pickup_reminder", hold_id=7, due_date=DUE, offset_days=2)
    assert key == "pickup_reminder:7:2026-12-03:-2"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("hold_expired", "hold_expired:7"), ("hold_cancelled", "hold_cancelled:7")],
)
def test_a_hold_ends_once_so_its_key_is_the_hold(kind: str, expected: str) -> None:
    assert notice_key(kind, hold_id=7) == expected


@pytest.mark.parametrize("kind", ["fine_assessed", "feedback_answered", "suggestion_decided"])
def test_event_driven_notices_are_keyed_by_the_triggering_event(kind: str) -> None:
    assert notice_key(kind, ref="evt-9f2c") == f"{kind}:evt-9f2c"


def test_a_digest_key_names_the_reader_and_the_day() -> None:
    assert digest_key(88, DUE) == "digest:88:2026-12-03"


def test_a_digest_cannot_be_keyed_through_notice_key() -> None:
    with pytest.raises(ValueError, match="digest_key"):
        notice_key("digest", ref="88")


def test_a_resend_has_its_own_key_derived_from_the_original() -> None:
    original = notice_key("overdue", loan_id=41, due_date=DUE, offset_days=7)
    assert resend_key(original, 3) == "overdue:41:2026-12-03:+7:resend:3"


def test_a_missing_component_is_refused() -> None:
    with pytest.raises(ValueError, match="missing \\['due_date'\\]"):
        notice_key("overdue", loan_id=41, offset_days=7)


def test_an_argument_that_does_not_belong_to_the_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unexpected \\['loan_id'\\]"):
        notice_key("hold_expired", hold_id=7, loan_id=41)


def test_a_datetime_is_not_accepted_as_a_due_date() -> None:
    with pytest.raises(ValueError, match=r"datetime\.date"):
        notice_key("overdue", loan_id=41, due_date=datetime(2026, 12, 3, 9), offset_days=1)


@pytest.mark.parametrize("bad", ["a:b", "", "with space", True, 1.5])
def test_an_id_that_would_make_keys_ambiguous_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        notice_key("hold_expired", hold_id=bad)  # type: ignore[arg-type]


def test_an_overdue_notice_is_at_least_one_day_late() -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        notice_key("overdue", loan_id=41, due_date=DUE, offset_days=0)


def test_a_message_id_is_a_hash_of_the_key_at_the_domain() -> None:
    mid = message_id("overdue:41:2026-12-03:+7", "lib.example.cn")
    assert re.fullmatch(r"<[0-9a-f]{32}@lib\.example\.cn>", mid)


def test_the_same_key_always_gets_the_same_message_id() -> None:
    key = notice_key("overdue", loan_id=41, due_date=DUE, offset_days=7)
    assert message_id(key, "lib.example.cn") == message_id(key, "LIB.example.cn ")
    assert message_id(key, "lib.example.cn") == "<" + _sha256_prefix(key) + "@lib.example.cn>"


def test_different_keys_get_different_message_ids() -> None:
    ids = {
        message_id(notice_key("overdue", loan_id=n, due_date=DUE, offset_days=d), "x.cn")
        for n in range(50)
        for d in (1, 7, 14)
    }
    assert len(ids) == 150


@pytest.mark.parametrize("domain", ["", "bad domain", "图书馆.cn", "a@b"])
def test_a_message_id_needs_an_ascii_host_name(domain: str) -> None:
    with pytest.raises(ValueError):
        message_id("overdue:1:2026-12-03:+1", domain)


def _sha256_prefix(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:32]


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    delays = [backoff_seconds(n, jitter=1.0) for n in range(9)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_backoff_with_full_jitter_scales_the_ceiling() -> None:
    assert backoff_seconds(3, base=10, cap=1000, jitter=0.25) == 20.0
    assert backoff_seconds(3, jitter=0.0) == 0.0


def test_backoff_survives_absurd_attempt_counts() -> None:
    assert backoff_seconds(10_000, jitter=0.5) == 1800.0


@pytest.mark.parametrize(("attempt", "jitter"), [(-1, 0.5), (0, 1.5), (0, -0.1)])
def test_backoff_refuses_nonsense(attempt: int, jitter: float) -> None:
    with pytest.raises(ValueError):
        backoff_seconds(attempt, jitter=jitter)


def test_a_delivery_error_keeps_its_reason_and_code_across_pickling() -> None:
    error = TransientDeliveryError(
        FailureReason.http_rate_limited, "HTTP 429", code=429, retry_after=12.0
    )
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, TransientDeliveryError)
    assert (copy.reason, copy.detail, copy.code, copy.retry_after, copy.transient) == (
        "http_rate_limited", "HTTP 429", 429, 12.0, True,
    )


def test_a_permanent_error_says_it_is_not_transient() -> None:
    error = PermanentDeliveryError(FailureReason.recipient_rejected, "no such user", code=550)
    assert (error.transient, str(error)) == (False, "recipient_rejected [550]: no such user")
