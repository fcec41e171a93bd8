"""A deadlock PostgreSQL broke by aborting our transaction is a lost race (tried again)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

from events.sqlalchemy_store import _deadlocked


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def error(sqlstate: str) -> DBAPIError:
    return OperationalError("SELECT 1", {}, DriverError(sqlstate))


def test_a_broken_deadlock_counts_as_a_lost_race() -> None:
    assert _deadlocked(error("40P01"))


def test_other_database_errors_are_not_mistaken_for_one() -> None:
    assert not _deadlocked(error("23505"))  # unique violation: handled as its own refusal
    assert not _deadlocked(error("57P01"))  # server shutting down: a real failure
