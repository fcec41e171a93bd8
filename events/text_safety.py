"""Text no back end can store, found in one place for every boundary and for the store itself.

PostgreSQL refuses U+0000 in text (and the read models are text columns), no UTF-8 encoder
accepts a lone surrogate (U+D800-DFFF, which ``json.loads`` happily produces from ``"\\ud800"``),
and XML-based exports (XLSX) cannot hold the other C0 controls or the noncharacters
U+FFFE/U+FFFF. One such character in the append-only log would stop every projection for
good, so input carrying one is refused before it becomes an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

# C0 controls except tab, line feed and carriage return; surrogates; two noncharacters.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def first_unstorable(text: str) -> str | None:
    """The first character of ``text`` no back end can store, if any."""
    found = UNSTORABLE.search(text)
    return found.group() if found else None


def describe(char: str) -> str:
    """``U+0000`` style name of a character, safe to put in any message."""
    return f"U+{ord(char):04X}"


def has_unstorable(value: Any) -> bool:
    """Whether any string in ``value`` (keys included, dicts and lists walked) is unstorable;
    the fast path of every check, so clean input pays for no path building."""
    search = UNSTORABLE.search
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if search(item):
                return True
        elif isinstance(item, (dict, Mapping)):  # dict first: the ABC check is slow
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def unstorable_paths(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, character) for every string (key or value) holding an unstorable character,
    walking dicts and lists; paths read ``a.b[2].c``."""
    if isinstance(value, str):
        char = first_unstorable(value)
        if char is not None:
            yield path or "_", char
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (char := first_unstorable(key)) is not None:
                yield (path or "_"), char
                continue  # the key itself cannot be named safely
            yield from unstorable_paths(item, name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from unstorable_paths(item, f"{path}[{index}]")


def depth(value: Any, limit: int) -> int:
    """Nesting depth of dicts and lists, counting stops once past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest
