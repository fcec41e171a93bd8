"""Facts about families and schools: guardians linked to children, classes and reading lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.base import Event


@dataclass(frozen=True)
class GuardianLinked(Event, type_name="guardian.linked", version=1):
    """A reader became a guardian of a child's card (``via``: "pin" in the portal, "desk")."""

    child_id: str
    guardian_id: str
    via: str
    linked_at: datetime


@dataclass(frozen=True)
class GuardianUnlinked(Event, type_name="guardian.unlinked", version=1):
    """The link ended (by the guardian or by staff)."""

    child_id: str
    guardian_id: str
    unlinked_at: datetime


@dataclass(frozen=True)
class ClassCreated(Event, type_name="class.created", version=1):
    """A teacher's class; ``card_reader_id`` is the class card that batch holds go to."""

    class_id: str
    name: str
    school: str
    teacher: str
    card_reader_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class ClassPupilsSet(Event, type_name="class.pupils_set", version=1):
    """The class's pupils (reader ids) as they are from now on."""

    class_id: str
    pupils: tuple[str, ...]
    changed_at: datetime


@dataclass(frozen=True)
class ReadingListSet(Event, type_name="class.reading_list_set", version=1):
    """The class's reading list (title ids, in order) as it is from now on."""

    class_id: str
    name: str
    title_ids: tuple[str, ...]
    changed_at: datetime
