"""Circulation policy matrix: reader category x item type x branch -> one loan rule.

Resolution: among the rules whose named fields all equal the request (None is a wildcard
that matches anything), the one naming the most fields wins. Ties between rules naming the
same number of fields go to the one that names the branch, then the reader category, then
the item type (branch > category > item type). A valid matrix has exactly one rule per key,
so the winner is always unique, and it must contain the all-wildcard fallback rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from service.domain.i18n import (
    NEGATIVE,
    NOT_A_WHOLE_NUMBER,
    REQUIRED,
    UNKNOWN_FIELD,
    FieldProblems,
    Message,
)

KEY_FIELDS = ("reader_category", "item_type", "branch")
NUMBER_FIELDS = (
    "loan_days", "renewals_allowed", "renewal_days", "loan_limit", "hold_limit",
    "daily_fine_fen", "fine_cap_fen", "grace_days", "pickup_days",
)  # fmt: skip
DAY_FIELDS = frozenset({"loan_days", "renewal_days", "grace_days", "pickup_days"})
# Day counts above ten years are typing mistakes and would overflow date arithmetic later.
MAX_DAYS = 3660
AT_LEAST_ONE = frozenset({"loan_days", "pickup_days"})
# Counts (loans, holds, renewals) above a thousand and sums above ten million yuan are typing
# mistakes too; unbounded numbers (10^30) overflow database integers in the projections.
COUNT_FIELDS = frozenset({"renewals_allowed", "loan_limit", "hold_limit"})
MAX_COUNT = 1000
MONEY_FIELDS = frozenset({"daily_fine_fen", "fine_cap_fen", "block_fine_threshold_fen"})
MAX_FEN = 10**9

_AT_LEAST_ONE = Message(en="must be at least 1", zh="至少为 1")
_NOT_BOOLEAN = Message(en="must be true or false", zh="必须为 true 或 false")
_TOO_MANY = Message(en=f"must be at most {MAX_COUNT}", zh=f"不能超过 {MAX_COUNT}")
_TOO_MUCH = Message(en=f"must be at most {MAX_FEN} fen", zh=f"不能超过 {MAX_FEN} 分")
_TOO_MANY_DAYS = Message(en=f"must be at most {MAX_DAYS} days", zh=f"不能超过 {MAX_DAYS} 天")
_BAD_KEY = Message(
    en="must be a non-empty name, or null for any", zh="须为非空名称，或为 null 表示任意"
)
_NO_FALLBACK = Message(
    en="a fallback rule with any category, any item type and any branch is required",
    zh="须有一条读者类型、文献类型和分馆均为任意的兜底规则",
)
_CAP_BELOW_DAILY = Message(
    en="the fine cap must be at least the daily fine ({daily} fen)",
    zh="罚款上限不能低于每日罚款（{daily} 分）",
)
_RENEWAL_DAYS = Message(
    en="must be at least 1 when renewals are allowed", zh="允许续借时续借天数至少为 1"
)
_DUPLICATE = Message(
    en="has the same category, item type and branch as rules[{other}]",
    zh="与 rules[{other}] 的读者类型、文献类型和分馆完全相同",
)


class PolicyInvalid(FieldProblems):
    """A policy is malformed or inconsistent; ``problems`` maps field path -> message."""


def _int_problem(name: str, value: object) -> Message | None:
    if type(value) is not int:
        return NOT_A_WHOLE_NUMBER
    if value < 0:
        return NEGATIVE
    if name in AT_LEAST_ONE and value < 1:
        return _AT_LEAST_ONE
    if (name in DAY_FIELDS or name == "block_overdue_days") and value > MAX_DAYS:
        return _TOO_MANY_DAYS
    if name in COUNT_FIELDS and value > MAX_COUNT:
        return _TOO_MANY
    if name in MONEY_FIELDS and value > MAX_FEN:
        return _TOO_MUCH
    return None


@dataclass(frozen=True)
class PolicyRule:
    """One row of the matrix; None in a key field means "any"."""

    reader_category: str | None
    item_type: str | None
    branch: str | None
    loan_days: int
    renewals_allowed: int
    renewal_days: int
    loan_limit: int
    hold_limit: int
    daily_fine_fen: int
    fine_cap_fen: int
    grace_days: int
    pickup_days: int

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        """(reader_category, item_type, branch): unique within a valid matrix."""
        return (self.reader_category, self.item_type, self.branch)

    @property
    def specificity(self) -> int:
        """How many key fields are named (not wildcards)."""
        return sum(part is not None for part in self.key)

    def precedence(self) -> tuple[int, bool, bool, bool]:
        """Sort key: more named fields first, then branch > category > item type."""
        return (
            self.specificity,
            self.branch is not None,
            self.reader_category is not None,
            self.item_type is not None,
        )

    def matches(self, category: str | None, item_type: str | None, branch: str | None) -> bool:
        """Whether every named field of this rule equals the request."""
        return all(
            mine is None or mine == wanted
            for mine, wanted in zip(self.key, (category, item_type, branch), strict=True)
        )

    def problems(self, where: str = "") -> dict[str, Message]:
        """Per-field problems of this row, keyed ``<where><field>``."""
        found: dict[str, Message] = {}
        for name in KEY_FIELDS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                found[where + name] = _BAD_KEY
        for name in NUMBER_FIELDS:
            problem = _int_problem(name, getattr(self, name))
            if problem is not None:
                found[where + name] = problem
        if found:
            return found
        if self.renewals_allowed > 0 and self.renewal_days < 1:
            found[where + "renewal_days"] = _RENEWAL_DAYS
        if self.daily_fine_fen > 0 and self.fine_cap_fen < self.daily_fine_fen:
            found[where + "fine_cap_fen"] = _CAP_BELOW_DAILY.format(daily=self.daily_fine_fen)
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (wildcards as null)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "") -> PolicyRule:
        """Parse one row; raises PolicyInvalid on missing, unknown or mistyped fields."""
        found: dict[str, Message] = {}
        for name in KEY_FIELDS:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                found[where + name] = _BAD_KEY
        for name in NUMBER_FIELDS:
            if name not in data:
                found[where + name] = REQUIRED
            elif type(data[name]) is not int:
                found[where + name] = NOT_A_WHOLE_NUMBER
        for name in sorted(set(data) - set(KEY_FIELDS) - set(NUMBER_FIELDS)):
            found[where + name] = UNKNOWN_FIELD
        if found:
            raise PolicyInvalid(found)
        values: dict[str, Any] = {name: data.get(name) for name in (*KEY_FIELDS, *NUMBER_FIELDS)}
        return cls(**values)


@dataclass(frozen=True)
class PolicyMatrix:
    """All rules of a library plus the thresholds for automatic blocks."""

    rules: tuple[PolicyRule, ...]
    block_fine_threshold_fen: int
    block_overdue_days: int
    # Whether an overdue loan may be renewed (the fine so far is then charged at once). Off
    # by default: Chinese public libraries ask for overdue books back (超期不能续借).
    renew_overdue: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))

    def resolve(
        self, category: str | None, item_type: str | None, branch: str | None
    ) -> PolicyRule:
        """The most specific rule for this reader category, item type and branch."""
        candidates = [r for r in self.rules if r.matches(category, item_type, branch)]
        if not candidates:
            raise PolicyInvalid({"rules": _NO_FALLBACK})
        return max(candidates, key=PolicyRule.precedence)

    def problems(self) -> dict[str, Message]:
        """Every problem of the matrix, keyed by field path (``rules[2].loan_days``)."""
        found: dict[str, Message] = {}
        first_index: dict[tuple[str | None, str | None, str | None], int] = {}
        for i, rule in enumerate(self.rules):
            found.update(rule.problems(f"rules[{i}]."))
            if rule.key in first_index:
                found[f"rules[{i}]"] = _DUPLICATE.format(other=first_index[rule.key])
            else:
                first_index[rule.key] = i
        if (None, None, None) not in first_index:
            found["rules"] = _NO_FALLBACK
        for name in ("block_fine_threshold_fen", "block_overdue_days"):
            problem = _int_problem(name, getattr(self, name))
            if problem is not None:
                found[name] = problem
        if type(self.renew_overdue) is not bool:
            found["renew_overdue"] = _NOT_BOOLEAN
        return found

    def validate(self) -> None:
        """Raise PolicyInvalid listing every problem, or return None if the matrix is sound."""
        found = self.problems()
        if found:
            raise PolicyInvalid(found)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the PolicyChanged event and the admin API."""
        return {
            "rules": [rule.to_dict() for rule in self.rules],
            "block_fine_threshold_fen": self.block_fine_threshold_fen,
            "block_overdue_days": self.block_overdue_days,
            "renew_overdue": self.renew_overdue,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PolicyMatrix:
        """Parse the shape only (call ``validate()`` for the rules); raises PolicyInvalid."""
        found: dict[str, Message] = {}
        raw_rules = data.get("rules")
        rules: list[PolicyRule] = []
        if not isinstance(raw_rules, list):
            found["rules"] = REQUIRED
        else:
            for i, raw in enumerate(raw_rules):
                if not isinstance(raw, Mapping):
                    found[f"rules[{i}]"] = Message(en="must be an object", zh="必须是对象")
                    continue
                try:
                    rules.append(PolicyRule.from_dict(raw, f"rules[{i}]."))
                except PolicyInvalid as err:
                    found.update(err.problems)
        for name in ("block_fine_threshold_fen", "block_overdue_days"):
            if name not in data:
                found[name] = REQUIRED
            elif type(data[name]) is not int:
                found[name] = NOT_A_WHOLE_NUMBER
        if type(data.get("renew_overdue", False)) is not bool:
            found["renew_overdue"] = _NOT_BOOLEAN
        known = {"rules", "block_fine_threshold_fen", "block_overdue_days", "renew_overdue"}
        for name in sorted(set(data) - known):
            found[name] = UNKNOWN_FIELD
        if found:
            raise PolicyInvalid(found)
        # renew_overdue is optional: policies recorded before it existed read as False.
        return cls(tuple(rules), data["block_fine_threshold_fen"], data["block_overdue_days"],
                   data.get("renew_overdue", False))


def loan_limit_for(matrix: PolicyMatrix, category: str | None) -> int:
    """Overall loan limit of a category across item types: resolve(category, None, None).

    Only rules with item_type and branch both wildcards can apply, so the category row (or
    the fallback) decides. A checkout must also respect the item rule's own loan_limit,
    which caps the loans of that item type.
    """
    return matrix.resolve(category, None, None).loan_limit


def hold_limit_for(matrix: PolicyMatrix, category: str | None) -> int:
    """Overall hold limit of a category (holds are on titles): resolve(category, None, None)."""
    return matrix.resolve(category, None, None).hold_limit


_FALLBACK = PolicyRule(
    None, None, None, loan_days=30, renewals_allowed=1, renewal_days=30, loan_limit=10,
    hold_limit=5, daily_fine_fen=10, fine_cap_fen=2000, grace_days=0, pickup_days=7,
)  # fmt: skip
_CATEGORY_CHANGES: dict[str, dict[str, Any]] = {
    "adult": {},
    "student": {"renewals_allowed": 2, "daily_fine_fen": 5, "fine_cap_fen": 1000},
    "child": {"loan_limit": 5, "hold_limit": 3, "daily_fine_fen": 5, "fine_cap_fen": 1000,
              "grace_days": 3},
    "staff": {"loan_days": 60, "renewals_allowed": 2, "renewal_days": 60, "loan_limit": 20,
              "hold_limit": 10, "daily_fine_fen": 0, "fine_cap_fen": 0},
}  # fmt: skip
_ITEM_TYPE_CHANGES: dict[str, dict[str, Any]] = {
    "periodical": {"loan_days": 14, "renewals_allowed": 0, "renewal_days": 0, "loan_limit": 5},
    "av": {"loan_days": 14, "renewals_allowed": 1, "renewal_days": 14, "loan_limit": 3},
}


def default_matrix() -> PolicyMatrix:
    """Defaults for a Chinese public library: 30 days, 1 renewal, 10 loans, 0.10 yuan/day."""
    rules = [_FALLBACK]
    categories = {
        c: replace(_FALLBACK, **{"reader_category": c, **ch}) for c, ch in _CATEGORY_CHANGES.items()
    }
    rules.extend(categories.values())
    for item_type, changes in _ITEM_TYPE_CHANGES.items():
        rules.append(replace(_FALLBACK, **{"item_type": item_type, **changes}))
        # Category rows outrank item-type rows, so each pair needs its own row to keep the
        # shorter periods of periodicals and AV while keeping the category's fines.
        for base in categories.values():
            limit = min(base.loan_limit, changes["loan_limit"])
            rules.append(replace(base, **{**changes, "item_type": item_type, "loan_limit": limit}))
    return PolicyMatrix(tuple(rules), block_fine_threshold_fen=1000, block_overdue_days=30)
