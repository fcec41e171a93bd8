"""Guardianship rules: who may be linked to whom (pure; the handler loads the streams)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from events.families import GuardianLinked, GuardianUnlinked
from service.domain.families import refusals

MAX_GUARDIANS = 4


def fold_guardians(events: Iterable[Any], child_id: str) -> dict[str, str]:
    """Guardian id -> how they were linked, for one child's guardianship stream."""
    guardians: dict[str, str] = {}
    for stored in events:
        e = getattr(stored, "event", stored)
        if getattr(e, "child_id", None) != child_id:
            continue
        if isinstance(e, GuardianLinked):
            guardians[e.guardian_id] = e.via
        elif isinstance(e, GuardianUnlinked):
            guardians.pop(e.guardian_id, None)
    return guardians


def decide_link(child_id: str, guardian_id: str, child_guardians: dict[str, str],
                guardian_guardians: dict[str, str], via: str, at: datetime) -> GuardianLinked:
    """Link ``guardian_id`` to ``child_id`` or refuse (self, twice, a cycle, too many)."""
    if child_id == guardian_id:
        raise refusals.cannot_link_self()
    if guardian_id in child_guardians:
        raise refusals.already_linked()
    if child_id in guardian_guardians:
        raise refusals.guardian_cycle()
    if len(child_guardians) >= MAX_GUARDIANS:
        raise refusals.too_many_guardians(MAX_GUARDIANS)
    return GuardianLinked(child_id, guardian_id, via, at)


def decide_unlink(child_id: str, guardian_id: str, child_guardians: dict[str, str],
                  at: datetime) -> GuardianUnlinked:
    if guardian_id not in child_guardians:
        raise refusals.not_linked()
    return GuardianUnlinked(child_id, guardian_id, at)
