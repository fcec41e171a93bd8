"""School classes: create, pupils, reading list, and the batch reserve for a class visit.

Each class is the stream ``class-<id>``. A teacher reaches only the classes they created;
librarians and admins reach all (``may_manage``). The batch reserve places one hold per
title through the ordinary PlaceHold command, each title on its own: a refusal of one title
is reported with its code and leaves the others as they are.
"""

from __future__ import annotations

from typing import Any

from events.catalogue import TitleCatalogued
from events.families import ClassCreated, ClassPupilsSet, ReadingListSet
from events.store import LoadedStreams, PendingEvent
from events.streams import class_stream, title_stream
from service.application.commands import PlaceHold
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, derived_key, execute
from service.application.readers import reader_id_for_card
from service.domain.circulation import refusals as circulation_refusals
from service.domain.errors import DomainError
from service.domain.families.classes import (
    ClassState,
    batch_targets,
    check_new_class,
    check_pupils,
    check_titles,
    fold_class,
    may_manage,
)


def class_state(ports: Ports, class_id: str) -> ClassState:
    return fold_class(ports.store.load([class_stream(class_id)]).events, class_id)


def managed_class(ports: Ports, actor: Actor, class_id: str) -> ClassState:
    """The class, if the actor may manage it (class_not_found, not_your_class)."""
    state = class_state(ports, class_id)
    may_manage(state, actor.principal.id, actor.principal.role)
    return state


def create_class(ports: Ports, actor: Actor, class_id: str, name: str, school: str,
                 card_number: str | None, teacher: str | None, key: str | None) -> Outcome:
    stream = class_stream(class_id)
    card_reader = None
    if card_number:
        card_reader = reader_id_for_card(ports, card_number)
        if card_reader is None:
            raise circulation_refusals.reader_not_found()
    # A teacher creates classes for themselves; staff above may name the teacher.
    owner = actor.principal.id if actor.principal.role == "teacher" else (teacher or
                                                                          actor.principal.id)

    def decide(loaded: LoadedStreams) -> Decision:
        check_new_class(class_id, name, school, exists=bool(loaded.version(stream)))
        event = ClassCreated(class_id, name.strip(), school.strip(), owner, card_reader,
                             ports.clock())
        return Decision([PendingEvent(event, (stream,))],
                        {"class_id": class_id, "teacher": owner})

    return execute(ports, actor, "create_class", [stream], decide, key)


def set_pupils(ports: Ports, actor: Actor, class_id: str, card_numbers: tuple[str, ...],
               key: str | None) -> Outcome:
    stream = class_stream(class_id)
    found = {card: reader_id_for_card(ports, card) for card in dict.fromkeys(card_numbers)}
    unknown = [card for card, reader in found.items() if reader is None]
    pupils = check_pupils([r for r in found.values() if r is not None], unknown)

    def decide(loaded: LoadedStreams) -> Decision:
        may_manage(fold_class(loaded.events, class_id), actor.principal.id, actor.principal.role)
        event = ClassPupilsSet(class_id, pupils, ports.clock())
        return Decision([PendingEvent(event, (stream,))],
                        {"class_id": class_id, "pupils": len(pupils)})

    return execute(ports, actor, "set_class_pupils", [stream], decide, key)


def set_reading_list(ports: Ports, actor: Actor, class_id: str, title_ids: tuple[str, ...],
                     name: str, key: str | None) -> Outcome:
    stream = class_stream(class_id)
    wanted = tuple(dict.fromkeys(title_ids))

    def decide(loaded: LoadedStreams) -> Decision:
        may_manage(fold_class(loaded.events, class_id), actor.principal.id, actor.principal.role)
        known = {s.event.title_id for s in loaded.events if isinstance(s.event, TitleCatalogued)}
        titles = check_titles(wanted, [t for t in wanted if t not in known])
        event = ReadingListSet(class_id, name.strip()[:200], titles, ports.clock())
        return Decision([PendingEvent(event, (stream,))],
                        {"class_id": class_id, "titles": len(titles)},
                        expected={stream: loaded.version(stream)})

    streams = [stream, *(title_stream(t) for t in wanted)]
    return execute(ports, actor, "set_reading_list", streams, decide, key)


def reserve_reading_list(ports: Ports, actor: Actor, class_id: str, pickup_branch: str,
                         key: str | None) -> dict[str, Any]:
    """One hold per title for the class card at ``pickup_branch``; each title on its own."""
    from service.application.handlers import handle

    reader_id, title_ids = batch_targets(managed_class(ports, actor, class_id))
    results: list[dict[str, Any]] = []
    position = 0
    for title_id in title_ids:
        try:
            outcome = handle(ports, actor, PlaceHold(reader_id, title_id, pickup_branch),
                             derived_key(key, title_id))
            position = max(position, outcome.position)
            results.append({"title_id": title_id, "placed": True,
                            "hold_id": outcome.result.get("hold_id")})
        except DomainError as exc:
            results.append({"title_id": title_id, "placed": False, "code": exc.code,
                            "message_en": exc.en, "message_zh": exc.zh})
    return {"class_id": class_id, "reader_id": reader_id, "results": results,
            "position": position}
