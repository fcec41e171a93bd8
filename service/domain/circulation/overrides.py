"""Which refusals a librarian may override at the desk (pure).

Like Koha's ``CanBookBeIssued``, a refusal is either *soft* ("needs confirmation": the rules
say no, but a librarian may say yes with a reason) or *hard* ("impossible": the facts say no,
and nobody may override them). Soft: the loan limit, a block for unpaid fines only, the
renewal limit, and a copy set aside for another reader (lent at that reader's request).
Hard: everything else, among them a copy on loan to someone else and an unknown copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from service.domain.errors import Conflict, DomainError, Forbidden

T = TypeVar("T")

OVERRIDE_ROLES = frozenset({"librarian", "admin"})
MAX_OVERRIDES = 4  # one command may pass at most this many soft refusals
REASON_MAX = 500


class Severity(StrEnum):
    SOFT = "soft"
    HARD = "hard"


SOFT_CODES = frozenset({"loan_limit_reached", "renewal_limit_reached", "hold_for_other_reader"})
SOFT_BLOCKS = frozenset({"fines_over_threshold"})  # reader_blocked is soft only for these


def severity(code: str, block_reasons: list[str] | tuple[str, ...] = ()) -> Severity:
    """Soft or hard, from the refusal's code (and, for reader_blocked, its reasons)."""
    if code in SOFT_CODES:
        return Severity.SOFT
    if code == "reader_blocked" and block_reasons and set(block_reasons) <= SOFT_BLOCKS:
        return Severity.SOFT
    return Severity.HARD


def classify(error: DomainError) -> Severity:
    """The severity of a refusal raised by a rule."""
    return severity(error.code, tuple(error.extra.get("reasons", ()) or ()))


def check_override(error: DomainError, role: str, reason: str | None) -> str:
    """Return the code to pass if this refusal may be overridden by this role, else raise.

    No reason: the refusal itself stands (the desk asks for one). A hard refusal stands, with
    ``override_not_allowed`` in ``extra``; a soft one by a desk clerk is ``override_forbidden``.
    """
    if not reason or not reason.strip():
        error.extra.setdefault("overridable", classify(error) is Severity.SOFT)  # the desk offers it
        raise error
    if classify(error) is Severity.HARD:
        raise override_not_allowed(error)
    if role not in OVERRIDE_ROLES:
        raise override_forbidden(error.code)
    return error.code


def override_not_allowed(error: DomainError) -> Conflict:
    return Conflict("override_not_allowed",
                 f"This refusal cannot be overridden: {error.en}",
                 f"此拒绝不可越权放行：{error.zh}", refused=error.code)


def override_forbidden(code: str) -> Forbidden:
    return Forbidden("override_forbidden", "Only a librarian may override a refusal.",
                     "只有馆员可以越权放行。", refused=code)


@dataclass(frozen=True)
class Override:
    """What a librarian passed, why, and who: copied into the event."""

    codes: tuple[str, ...]
    reason: str
    by: str


def with_overrides(decide: Callable[[frozenset[str], Override | None], T], role: str,
                   reason: str | None, by: str) -> T:
    """Decide; each soft refusal met is passed (if this role may, with a reason) and the
    decision taken again, so the event records every refusal the librarian overrode."""
    allowed: tuple[str, ...] = ()
    for _ in range(MAX_OVERRIDES + 1):
        override = Override(allowed, (reason or "").strip(), by) if allowed else None
        try:
            return decide(frozenset(allowed), override)
        except DomainError as error:
            code = check_override(error, role, reason)
            if code in allowed:  # the rule refused again what it was told to pass
                raise
            allowed = (*allowed, code)
    raise AssertionError("more soft refusals than MAX_OVERRIDES")  # pragma: no cover


def passes(allow: frozenset[str], error: DomainError) -> bool:
    """A rule's test: may this refusal be skipped under ``allow`` (still soft now)?"""
    return error.code in allow and classify(error) is Severity.SOFT
