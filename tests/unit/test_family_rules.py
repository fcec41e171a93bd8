"""The pure rules of families and classes: who may be linked, who manages a class, progress."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.families import ClassCreated, ClassPupilsSet, GuardianLinked, GuardianUnlinked
from service.domain.errors import DomainError
from service.domain.families.classes import (
    ClassState,
    batch_targets,
    check_new_class,
    check_pupils,
    fold_class,
    may_manage,
    progress_status,
)
from service.domain.families.guardians import (
    MAX_GUARDIANS,
    decide_link,
    decide_unlink,
    fold_guardians,
)

AT = datetime(2026, 3, 2, tzinfo=UTC)


def code(call: object) -> str:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.en and caught.value.zh
    return caught.value.code


def test_a_childs_guardians_are_the_links_not_undone() -> None:
    events = [GuardianLinked("k", "p", "pin", AT), GuardianLinked("k", "q", "desk", AT),
              GuardianUnlinked("k", "p", AT), GuardianLinked("other", "p", "pin", AT)]
    assert fold_guardians(events, "k") == {"q": "desk"}


def test_linking_refuses_oneself_twice_a_cycle_and_too_many() -> None:
    assert decide_link("k", "p", {}, {}, "pin", AT) == GuardianLinked("k", "p", "pin", AT)
    assert code(lambda: decide_link("p", "p", {}, {}, "pin", AT)) == "cannot_link_self"
    assert code(lambda: decide_link("k", "p", {"p": "pin"}, {}, "pin", AT)) == (
        "child_already_linked")
    assert code(lambda: decide_link("k", "p", {}, {"k": "pin"}, "pin", AT)) == "guardian_cycle"
    full = {f"g{n}": "desk" for n in range(MAX_GUARDIANS)}
    assert code(lambda: decide_link("k", "p", full, {}, "pin", AT)) == "too_many_guardians"
    assert code(lambda: decide_unlink("k", "p", {}, AT)) == "child_not_linked"


def test_a_teacher_manages_only_their_own_class_and_librarians_every_class() -> None:
    state = fold_class([ClassCreated("c1", "一班", "实小", "t1", None, AT),
                        ClassPupilsSet("c1", ("r1", "r2"), AT)], "c1")
    assert state.pupils == ("r1", "r2")
    may_manage(state, "t1", "teacher")
    may_manage(state, "lib", "librarian")
    assert code(lambda: may_manage(state, "t2", "teacher")) == "not_your_class"
    assert code(lambda: may_manage(ClassState("none"), "t1", "teacher")) == "class_not_found"


def test_class_input_is_checked_and_a_batch_needs_a_card_and_a_list() -> None:
    assert code(lambda: check_new_class("bad id", "一班", "", False)) == "invalid_class"
    assert code(lambda: check_new_class("c1", "一班", "", True)) == "class_exists"
    assert code(lambda: check_pupils(["r1"], ["NOPE"])) == "invalid_class"
    assert check_pupils(["r1", "r2", "r1"], []) == ("r1", "r2")
    assert code(lambda: batch_targets(ClassState("c", teacher="t"))) == "class_has_no_card"
    assert code(lambda: batch_targets(ClassState("c", teacher="t", card_reader_id="r"))) == (
        "reading_list_empty")
    assert batch_targets(ClassState("c", teacher="t", card_reader_id="r", title_ids=("a",))) == (
        "r", ("a",))


def test_progress_is_borrowed_while_on_loan_then_returned() -> None:
    assert progress_status(False, False) == "not_started"
    assert progress_status(True, False) == "borrowed"
    assert progress_status(True, True) == "borrowed"  # borrowed again after a return
    assert progress_status(False, True) == "returned"
