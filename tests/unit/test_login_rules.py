"""The pure rule behind login limits: free tries, growing delays, lockout, forgetting."""

from __future__ import annotations

from service.domain.accounts.login_rules import Attempts, LoginPolicy, begin_attempt, is_locked

POLICY = LoginPolicy(free_failures=5, delay_base_s=1, delay_cap_s=60, lockout_failures=10,
                     lockout_s=900, window_s=3600)


def test_delays_grow_after_the_free_failures_and_end_in_a_lockout() -> None:
    assert [POLICY.lock_after(n) for n in range(1, 12)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 900, 900]
    assert LoginPolicy(free_failures=0, delay_cap_s=5, lockout_failures=99).lock_after(20) == 5


def test_an_attempt_while_closed_is_refused_and_not_counted() -> None:
    state, now = Attempts(), 1000.0
    for _ in range(6):
        verdict = begin_attempt(state, now, POLICY)
        assert verdict.retry_after is None
        state = verdict.attempts
    refused = begin_attempt(state, now + 0.5, POLICY)
    assert (refused.retry_after, refused.attempts) == (0.5, state)
    assert is_locked(state, now + 0.5) == 0.5 and is_locked(state, now + 1) is None


def test_each_attempt_that_starts_a_long_lockout_is_flagged_for_the_audit_log() -> None:
    state, now, flags = Attempts(), 0.0, []
    for _ in range(11):
        now += 1000 if state.locked_until else 0
        verdict = begin_attempt(state, now, POLICY)
        flags.append(verdict.locked_out)
        state = verdict.attempts
    assert flags == [False] * 9 + [True, True]


def test_failures_are_forgotten_after_a_quiet_window() -> None:
    state = Attempts(failures=9, last_at=0.0, locked_until=8.0)
    assert begin_attempt(state, 3601.0, POLICY).attempts.failures == 1
    assert begin_attempt(state, 3599.0, POLICY).attempts.failures == 10
