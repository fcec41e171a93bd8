"""The documented variables each notice kind's templates may use, and their checking."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from service.config import DEFAULT_TIMEZONE
from service.domain.notices.kinds import NoticeKind

# Every item dict gets these keys (None when not given) so templates can test them.
ITEM_KEYS = ("title", "author", "barcode", "due_date", "days_overdue")
DECISIONS = ("accepted", "rejected")

COMMON_REQUIRED = ("reader_name", "library_name")
COMMON_OPTIONAL: Mapping[str, Any] = MappingProxyType(
    {"portal_url": None, "timezone": DEFAULT_TIMEZONE}
)
INJECTED = ("lang",)  # set by render_notice, never by the caller


class ContextError(ValueError):
    """The context given for a notice does not match its kind's documented variables."""


@dataclass(frozen=True)
class KindVariables:
    """Variables of one kind: required names, optional names with defaults, item lists."""

    required: tuple[str, ...]
    optional: Mapping[str, Any] = field(default_factory=dict)
    item_lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> keys needed

    def names(self) -> frozenset[str]:
        """All variable names a template of this kind may use."""
        return frozenset(
            (*COMMON_REQUIRED, *COMMON_OPTIONAL, *INJECTED, *self.required, *self.optional)
        )


_TITLE = ("title",)
_DUE = ("title", "due_date")
_OVERDUE = ("title", "due_date", "days_overdue")

VARIABLES: Mapping[NoticeKind, KindVariables] = MappingProxyType({
    NoticeKind.reservation_ready: KindVariables(
        ("items", "pickup_branch", "pickup_deadline"), item_lists={"items": _TITLE}),
    NoticeKind.pickup_reminder: KindVariables(
        ("items", "pickup_branch", "pickup_deadline"), item_lists={"items": _TITLE}),
    NoticeKind.due_soon: KindVariables(("items",), item_lists={"items": _DUE}),
    NoticeKind.overdue: KindVariables(
        ("items",), {"card_blocked": False, "fine_fen": None}, {"items": _OVERDUE}),
    NoticeKind.hold_expired: KindVariables(
        ("items",), {"pickup_branch": None, "reason": None}, {"items": _TITLE}),
    NoticeKind.hold_cancelled: KindVariables(
        ("items",), {"reason": None}, {"items": _TITLE}),
    NoticeKind.fine_assessed: KindVariables(
        ("fine_fen",),
        {"items": [], "reason": None, "balance_fen": None, "card_blocked": False},
        {"items": _TITLE}),
    NoticeKind.feedback_answered: KindVariables(("answer_text",), {"feedback_text": None}),
    NoticeKind.suggestion_decided: KindVariables(
        ("suggestion_title", "decision"), {"reason": None}),
    NoticeKind.activity_reminder: KindVariables(
        ("activity_title", "activity_starts_at", "activity_branch"),
        {"activity_description": None}),
    NoticeKind.digest: KindVariables(
        ("due_soon_items", "overdue_items"), {"card_blocked": False, "fine_fen": None},
        {"due_soon_items": _DUE, "overdue_items": _OVERDUE}),
    # class_name: the reader's favourite class (None: the library's new arrivals overall).
    NoticeKind.campaign_new_arrivals: KindVariables(
        ("items",), {"class_name": None, "message": None}, {"items": _TITLE}),
    NoticeKind.campaign_we_miss_you: KindVariables((), {"message": None}),
    NoticeKind.campaign_activity: KindVariables(("message",)),
    NoticeKind.campaign_survey: KindVariables(("survey_title",), {"message": None}),
})


def variables_for(kind: NoticeKind | str | None) -> frozenset[str]:
    """Names a template may use: those of `kind`, or of any kind when kind is None."""
    if kind is None:
        return frozenset().union(*(v.names() for v in VARIABLES.values()))
    return VARIABLES[NoticeKind(kind)].names()


def prepare_context(kind: NoticeKind, lang: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """Check `context` against the kind's variables and return it with defaults filled in."""
    spec = VARIABLES[kind]
    missing = [n for n in (*COMMON_REQUIRED, *spec.required) if context.get(n) is None]
    if missing:
        raise ContextError(f"{kind.value}: missing required variables {missing}")
    prepared: dict[str, Any] = {**COMMON_OPTIONAL, **spec.optional, **context, "lang": lang}
    for name, needed in spec.item_lists.items():
        prepared[name] = [_item(kind, name, i, item, needed) for i, item in
                          enumerate(_as_list(kind, name, prepared[name]))]
    if kind is NoticeKind.suggestion_decided and prepared["decision"] not in DECISIONS:
        raise ContextError(f"decision must be one of {DECISIONS}, got {prepared['decision']!r}")
    return prepared


def _as_list(kind: NoticeKind, name: str, value: Any) -> list[Any]:
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise ContextError(f"{kind.value}: {name} must be a list of items")
    return list(value)


def _item(
    kind: NoticeKind, name: str, index: int, item: Any, needed: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise ContextError(f"{kind.value}: {name}[{index}] must be a mapping")
    missing = [k for k in needed if item.get(k) is None]
    if missing:
        raise ContextError(f"{kind.value}: {name}[{index}] is missing {missing}")
    return {**dict.fromkeys(ITEM_KEYS), **item}
