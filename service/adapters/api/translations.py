"""Server-side texts through Flask-Babel and real message catalogues (service/adapters/translations).

The caller's language is the one negotiation, ``negotiate_lang``, over ``?lang=`` or else
``Accept-Language`` (the API's fallback is en, the pages' zh-CN). Catalogues are compiled from
their ``.po`` files when first used (in memory, once per process), so an installed package
needs no build step and a translator's edit shows after a restart; ``pybabel compile`` is
only a check (docs/i18n.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, has_request_context, request
from flask_babel import Babel, Domain, get_locale, gettext

from service.adapters.api.validation_messages import TEMPLATES
from service.domain.locale import EN, ZH, negotiate_lang

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
BABEL_LOCALES = {ZH: "zh_CN", EN: "en"}


def request_lang(default: str = EN) -> str:
    """zh-CN or en for this request: ``?lang=`` wins, then Accept-Language, then ``default``."""
    if not has_request_context():
        return default
    asked = request.args.get("lang") or request.headers.get("Accept-Language")
    return negotiate_lang(asked, default)


def page_default() -> str:
    # Staff pages speak the library's language unless told otherwise; the API answers en.
    return ZH if has_request_context() and not request.path.startswith("/api/") else EN


def select_locale() -> str:
    return BABEL_LOCALES[request_lang(page_default())]


@cache
def compiled(locale: str) -> NullTranslations:
    """The catalogue of a locale, compiled from its .po (fuzzy entries left out)."""
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class PoDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's domain, reading the compiled-at-start catalogues instead of .mo files."""

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        return compiled(BABEL_LOCALES[ZH] if locale is not None and locale.language == "zh"
                        else BABEL_LOCALES[EN])


def init_babel(app: Flask) -> None:
    babel = Babel(app, locale_selector=select_locale, default_locale="en")
    app.extensions["babel"].domain = "messages"
    app.extensions["babel"].instance.__dict__["domain_instance"] = PoDomain()
    del babel


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>.+?)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$", re.DOTALL)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((t, _pattern(t)) for t in TEMPLATES if "{" in t)


def translate_message(message: str) -> str:
    """One validation message (marshmallow's, webargs' or ours) in the request's language."""
    if message in TEMPLATES:
        return str(gettext(message))
    for template, pattern in _patterns():
        found = pattern.match(message)
        if found:
            return str(gettext(template)).format(**found.groupdict())
    return message


def translate_fields(errors: Mapping[str, Iterable[Any]]) -> dict[str, list[str]]:
    return {name: [translate_message(str(m)) for m in msgs] for name, msgs in errors.items()}
