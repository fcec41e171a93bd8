"""The reader's notice settings: kinds kept to the portal, and quiet hours."""

from __future__ import annotations

from events.readers import ReaderNoticeSettingsChanged
from events.store import LoadedStreams, PendingEvent
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.readers import load_reader, reader_stream
from service.domain.errors import Invalid
from service.domain.notices.kinds import NoticeKind
from service.domain.notices.preferences import NoticeSettings, fold_notice_settings, parse_hhmm


def notice_settings(ports: Ports, reader_id: str) -> NoticeSettings:
    loaded = ports.store.load([reader_stream(reader_id)])
    load_reader(loaded, reader_id)  # reader_not_found for a stranger
    return fold_notice_settings(loaded.events)


def set_notice_settings(ports: Ports, actor: Actor, reader_id: str, muted_kinds: list[str],
                        quiet_start: str | None, quiet_end: str | None,
                        key: str | None) -> Outcome:
    """Replace the reader's notice settings (both quiet-hour ends, or neither)."""
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(muted_kinds) - {k.value for k in NoticeKind})
    if unknown:
        problems["muted_kinds"] = [f"Unknown notice kinds: {', '.join(unknown)}."]
    for name, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if value is not None:
            try:
                parse_hhmm(value)
            except ValueError:
                problems[name] = ["A time of day as HH:MM (00:00-23:59)."]
    if (quiet_start is None) != (quiet_end is None):
        problems["quiet_end" if quiet_end is None else "quiet_start"] = [
            "Give both ends of the quiet hours, or neither."]
    if problems:
        raise Invalid("invalid_notice_settings", "The notice settings are not valid.",
                      "通知设置无效。", fields=problems)
    stream = reader_stream(reader_id)

    def decide(loaded: LoadedStreams) -> Decision:
        load_reader(loaded, reader_id)
        event = ReaderNoticeSettingsChanged(reader_id, tuple(sorted(set(muted_kinds))),
                                            quiet_start, quiet_end)
        return Decision([PendingEvent(event, (stream,))], {"reader_id": reader_id})

    return execute(ports, actor, "set_notice_settings", [stream], decide, key)
