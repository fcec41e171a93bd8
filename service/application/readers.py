"""Reader commands: register, update, change category, block, unblock, preferences."""

from __future__ import annotations

from typing import Any

from events.readers import (
    ReaderBlocked,
    ReaderCategoryChanged,
    ReaderPreferencesChanged,
    ReaderRegistered,
    ReaderUnblocked,
    ReaderUpdated,
)
from events.store import NO_STREAM, LoadedStreams, PendingEvent
from events.streams import card_stream, reader_stream
from service.application.accounts import set_reader_pin
from service.application.commands import UPDATABLE_READER_FIELDS, RegisterReader
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.lookups import Load, fact_from_stream
from service.application.managed_lists import require_known
from service.domain.errors import Conflict, DomainError, NotFound
from service.domain.readers.reader_state import ReaderState, fold_reader

UPDATABLE = UPDATABLE_READER_FIELDS



def register_reader(ports: Ports, actor: Actor, cmd: RegisterReader, key: str | None) -> Outcome:
    """Register a reader; the card stream makes card numbers unique under any concurrency."""
    require_known(ports, category=("reader_category", cmd.category),
                  home_branch=("branch", cmd.home_branch))

    def decide(loaded: LoadedStreams) -> Decision:
        if loaded.version(card_stream(cmd.card_number)) != NO_STREAM:
            raise Conflict(
                "card_number_taken", f"Card number {cmd.card_number} is already in use.",
                f"读者证号 {cmd.card_number} 已被使用。",
                fields={"card_number": ["Already in use."]},
            )
        event = ReaderRegistered(
            reader_id=cmd.reader_id, card_number=cmd.card_number, name=cmd.name,
            category=cmd.category, language=cmd.language, phone=cmd.phone, email=cmd.email,
            id_number=cmd.id_number, address=cmd.address, notice_channels=cmd.notice_channels,
            keep_history=cmd.keep_history, expires_on=cmd.expires_on,
            home_branch=cmd.home_branch,
        )
        pin = cmd.pin
        return Decision(
            [PendingEvent(event, (reader_stream(cmd.reader_id), card_stream(cmd.card_number)))],
            {"reader_id": cmd.reader_id, "card_number": cmd.card_number},
            also=(lambda conn: set_reader_pin(conn, cmd.reader_id, pin)) if pin else None,
        )

    streams = [card_stream(cmd.card_number), reader_stream(cmd.reader_id)]
    return execute(ports, actor, "register_reader", streams, decide, key)


def reader_from(loaded: LoadedStreams, reader_id: str) -> ReaderState:
    """Fold a reader from loaded streams: from its snapshot and the events after it when
    the store gave one (events/snapshots.py), else from the whole stream."""
    snapshot = loaded.snapshots.get(reader_stream(reader_id))
    if snapshot is None:
        return fold_reader(loaded.events, reader_id)
    return fold_reader([e for e in loaded.events if e.position > snapshot.position],
                       reader_id, start=snapshot.state)


def load_reader(loaded: LoadedStreams, reader_id: str) -> ReaderState:
    """Fold a reader from loaded streams; refuse unknown or erased readers."""
    state = reader_from(loaded, reader_id)
    if not state.exists:
        raise NotFound("reader_not_found", "Reader not found.", "未找到该读者。")
    if state.erased:
        raise NotFound("reader_erased", "This reader has been erased.", "该读者已被删除。")
    return state


def load_account(loaded: LoadedStreams, reader_id: str) -> ReaderState:
    """Fold a reader whose open business the library may still settle: returns, lost books,
    payments and waivers go on after an erase (forced with loans or fines open)."""
    state = reader_from(loaded, reader_id)
    if not state.exists:
        raise NotFound("reader_not_found", "Reader not found.", "未找到该读者。")
    return state


def _reader_command(
    ports: Ports, actor: Actor, command: str, reader_id: str, key: str | None,
    build: Any,
) -> Outcome:
    stream = reader_stream(reader_id)

    def decide(loaded: LoadedStreams) -> Decision:
        state = load_reader(loaded, reader_id)
        events = build(state)
        return Decision([PendingEvent(e, (stream,)) for e in events], {"reader_id": reader_id})

    return execute(ports, actor, command, [stream], decide, key)


def update_reader(
    ports: Ports, actor: Actor, reader_id: str, changes: dict[str, Any], key: str | None,
    pin: str | None = None,
) -> Outcome:
    """Change contact details (only fields named in ``changes``)."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise DomainError("invalid_field", "Unknown fields.", "未知字段。", status=422,
                          fields={k: ["Cannot be changed here."] for k in unknown})
    require_known(ports, home_branch=("branch", changes.get("home_branch")))
    stream = reader_stream(reader_id)

    def decide(loaded: LoadedStreams) -> Decision:
        load_reader(loaded, reader_id)
        events = []
        if changes:
            events.append(ReaderUpdated(reader_id=reader_id, changed=tuple(sorted(changes)),
                                        **changes))
        return Decision(
            [PendingEvent(e, (stream,)) for e in events], {"reader_id": reader_id},
            also=(lambda conn: set_reader_pin(conn, reader_id, pin)) if pin else None,
        )

    return execute(ports, actor, "update_reader", [stream], decide, key)


def change_category(
    ports: Ports, actor: Actor, reader_id: str, category: str, key: str | None
) -> Outcome:
    require_known(ports, category=("reader_category", category))

    def build(state: ReaderState) -> list[Any]:
        if state.category == category:
            return []
        return [ReaderCategoryChanged(reader_id, category, state.category)]

    return _reader_command(ports, actor, "change_category", reader_id, key, build)


def block_reader(ports: Ports, actor: Actor, reader_id: str, reason: str, key: str | None) -> Outcome:
    return _reader_command(
        ports, actor, "block_reader", reader_id, key,
        lambda state: [ReaderBlocked(reader_id, reason)],
    )


def unblock_reader(ports: Ports, actor: Actor, reader_id: str, note: str, key: str | None) -> Outcome:
    def build(state: ReaderState) -> list[Any]:
        return [ReaderUnblocked(reader_id, note)] if state.manual_block is not None else []

    return _reader_command(ports, actor, "unblock_reader", reader_id, key, build)


def set_preferences(
    ports: Ports, actor: Actor, reader_id: str, key: str | None, *, language: str | None = None,
    notice_channels: tuple[str, ...] | None = None, keep_history: bool | None = None,
    digest: bool | None = None, marketing: bool | None = None,
) -> Outcome:
    def build(state: ReaderState) -> list[Any]:
        return [ReaderPreferencesChanged(
            reader_id,
            language if language is not None else state.language,
            notice_channels if notice_channels is not None else state.notice_channels,
            keep_history if keep_history is not None else state.keep_history,
            digest if digest is not None else state.digest,
            marketing if marketing is not None else state.marketing,
        )]

    return _reader_command(ports, actor, "set_preferences", reader_id, key, build)


def reader_id_for_card(ports: Ports, card_number: str, load: Load | None = None) -> str | None:
    """Resolve a card number through its stream (consistent, unlike a projection)."""
    return fact_from_stream(ports, card_stream(card_number), ReaderRegistered, "reader_id",
                            load)
