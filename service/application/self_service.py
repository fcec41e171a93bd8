"""Scan to borrow: a reader lends a copy to their own card from the portal, where allowed."""

from __future__ import annotations

from events.configuration import SelfServiceChanged
from events.store import LoadedStreams, PendingEvent
from service.application import circulation
from service.application.catalogue import copy_stream
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.domain.circulation import refusals
from service.domain.circulation.copy_state import fold_copy
from service.domain.circulation.self_service import check_portal_checkout, fold_self_service

SELF_SERVICE_STREAM = "config-self-service"


def self_service_settings(ports: Ports) -> dict[str, bool]:
    """Branch -> portal checkout allowed, as configured (branches not named: not allowed)."""
    return fold_self_service(ports.store.load([SELF_SERVICE_STREAM]).events)


def change_self_service(ports: Ports, actor: Actor, branch: str, portal_checkout: bool,
                        key: str | None) -> Outcome:
    """Turn borrowing by phone on or off for one branch."""

    def decide(_loaded: LoadedStreams) -> Decision:
        return Decision([PendingEvent(SelfServiceChanged(branch, portal_checkout),
                                      (SELF_SERVICE_STREAM,))],
                        {"branch": branch, "portal_checkout": portal_checkout})

    return execute(ports, actor, "change_self_service", [SELF_SERVICE_STREAM], decide, key)


def portal_check_out(ports: Ports, actor: Actor, reader_id: str, barcode: str,
                     key: str | None) -> Outcome:
    """Lend a copy to this reader through the desk's checkout command, at the copy's branch."""
    copy = fold_copy(ports.store.load([copy_stream(barcode)]).events, barcode)
    if copy.title_id is None:
        raise refusals.copy_not_found()
    check_portal_checkout(self_service_settings(ports), copy.branch)
    card_number = circulation.reader_state(ports, reader_id).card_number
    if card_number is None:
        raise refusals.reader_not_found()
    return circulation.check_out(ports, actor, card_number, barcode, copy.branch, key)
