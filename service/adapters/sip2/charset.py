"""Character sets a kiosk may be configured with."""

from __future__ import annotations

import codecs

_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "gb18030": "gb18030",
    # GBK and GB2312 are subsets of GB18030; decoding with the superset is always safe.
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp850": "cp850",
    "ibm850": "cp850",
    "850": "cp850",
}
SUPPORTED_CHARSETS: frozenset[str] = frozenset(_ALIASES.values())


def normalise_charset(name: str) -> str:
    """Return the Python codec name for a kiosk charset setting, or raise ValueError."""
    key = name.strip().lower().replace("_", "-")
    if key not in _ALIASES:
        raise ValueError(f"unsupported SIP2 charset {name!r}; use UTF-8, GB18030 or IBM850")
    codec = _ALIASES[key]
    codecs.lookup(codec)
    return codec
