"""A tiny bilingual message value shared by refusal and validation messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def normalize_lang(lang: str | None) -> str:
    """Return "zh" for any Chinese language tag (zh, zh-CN, zh_Hans, ...), else "en"."""
    if not lang:
        return "en"
    primary = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    return "zh" if primary == "zh" else "en"


@dataclass(frozen=True)
class Message:
    """One person-facing text in English and Simplified Chinese."""

    en: str
    zh: str

    def in_lang(self, lang: str | None) -> str:
        """Return the text for a language tag; Chinese tags give zh, everything else en."""
        return self.zh if normalize_lang(lang) == "zh" else self.en

    def format(self, **values: Any) -> Message:
        """Fill ``{name}`` placeholders in both languages."""
        return Message(en=self.en.format(**values), zh=self.zh.format(**values))

    def to_dict(self) -> dict[str, str]:
        """JSON-friendly form, keyed by the language tags the API uses."""
        return {"en": self.en, "zh-CN": self.zh}
