"""The sandboxed Jinja2 environments notices are rendered with, and their filters."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from service.config import DEFAULT_TIMEZONE
from service.domain.locale import format_date, format_datetime, format_money

TEMPLATE_DIR = Path(__file__).parent / "templates"


@pass_context
def _date(ctx: Context, value: Any) -> str:
    return format_date(value, ctx["lang"], ctx.get("timezone") or DEFAULT_TIMEZONE)


@pass_context
def _datetime(ctx: Context, value: Any) -> str:
    return format_datetime(value, ctx["lang"], ctx.get("timezone") or DEFAULT_TIMEZONE)


@pass_context
def _money(ctx: Context, value: Any) -> str:
    return format_money(value, ctx["lang"])


_TAGS_ONLY = re.compile(r"^\s*(?:\{[%#](?:(?!%\}|#\}).)*[%#]\}\s*)+$")


class _LineBreaks(Extension):
    """Lines holding only tags vanish; a tag that ends a line of text keeps the line break.

    Plain trim_blocks would also eat the newline after '... {% endif %}' at the end of a
    text line, joining list items; staff editing templates should not need to know that.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return "".join(_keep_break(line) for line in source.splitlines(keepends=True))


def _keep_break(line: str) -> str:
    body = line.rstrip("\r\n")
    if body == line or not body.endswith("%}") or body.endswith(("+%}", "-%}")):
        return line
    if _TAGS_ONLY.match(body):
        return line
    return body[:-2] + "+%}" + line[len(body):]


@lru_cache(maxsize=2)
def environment(autoescape: bool) -> ImmutableSandboxedEnvironment:
    """The shared environment for HTML (autoescape=True) or subject/text (False) templates."""
    # Sandboxed because staff edit templates: no attribute tricks reach Python internals.
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=[_LineBreaks],
    )
    env.filters.update(date=_date, datetime=_datetime, money=_money)
    return env


@lru_cache(maxsize=256)
def from_source(autoescape: bool, source: str) -> Template:
    """Compile a staff-edited template source once and reuse it."""
    return environment(autoescape).from_string(source)
