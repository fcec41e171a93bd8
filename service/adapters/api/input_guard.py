"""One gate for every request: text no back end can store never reaches a command.

Runs before any view (after the access check), so it covers every route, every schema and
every field, including ones added later: a JSON or form body holding NUL, a lone surrogate or
another unstorable character is answered 422 ``invalid_text`` naming each field; a path,
query or header value holding one, and JSON nested deeper than ``MAX_JSON_DEPTH``, are
answered 400. The event store refuses the same characters (``UnstorableEvent``), so a path
that slipped past this gate still could not put them into the log.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json, request

from events.store import UnstorableEvent
from events.text_safety import depth, describe, unstorable_paths
from service.adapters.api.problems import problem, wants_chinese

MAX_JSON_DEPTH = 32

EN_TEXT = "The text holds a character that cannot be stored ({chars})."
ZH_TEXT = "文本含有无法保存的字符（{chars}）。"


def refuse_unsafe_input() -> Response | None:
    """before_request hook: answer a problem for unsafe input, else let the request through."""
    for where, values in (("path", {**(request.view_args or {}), "_path": request.path}),
                          ("query", request.args.to_dict(flat=False)),
                          ("header", dict(request.headers.items()))):
        found = _paths(values, multi=True)
        if found:
            return _text_problem(400, "invalid_parameter", found,
                                 f"A {where} parameter holds a character that cannot be stored.",
                                 f"{_ZH_WHERE[where]}含有无法保存的字符。")
    if request.form:
        found = _paths(request.form.to_dict(flat=False), multi=True)
        if found:
            return _body_problem(found)
    if request.is_json and request.content_length != 0:
        return _check_json()
    return None


def _check_json() -> Response | None:
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError:  # nested far past any sane document
        return _too_deep()
    except ValueError:
        return None  # the schema parser answers malformed JSON with its own 400
    if depth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        return _too_deep()
    found = _paths(body)
    return _body_problem(found) if found else None


def unstorable_problem(error: UnstorableEvent) -> Response:
    """Last line: a command that tried to record unstorable text is refused, not a 500."""
    return _body_problem({error.field.removeprefix("data."): [error.char]})


def _paths(value: Any, multi: bool = False) -> dict[str, list[str]]:
    """{field: [U+XXXX, ...]}; ``multi`` for query and form values, which arrive as lists and
    are named without the index of a single value."""
    found: dict[str, list[str]] = {}
    for path, char in unstorable_paths(value):
        name = path.removesuffix("[0]") if multi else path
        found.setdefault(name, []).append(describe(char))
    return found


def _body_problem(found: dict[str, list[str]]) -> Response:
    chars = ", ".join(sorted({c for cs in found.values() for c in cs}))
    return _text_problem(422, "invalid_text", found, EN_TEXT.format(chars=chars),
                         ZH_TEXT.format(chars=chars))


def _text_problem(status: int, code: str, found: dict[str, list[str]], en: str,
                  zh: str) -> Response:
    errors = {name: [f"Holds {', '.join(chars)}, which cannot be stored. "
                     f"含有无法保存的字符 {'、'.join(chars)}。"] for name, chars in found.items()}
    zh_first = wants_chinese()
    return problem(status, code, zh if zh_first else en, detail=en if zh_first else zh,
                   errors=errors, message_en=en, message_zh=zh)


def _too_deep() -> Response:
    en = f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels."
    zh = f"JSON 请求体嵌套超过 {MAX_JSON_DEPTH} 层。"
    zh_first = wants_chinese()
    return problem(400, "json_too_deep", zh if zh_first else en, detail=en if zh_first else zh,
                   message_en=en, message_zh=zh)


_ZH_WHERE = {"path": "路径参数", "query": "查询参数", "header": "请求头"}
