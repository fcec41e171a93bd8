"""Pure rules for failed logins: a few free tries, then growing delays, then a lockout."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoginPolicy:
    """How many wrong secrets an account tolerates (service/config.py sets these)."""

    free_failures: int = 5
    delay_base_s: float = 1.0
    delay_cap_s: float = 60.0
    lockout_failures: int = 10
    lockout_s: float = 900.0
    window_s: float = 3600.0  # failures this long after the last attempt are forgotten

    def lock_after(self, failures: int) -> float:
        """Seconds the account stays closed after ``failures`` consecutive failures."""
        if failures >= self.lockout_failures:
            return self.lockout_s
        if failures <= self.free_failures:
            return 0.0
        return min(self.delay_cap_s, self.delay_base_s * 2 ** (failures - self.free_failures - 1))


@dataclass(frozen=True)
class Attempts:
    """What is remembered about one account (instants are epoch seconds)."""

    failures: int = 0
    last_at: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Verdict:
    """The outcome of asking to try a secret: the state to store and whether to refuse."""

    attempts: Attempts
    retry_after: float | None = None  # set: refused, try again after this many seconds
    locked_out: bool = False  # this attempt started the long lockout (worth an audit event)


def begin_attempt(current: Attempts, now: float, policy: LoginPolicy) -> Verdict:
    """Refuse while locked; otherwise count the attempt as failed until it succeeds.

    Counting before the secret is verified makes the check and the count one step, so a
    burst of parallel guesses cannot all slip past the check before any failure is stored.
    """
    if current.locked_until > now:
        return Verdict(current, retry_after=current.locked_until - now)
    failures = current.failures if now - current.last_at <= policy.window_s else 0
    failures += 1
    lock = policy.lock_after(failures)
    return Verdict(Attempts(failures, now, now + lock if lock > 0 else 0.0),
                   locked_out=failures >= policy.lockout_failures)


def is_locked(current: Attempts, now: float) -> float | None:
    """Seconds until the account opens again, or None when it is open."""
    return current.locked_until - now if current.locked_until > now else None
