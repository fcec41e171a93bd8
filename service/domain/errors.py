"""Refusals with a stable machine code, an HTTP status and messages in zh-CN and en."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.locale import EN, ZH, negotiate_lang


class DomainError(Exception):
    """A command was refused. ``code`` is stable; clients switch on it."""

    status = 409

    def __init__(
        self, code: str, en: str, zh: str, *, status: int | None = None,
        fields: Mapping[str, list[str]] | None = None, **extra: Any,
    ) -> None:
        super().__init__(en)
        self.code, self.en, self.zh = code, en, zh
        if status is not None:
            self.status = status
        self.fields = dict(fields or {})
        self.extra = extra

    def message(self, lang: str) -> str:
        return self.zh if negotiate_lang(lang, EN) == ZH else self.en


class NotFound(DomainError):
    status = 404


class Invalid(DomainError):
    """Input that is well-formed but not acceptable (per-field messages)."""

    status = 422


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


def not_found(what: str, code: str, zh_what: str) -> NotFound:
    return NotFound(code, f"{what} not found.", f"未找到{zh_what}。")
