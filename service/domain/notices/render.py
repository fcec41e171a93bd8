"""Render notices from Jinja2 templates (shipped per kind and language, or edited by staff)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Template, TemplateError, meta

from service.domain.locale import LANGS, LIBRARY_LANG, negotiate_lang
from service.domain.notices.context import ContextError, prepare_context, variables_for
from service.domain.notices.environment import TEMPLATE_DIR, environment, from_source
from service.domain.notices.kinds import NoticeKind
from service.domain.notices.samples import sample_context

SUPPORTED_LANGS = LANGS
PARTS = ("subject", "text", "html")
_SUFFIX = {"subject": "subject.j2", "text": "txt.j2", "html": "html.j2"}

Overrides = Mapping[tuple[str, str, str], str]


@dataclass(frozen=True)
class RenderedNotice:
    """One notice ready to send: a one-line subject, a plain-text body and an HTML body."""

    subject: str
    text: str
    html: str


class NoticeTemplateError(ValueError):
    """A template (shipped or staff-edited) failed to render with the given context."""

    def __init__(self, kind: str, lang: str, part: str, message: str) -> None:
        super().__init__(f"{kind}/{lang}/{part}: {message}")
        self.kind, self.lang, self.part = kind, lang, part


def notice_lang(lang: str | None) -> str:
    """Map a reader's locale ('zh', 'zh_CN', 'en-GB', ...) to a shipped language."""
    # A notice in the library's own language beats no notice at all.
    return negotiate_lang(lang, LIBRARY_LANG)


def template_name(kind: NoticeKind | str, lang: str, part: str) -> str:
    """Loader name of a shipped template, e.g. 'zh-CN/overdue.html.j2'."""
    if part not in _SUFFIX:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    return f"{notice_lang(lang)}/{NoticeKind(kind).value}.{_SUFFIX[part]}"


def shipped_source(kind: NoticeKind | str, lang: str, part: str) -> str:
    """Source text of the shipped template, the starting point for a staff edit."""
    return (TEMPLATE_DIR / template_name(kind, lang, part)).read_text(encoding="utf-8")


def _template(kind: NoticeKind, lang: str, part: str, overrides: Overrides | None) -> Template:
    escape = part == "html"
    source = (overrides or {}).get((kind.value, lang, part))
    if source is not None:
        return from_source(escape, source)
    return environment(escape).get_template(template_name(kind, lang, part))


def _tidy(part: str, text: str) -> str:
    if part == "subject":
        # A header must be one line; templates may wrap, readers must not see it.
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.strip().splitlines()]
    # Optional paragraphs leave runs of blank lines; readers see at most one.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render_notice(
    kind: NoticeKind | str,
    lang: str,
    context: Mapping[str, Any],
    overrides: Overrides | None = None,
) -> RenderedNotice:
    """Render subject, text and HTML of a notice; overrides[(kind, lang, part)] replaces a file."""
    kind = NoticeKind(kind)
    lang = notice_lang(lang)
    try:
        ctx = prepare_context(kind, lang, context)
    except ContextError as exc:
        raise NoticeTemplateError(kind.value, lang, "context", str(exc)) from exc
    out: dict[str, str] = {}
    for part in PARTS:
        try:
            out[part] = _tidy(part, _template(kind, lang, part, overrides).render(ctx))
        except (TemplateError, TypeError, ValueError) as exc:
            raise NoticeTemplateError(kind.value, lang, part, str(exc)) from exc
    if not out["subject"]:
        raise NoticeTemplateError(kind.value, lang, "subject", "the subject is empty")
    return RenderedNotice(subject=out["subject"], text=out["text"], html=out["html"])


def validate_template(
    source: str, kind: NoticeKind | str | None = None, part: str = "text"
) -> list[str]:
    """Return the problems of a template source (syntax, unknown names, sample render); [] if ok."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    env = environment(part == "html")
    try:
        ast = env.parse(source)
        env.from_string(source)  # compiling also finds unknown filters and tests
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        return [f"line {line}: {exc}" if line else str(exc)]
    known = variables_for(kind) | set(env.globals)
    errors = [f"unknown variable '{name}'" for name in
              sorted(meta.find_undeclared_variables(ast) - known)]
    if errors or kind is None:
        return errors
    # A trial render with the sample reader catches typos in item fields and bad filter input.
    kind = NoticeKind(kind)
    for lang in SUPPORTED_LANGS:
        try:
            override = {(kind.value, lang, part): source}
            render_notice(kind, lang, sample_context(kind, lang), override)
        except NoticeTemplateError as exc:
            message = f"does not render with the sample reader ({lang}): {exc}"
            if part == "subject" and "subject is empty" in str(exc):
                message = "the subject is empty"
            if message not in errors:
                errors.append(message)
    return errors
