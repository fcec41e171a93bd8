"""Managed lists: the branches, reader categories, item types and collections a library uses.

Each list is a configuration stream's fold (like the policy matrix and the calendars): the
built-in seed (the codes the policy's defaults, the demo and the tests use) plus what admins
defined, changed or retired. Every command and import that names a code checks it here and
refuses an unknown or retired one with ``unknown_<kind>``, naming the field, in zh-CN and en.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from events.configuration import ListEntryChanged, ListEntryDefined, ListEntryRetired
from events.store import LoadedStreams, PendingEvent, StoredEvent
from events.streams import LISTS_STREAM
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.domain.errors import Conflict, Invalid, NotFound
from service.domain.i18n import Message

KINDS = ("branch", "reader_category", "item_type", "collection")
KIND_NAMES = {
    "branch": Message(en="branch", zh="分馆"),
    "reader_category": Message(en="reader category", zh="读者类型"),
    "item_type": Message(en="item type", zh="文献类型"),  # "an item type": see _article
    "collection": Message(en="collection", zh="馆藏专题"),
}


@dataclass(frozen=True)
class ListEntry:
    """One code of a managed list with its names in both languages."""

    kind: str
    code: str
    name_zh: str
    name_en: str
    clc_prefixes: tuple[str, ...] = ()
    retired: bool = False
    builtin: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "code": self.code, "name_zh": self.name_zh,
                "name_en": self.name_en, "clc_prefixes": list(self.clc_prefixes),
                "retired": self.retired, "builtin": self.builtin}


def _seed(kind: str, rows: Iterable[tuple[str, str, str]]) -> list[ListEntry]:
    return [ListEntry(kind, code, zh, en, builtin=True) for code, zh, en in rows]


# The seed: every code the default policy matrix, the demo library and the tests use today.
SEED: tuple[ListEntry, ...] = (
    *_seed("branch", [("main", "总馆", "Main library"), ("east", "东区分馆", "East branch"),
                      ("MAIN", "总馆（自助机）", "Main library (kiosks)"),
                      ("EAST", "东区分馆（自助机）", "East branch (kiosks)")]),
    *_seed("reader_category", [("adult", "成人", "Adult"), ("student", "学生", "Student"),
                               ("child", "少儿", "Child"), ("staff", "馆员", "Staff"),
                               ("senior", "老年读者", "Senior")]),
    *_seed("item_type", [
        ("book", "图书", "Book"), ("serial", "连续出版物", "Serial"),
        ("periodical", "期刊", "Periodical"), ("av", "视听资料", "Audio-visual"),
        ("score", "乐谱", "Music score"), ("map", "地图", "Map"), ("video", "视频", "Video"),
        ("audio", "录音", "Sound recording"), ("image", "图像", "Image"),
        ("electronic", "电子资源", "Electronic resource"), ("kit", "组合资料", "Kit"),
        ("object", "实物", "Object"), ("manuscript", "手稿", "Manuscript"),
        ("reference", "工具书", "Reference")]),
    *[replace(e, clc_prefixes=p) for e, p in zip(_seed("collection", [
        ("literature", "文学", "Literature"), ("children", "少儿读物", "Children's books"),
        ("science", "自然科学", "Natural sciences")]), (("I",), ("I28", "I287"),
                                                         ("N", "O", "P", "Q")), strict=True)],
)


@dataclass(frozen=True)
class ManagedLists:
    """Every entry by (kind, code), retired ones included (old records still name them)."""

    entries: Mapping[tuple[str, str], ListEntry]

    def known(self, kind: str, code: str) -> bool:
        entry = self.entries.get((kind, code))
        return entry is not None and not entry.retired

    def entry(self, kind: str, code: str) -> ListEntry | None:
        return self.entries.get((kind, code))

    def of_kind(self, kind: str, include_retired: bool = False) -> list[ListEntry]:
        return sorted((e for (k, _), e in self.entries.items()
                       if k == kind and (include_retired or not e.retired)),
                      key=lambda e: e.code)

    def refuse_unknown(self, checks: Mapping[str, tuple[str, str | None]]) -> None:
        """Raise ``unknown_<kind>`` for every field whose code is not on its list (pure)."""
        fields: dict[str, list[Message]] = {}
        first: tuple[str, str] | None = None
        for field, (kind, code) in checks.items():
            if code is None or self.known(kind, code):
                continue
            first = first or (kind, code)
            fields[field] = [unknown_message(kind, code)]
        if first is None:
            return
        kind, code = first
        name = KIND_NAMES[kind]
        raise Invalid(f"unknown_{kind}",
                      f"'{code}' is not {_article(name.en)} {name.en} of this library; an admin "
                      f"defines them "
                      f"under Administration.",
                      f"“{code}”不是本馆的{name.zh}；请由管理员在“系统管理”中定义。",
                      fields=fields, kind=kind, value=code)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def unknown_message(kind: str, code: str) -> Message:
    name = KIND_NAMES[kind]
    return Message(en=f"unknown {name.en} '{code}'", zh=f"未知的{name.zh}“{code}”")


def fold_lists(events: Iterable[StoredEvent]) -> ManagedLists:
    """The seed plus every definition, change and retirement in the lists stream."""
    entries = {(e.kind, e.code): e for e in SEED}
    for stored in events:
        e = stored.event
        if isinstance(e, ListEntryDefined | ListEntryChanged):
            old = entries.get((e.kind, e.code))
            entries[(e.kind, e.code)] = ListEntry(e.kind, e.code, e.name_zh, e.name_en,
                                                  tuple(e.clc_prefixes),
                                                  builtin=bool(old and old.builtin))
        elif isinstance(e, ListEntryRetired) and (e.kind, e.code) in entries:
            entries[(e.kind, e.code)] = replace(entries[(e.kind, e.code)], retired=True)
    return ManagedLists(entries)


def current_lists(ports: Ports) -> ManagedLists:
    return fold_lists(ports.store.load([LISTS_STREAM]).events)


def require_known(ports: Ports, **checks: tuple[str, str | None]) -> None:
    """Refuse unknown codes: ``require_known(ports, pickup_branch=("branch", code))``.

    Loads nothing when every code is None (a checkout at no named branch costs nothing).
    """
    if all(code is None for _, code in checks.values()):
        return
    current_lists(ports).refuse_unknown(checks)


def _names_problem(name_zh: str, name_en: str, kind: str, code: str) -> None:
    fields: dict[str, list[Message]] = {}
    if kind not in KINDS:
        fields["kind"] = [Message(en="must be one of: " + ", ".join(KINDS),
                                  zh="须为以下之一：" + "、".join(KINDS))]
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if not value.strip():
            fields[field] = [Message(en="must not be empty", zh="不能为空")]
    if fields:
        raise Invalid("invalid_list_entry", "The list entry is not valid.", "列表条目无效。",
                      fields=fields)


def define_entry(ports: Ports, actor: Actor, kind: str, code: str, name_zh: str, name_en: str,
                 clc_prefixes: tuple[str, ...], key: str | None) -> Outcome:
    """Define a code, or change its names; a retired code comes back when defined again."""
    _names_problem(name_zh, name_en, kind, code)

    def decide(loaded: LoadedStreams) -> Decision:
        lists = fold_lists(loaded.events)
        old = lists.entry(kind, code)
        cls = ListEntryDefined if old is None or old.retired else ListEntryChanged
        event = cls(kind, code, name_zh.strip(), name_en.strip(), tuple(clc_prefixes))
        created = cls is ListEntryDefined
        return Decision([PendingEvent(event, (LISTS_STREAM,))],
                        {"kind": kind, "code": code, "created": created})

    return execute(ports, actor, "define_list_entry", [LISTS_STREAM], decide, key)


def retire_entry(ports: Ports, actor: Actor, kind: str, code: str, key: str | None) -> Outcome:
    """Retire a code: new commands refuse it; loans and copies that name it keep it."""

    def decide(loaded: LoadedStreams) -> Decision:
        entry = fold_lists(loaded.events).entry(kind, code)
        if entry is None:
            raise NotFound("list_entry_not_found", f"No {kind} '{code}'.",
                           f"没有代码为“{code}”的条目。")
        if entry.retired:
            raise Conflict("list_entry_retired", f"'{code}' is already retired.",
                           f"“{code}”已停用。")
        return Decision([PendingEvent(ListEntryRetired(kind, code), (LISTS_STREAM,))],
                        {"kind": kind, "code": code, "retired": True})

    return execute(ports, actor, "retire_list_entry", [LISTS_STREAM], decide, key)


def lists_history(ports: Ports) -> list[StoredEvent]:
    return list(ports.store.load([LISTS_STREAM]).events)
