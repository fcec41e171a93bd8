"""Circulation command handlers: locate the streams, decide with pure rules, append."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from events.holds import HoldPlaced
from events.store import LoadedStreams
from events.streams import CONFIG_STREAMS, copy_stream, hold_stream, reader_stream, title_stream
from events.vocabulary import CopyStatus
from service.application.catalogue import copy_title_id
from service.application.context import Actor, Ports
from service.application.execute import (
    Decide,
    Decision,
    Load,
    Outcome,
    derived_key,
    execute,
    run,
    uses_snapshots,
)
from service.application.managed_lists import require_known
from service.application.readers import load_account, load_reader, reader_id_for_card
from service.application.settings import rules_from
from service.domain.catalogue.title_state import fold_title
from service.domain.circulation import refusals
from service.domain.circulation.copy_state import CopyState, fold_copy
from service.domain.circulation.hold_rules import decide_cancel_hold, decide_expire_hold, decide_place_hold
from service.domain.circulation.loan_rules import (
    decide_checkin,
    decide_checkout,
    decide_mark_lost,
    decide_renew,
)
from service.domain.circulation.overrides import with_overrides
from service.domain.decision import Relocate
from service.domain.errors import DomainError
from service.domain.readers.reader_state import ReaderState

Located = tuple[list[str], Decide]


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _versions(loaded: LoadedStreams, *streams: str) -> dict[str, int]:
    return {s: loaded.version(s) for s in streams}


def _locate_copy(load: Load, barcode: str) -> CopyState:
    copy = fold_copy(load([copy_stream(barcode)]).events, barcode)
    if copy.title_id is None:
        raise refusals.copy_not_found()
    return copy


DROP_WINDOW = timedelta(days=14)  # how far back a book drop's return time may go


def check_drop_time(returned_at: datetime, now: datetime) -> None:
    """A book drop's return time is in the past, at most DROP_WINDOW ago."""
    if returned_at.tzinfo is None or returned_at > now or returned_at < now - DROP_WINDOW:
        raise refusals.return_time_invalid(DROP_WINDOW.days)


def reader_for_card(ports: Ports, card_number: str, load: Load | None = None) -> str:
    reader_id = reader_id_for_card(ports, card_number, load)
    if reader_id is None:
        raise refusals.reader_not_found()
    return reader_id


def check_out(ports: Ports, actor: Actor, card_number: str, barcode: str,
              branch: str | None, key: str | None, override_reason: str | None = None) -> Outcome:
    """Lend a copy to the reader holding this card (a librarian may pass soft refusals with
    ``override_reason``)."""
    require_known(ports, branch=("branch", branch))
    loan_id = _new_id()

    def locate(load: Load) -> Located:
        # Both facts never change once recorded (remembered per process after the first read).
        reader_id = reader_for_card(ports, card_number, load)
        title_id = copy_title_id(ports, barcode, load)
        if title_id is None:
            raise refusals.copy_not_found()
        reader_s, copy_s = reader_stream(reader_id), copy_stream(barcode)

        @uses_snapshots
        def decide(loaded: LoadedStreams) -> Decision:
            rules = rules_from(loaded.events, ports.clock(), ports.timezone)
            reader, copy = load_reader(loaded, reader_id), fold_copy(loaded.events, barcode)
            title = fold_title(loaded.events, title_id)
            decision = with_overrides(
                lambda allow, override: decide_checkout(rules, reader, copy, title, loan_id,
                                                        branch, allow, override),
                actor.principal.role, override_reason, actor.principal.actor)
            return replace(decision, expected=_versions(loaded, reader_s, copy_s))

        return [reader_s, copy_s, title_stream(title_id), *CONFIG_STREAMS], decide

    return run(ports, actor, "check_out", locate, key)


def check_in(ports: Ports, actor: Actor, barcode: str, branch: str | None,
             key: str | None, returned_at: datetime | None = None) -> Outcome:
    """Return a copy: close its loan, fine if late, trap it for the next hold, send it in
    transit if it belongs elsewhere. ``returned_at``: a book drop's time (back-dated return)."""
    require_known(ports, branch=("branch", branch))
    if returned_at is not None:
        check_drop_time(returned_at, ports.clock())

    def locate(load: Load) -> Located:
        located = _locate_copy(load, barcode)
        assert located.title_id is not None
        reader_id = located.reader_id if located.status == CopyStatus.ON_LOAN else None
        streams = [copy_stream(barcode), title_stream(located.title_id)]
        if reader_id:
            streams.append(reader_stream(reader_id))
        fine_id = _new_id()

        @uses_snapshots
        def decide(loaded: LoadedStreams) -> Decision:
            copy = fold_copy(loaded.events, barcode)
            now_reader = copy.reader_id if copy.status == CopyStatus.ON_LOAN else None
            if now_reader != reader_id:
                raise Relocate
            reader = load_account(loaded, reader_id) if reader_id else None
            rules = rules_from(loaded.events, ports.clock(), ports.timezone)
            drop = rules_from(loaded.events, returned_at, ports.timezone) if returned_at else None
            decision = decide_checkin(rules, copy, reader,
                                      fold_title(loaded.events, copy.title_id or ""),
                                      branch or copy.branch, fine_id, drop)
            return replace(decision, expected=_versions(loaded, *streams))

        return [*streams, *CONFIG_STREAMS], decide

    return run(ports, actor, "check_in", locate, key)


def renew(ports: Ports, actor: Actor, barcode: str, key: str | None,
          only_reader: str | None = None, override_reason: str | None = None) -> Outcome:
    """Renew the loan of a copy (``only_reader``: a reader renewing their own loan; a
    librarian may pass soft refusals with ``override_reason``)."""

    def locate(load: Load) -> Located:
        located = _locate_copy(load, barcode)
        if located.status != CopyStatus.ON_LOAN or located.reader_id is None:
            raise refusals.loan_not_found()
        if only_reader is not None and located.reader_id != only_reader:
            raise refusals.loan_not_found()
        reader_id, title_id = located.reader_id, located.title_id or ""
        streams = [copy_stream(barcode), reader_stream(reader_id), title_stream(title_id)]

        @uses_snapshots
        def decide(loaded: LoadedStreams) -> Decision:
            copy = fold_copy(loaded.events, barcode)
            if copy.reader_id != reader_id:
                raise Relocate
            rules = rules_from(loaded.events, ports.clock(), ports.timezone)
            reader, title = load_reader(loaded, reader_id), fold_title(loaded.events, title_id)
            decision = with_overrides(
                lambda allow, override: decide_renew(rules, reader, copy, title, allow, override),
                actor.principal.role, override_reason, actor.principal.actor)
            return replace(decision, expected=_versions(loaded, *streams))

        return [*streams, *CONFIG_STREAMS], decide

    return run(ports, actor, "renew", locate, key)


def reader_state(ports: Ports, reader_id: str) -> ReaderState:
    return load_reader(ports.store.load([reader_stream(reader_id)]), reader_id)


def renew_all(ports: Ports, actor: Actor, reader_id: str, key: str | None) -> dict[str, Any]:
    """Renew every loan of a reader; each loan succeeds or fails on its own."""
    results = []
    position = 0
    for loan in sorted(reader_state(ports, reader_id).loans.values(), key=lambda ln: ln.due_on):
        sub_key = derived_key(key, loan.barcode)
        try:
            outcome = renew(ports, actor, loan.barcode, sub_key, only_reader=reader_id)
            position = max(position, outcome.position)
            results.append({"barcode": loan.barcode, "renewed": True, **outcome.result})
        except DomainError as exc:
            results.append({"barcode": loan.barcode, "renewed": False, "code": exc.code,
                            "message_en": exc.en, "message_zh": exc.zh})
    return {"reader_id": reader_id, "results": results, "position": position}


def place_hold(ports: Ports, actor: Actor, reader_id: str, title_id: str, pickup_branch: str,
               key: str | None, enumeration: str | None = None) -> Outcome:
    """Join the title's (or, with ``enumeration``, one volume's) first-come-first-served queue."""
    require_known(ports, pickup_branch=("branch", pickup_branch))
    hold_id = _new_id()
    reader_s, title_s = reader_stream(reader_id), title_stream(title_id)

    def decide(loaded: LoadedStreams) -> Decision:
        rules = rules_from(loaded.events, ports.clock(), ports.timezone)
        events, result = decide_place_hold(rules, load_reader(loaded, reader_id),
                                           fold_title(loaded.events, title_id), hold_id,
                                           pickup_branch, enumeration)
        return Decision(events, result, _versions(loaded, reader_s, title_s))

    return execute(ports, actor, "place_hold", [reader_s, title_s, *CONFIG_STREAMS], decide, key)


def hold_owner(ports: Ports, hold_id: str) -> HoldPlaced:
    """The placement of a hold (who, which title), read from the hold's own stream."""
    for stored in ports.store.load([hold_stream(hold_id)]).events:
        if isinstance(stored.event, HoldPlaced):
            return stored.event
    raise refusals.hold_not_found()


def _hold_command(ports: Ports, actor: Actor, command: str, hold_id: str, key: str | None,
                  decide_with: Any) -> Outcome:
    placed = hold_owner(ports, hold_id)

    def locate(load: Load) -> Located:
        title = fold_title(load([title_stream(placed.title_id)]).events, placed.title_id)
        barcode = title.trapped[hold_id][1] if hold_id in title.trapped else None
        streams = [title_stream(placed.title_id), reader_stream(placed.reader_id),
                   hold_stream(hold_id)] + ([copy_stream(barcode)] if barcode else [])

        def decide(loaded: LoadedStreams) -> Decision:
            now_title = fold_title(loaded.events, placed.title_id)
            now_barcode = now_title.trapped[hold_id][1] if hold_id in now_title.trapped else None
            if now_barcode != barcode:
                raise Relocate
            rules = rules_from(loaded.events, ports.clock(), ports.timezone)
            copy = fold_copy(loaded.events, barcode) if barcode else None
            events, result = decide_with(rules, now_title, copy)
            return Decision(events, result, _versions(loaded, *streams))

        return [*streams, *CONFIG_STREAMS], decide

    return run(ports, actor, command, locate, key)


def cancel_hold(ports: Ports, actor: Actor, hold_id: str, reason: str, key: str | None,
                only_reader: str | None = None) -> Outcome:
    """Cancel a hold; a copy set aside for it goes to the next reader automatically."""
    if only_reader is not None and hold_owner(ports, hold_id).reader_id != only_reader:
        raise refusals.hold_not_found()
    by = actor.principal.actor
    return _hold_command(ports, actor, "cancel_hold", hold_id, key,
                         lambda rules, title, copy: decide_cancel_hold(rules, title, hold_id,
                                                                      copy, by, reason))


def expire_hold(ports: Ports, actor: Actor, hold_id: str) -> Outcome:
    """Expire a hold whose pickup deadline passed (no-op otherwise); idempotent."""
    return _hold_command(ports, actor, "expire_hold", hold_id, None,
                         lambda rules, title, copy: decide_expire_hold(rules, title, hold_id, copy))


def mark_lost(ports: Ports, actor: Actor, barcode: str, key: str | None) -> Outcome:
    """The borrower lost the copy: end the loan and charge the replacement cost."""

    def locate(load: Load) -> Located:
        located = _locate_copy(load, barcode)
        if located.status != CopyStatus.ON_LOAN or located.reader_id is None:
            raise refusals.loan_not_found()
        reader_id = located.reader_id
        streams = [copy_stream(barcode), reader_stream(reader_id)]
        fine_id = _new_id()

        def decide(loaded: LoadedStreams) -> Decision:
            copy = fold_copy(loaded.events, barcode)
            if copy.reader_id != reader_id:
                raise Relocate
            rules = rules_from(loaded.events, ports.clock(), ports.timezone)
            decision = decide_mark_lost(rules, load_account(loaded, reader_id), copy, fine_id)
            return replace(decision, expected=_versions(loaded, *streams))

        return [*streams, *CONFIG_STREAMS], decide

    return run(ports, actor, "mark_lost", locate, key)
