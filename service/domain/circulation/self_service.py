"""Self-service borrowing from the reader's phone: which branches allow it (default: none)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from events.configuration import SelfServiceChanged
from events.store import StoredEvent
from service.domain.errors import Forbidden


def fold_self_service(events: Iterable[StoredEvent]) -> dict[str, bool]:
    """Branch -> whether its readers may borrow by scanning (the latest change wins)."""
    allowed: dict[str, bool] = {}
    for stored in events:
        if isinstance(stored.event, SelfServiceChanged):
            allowed[stored.event.branch] = stored.event.portal_checkout
    return allowed


def check_portal_checkout(allowed: Mapping[str, bool], branch: str) -> None:
    """Refuse a phone checkout unless the copy's branch has turned self-service on."""
    if not allowed.get(branch, False):
        raise Forbidden("self_service_not_allowed",
                        "This branch does not lend by phone; please borrow at the desk or a kiosk.",
                        "本馆（分馆）未开通手机自助借书，请到服务台或自助借还机办理。",
                        branch=branch)
