"""Class rules: a teacher's class, its pupils and its reading list (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from events.families import ClassCreated, ClassPupilsSet, ReadingListSet
from service.domain.families import refusals

CLASS_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_PUPILS = 80
MAX_TITLES = 60


@dataclass(frozen=True)
class ClassState:
    class_id: str
    name: str = ""
    school: str = ""
    teacher: str | None = None  # the staff username who owns it; None: no such class
    card_reader_id: str | None = None
    pupils: tuple[str, ...] = ()
    list_name: str = ""
    title_ids: tuple[str, ...] = ()


def fold_class(events: Iterable[Any], class_id: str) -> ClassState:
    state = ClassState(class_id)
    for stored in events:
        e = getattr(stored, "event", stored)
        if getattr(e, "class_id", None) != class_id:
            continue
        if isinstance(e, ClassCreated):
            state = ClassState(class_id, e.name, e.school, e.teacher, e.card_reader_id)
        elif isinstance(e, ClassPupilsSet):
            state = _replace(state, pupils=tuple(e.pupils))
        elif isinstance(e, ReadingListSet):
            state = _replace(state, list_name=e.name, title_ids=tuple(e.title_ids))
    return state


def _replace(state: ClassState, **changes: Any) -> ClassState:
    from dataclasses import replace

    return replace(state, **changes)


def may_manage(state: ClassState, username: str, role: str) -> None:
    """Teachers reach their own classes only; librarians and admins reach every class."""
    if state.teacher is None:
        raise refusals.class_not_found()
    if role == "teacher" and state.teacher != username:
        raise refusals.not_your_class()


def check_new_class(class_id: str, name: str, school: str, exists: bool) -> None:
    problems: dict[str, list[str]] = {}
    if not CLASS_ID.match(class_id):
        problems["class_id"] = ["Letters, digits, '_' and '-' (max 64)."]
    if not name.strip() or len(name) > 200:
        problems["name"] = ["1-200 characters."]
    if len(school) > 200:
        problems["school"] = ["At most 200 characters."]
    if problems:
        raise refusals.invalid_class(problems)
    if exists:
        raise refusals.class_exists()


def check_pupils(pupils: Sequence[str], unknown_cards: Sequence[str]) -> tuple[str, ...]:
    """Pupils (reader ids) in the order given, each once; every card must be known."""
    if unknown_cards:
        raise refusals.invalid_class({"card_numbers": [f"Unknown card: {c}"
                                                       for c in unknown_cards]})
    if len(set(pupils)) > MAX_PUPILS:
        raise refusals.invalid_class({"card_numbers": [f"At most {MAX_PUPILS} pupils."]})
    return tuple(dict.fromkeys(pupils))


def check_titles(title_ids: Sequence[str], unknown: Sequence[str]) -> tuple[str, ...]:
    if unknown:
        raise refusals.invalid_class({"title_ids": [f"Unknown title: {t}" for t in unknown]})
    if len(set(title_ids)) > MAX_TITLES:
        raise refusals.invalid_class({"title_ids": [f"At most {MAX_TITLES} titles."]})
    return tuple(dict.fromkeys(title_ids))


def batch_targets(state: ClassState) -> tuple[str, tuple[str, ...]]:
    """The class card and the titles a batch reserve places holds for, or a refusal."""
    if state.card_reader_id is None:
        raise refusals.class_has_no_card()
    if not state.title_ids:
        raise refusals.reading_list_empty()
    return state.card_reader_id, state.title_ids


def progress_status(on_loan: bool, returned: bool) -> str:
    """A pupil's progress on one title: borrowed (on loan now), returned, or not_started."""
    if on_loan:
        return "borrowed"
    return "returned" if returned else "not_started"
