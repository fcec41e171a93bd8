"""A tiny bilingual message value shared by refusal and validation messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    """One person-facing text in English and Simplified Chinese."""

    en: str
    zh: str

    def in_lang(self, lang: str | None) -> str:
        """Return the text for a language tag; Chinese tags give zh, everything else en."""
        # Imported here because the locale module builds its parse errors from this one.
        from service.domain.locale import EN, ZH, negotiate_lang

        return self.zh if negotiate_lang(lang, EN) == ZH else self.en

    def format(self, **values: Any) -> Message:
        """Fill ``{name}`` placeholders in both languages."""
        return Message(en=self.en.format(**values), zh=self.zh.format(**values))

    def to_dict(self) -> dict[str, str]:
        """JSON-friendly form, keyed by the language tags the API uses."""
        return {"en": self.en, "zh-CN": self.zh}


class FieldProblems(ValueError):
    """Invalid input; ``problems`` maps a field path to a bilingual message (problem details)."""

    def __init__(self, problems: Mapping[str, Message]) -> None:
        self.problems: dict[str, Message] = dict(problems)
        super().__init__("; ".join(f"{k}: {m.en}" for k, m in self.problems.items()))

    def messages(self, lang: str | None = "en") -> dict[str, str]:
        """Per-field messages in one language."""
        return {field: msg.in_lang(lang) for field, msg in self.problems.items()}


# Validation messages shared by every parser of admin input.
REQUIRED = Message(en="is required", zh="必填")
UNKNOWN_FIELD = Message(en="unknown field", zh="未知字段")
NOT_A_WHOLE_NUMBER = Message(en="must be a whole number", zh="必须是整数")
NEGATIVE = Message(en="must not be negative", zh="不能为负数")
