"""Guardians: link and unlink a child's card, and the consistent check behind every child view.

A child's guardians live in the stream ``guardianship-<child_id>``; linking also reads the
guardian's own guardianship stream (with its version expected), so two readers linking each
other at once cannot both succeed and make a cycle.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from events.store import LoadedStreams, PendingEvent
from events.streams import guardianship_stream, reader_stream
from service.application import circulation
from service.application.commands import Renew
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.readers import load_reader
from service.domain.families import refusals
from service.domain.families.guardians import decide_link, decide_unlink, fold_guardians


def guardians_of(ports: Ports, child_id: str) -> dict[str, str]:
    """Guardian id -> how linked, read from the child's stream (consistent)."""
    return fold_guardians(ports.store.load([guardianship_stream(child_id)]).events, child_id)


def check_guardian(ports: Ports, guardian_id: str, child_id: str) -> None:
    """Refuse (404 child_not_linked) unless ``guardian_id`` is a guardian of ``child_id``."""
    if guardian_id not in guardians_of(ports, child_id):
        raise refusals.not_linked()


def link_guardian(ports: Ports, actor: Actor, child_id: str, guardian_id: str, via: str,
                  key: str | None) -> Outcome:
    child_s, guardian_s = guardianship_stream(child_id), guardianship_stream(guardian_id)
    if child_id == guardian_id:
        raise refusals.cannot_link_self()

    def decide(loaded: LoadedStreams) -> Decision:
        load_reader(loaded, child_id)
        load_reader(loaded, guardian_id)
        event = decide_link(child_id, guardian_id, fold_guardians(loaded.events, child_id),
                            fold_guardians(loaded.events, guardian_id), via, ports.clock())
        return Decision([PendingEvent(event, (child_s,))],
                        {"child_id": child_id, "guardian_id": guardian_id, "via": via},
                        expected={child_s: loaded.version(child_s),
                                  guardian_s: loaded.version(guardian_s)})

    streams = [child_s, guardian_s, reader_stream(child_id), reader_stream(guardian_id)]
    return execute(ports, actor, "link_guardian", streams, decide, key)


def unlink_guardian(ports: Ports, actor: Actor, child_id: str, guardian_id: str,
                    key: str | None) -> Outcome:
    child_s = guardianship_stream(child_id)

    def decide(loaded: LoadedStreams) -> Decision:
        event = decide_unlink(child_id, guardian_id, fold_guardians(loaded.events, child_id),
                              ports.clock())
        return Decision([PendingEvent(event, (child_s,))],
                        {"child_id": child_id, "guardian_id": guardian_id})

    return execute(ports, actor, "unlink_guardian", [child_s], decide, key)


def renew_for_child(ports: Ports, actor: Actor, guardian_id: str, child_id: str, barcode: str,
                    key: str | None) -> Outcome:
    """The same Renew command and rules as the child's own, acted by the guardian; the
    event's meta names the guardian as actor and the child it acted for."""
    from service.application.handlers import handle

    check_guardian(ports, guardian_id, child_id)
    return handle(ports, replace(actor, on_behalf_of=child_id),
                  Renew(barcode, only_reader=child_id), key)


def child_summary(ports: Ports, child_id: str) -> dict[str, Any]:
    state = circulation.reader_state(ports, child_id)
    return {"child_id": child_id, "card_number": state.card_number}
