"""RFC 9457 problem details: one error shape for every failure the API reports."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, json, request
from flask_smorest import Api
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from service.adapters.api.openapi import (
    PROBLEM_TYPE,
    AccessPlugin,
    register_problem_responses,
    swagger_ui_page,
)
from service.adapters.api.schemas.common import ProblemSchema
from service.domain.errors import DomainError
from service.domain.locale import EN, ZH, negotiate_lang

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: ("malformed_request", "请求格式错误。"),
    401: ("unauthorized", "需要登录。"),
    403: ("forbidden", "没有权限。"),
    404: ("not_found", "未找到。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    409: ("conflict", "冲突。"),
    413: ("payload_too_large", "请求体过大。"),
    415: ("unsupported_media_type", "不支持的媒体类型。"),
    422: ("invalid_request", "请求内容无效。"),
    429: ("too_many_requests", "请求过于频繁。"),
    500: ("internal_error", "服务器内部错误。"),
    503: ("service_unavailable", "服务暂不可用。"),
}


def wants_chinese() -> bool:
    header = request.headers.get("Accept-Language") if request else None
    return negotiate_lang(header, EN) == ZH


def problem(
    status: int, code: str, title: str, detail: str | None = None,
    errors: Mapping[str, list[str]] | None = None, headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response with a stable ``code`` and optional per-field ``errors``."""
    body: dict[str, Any] = {
        "type": f"https://lector.dev/problems/{code}", "title": title, "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    body["instance"] = request.path if request else None
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn webargs' nested {location: {field: [msg]}} into {"field.sub": [msg]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(flatten(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_"] = list(messages)
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix or "_"] = [str(messages)]
    return out


def domain_problem(error: DomainError) -> Response:
    zh = wants_chinese()
    headers = {"Retry-After": "1"} if error.status == 503 else None
    if error.status == 429 and "retry_after" in error.extra:
        headers = {"Retry-After": str(error.extra["retry_after"])}
    return problem(
        error.status, error.code, error.zh if zh else error.en,
        detail=error.en if zh else error.zh, errors=error.fields or None, headers=headers,
        message_en=error.en, message_zh=error.zh, **error.extra,
    )


class LectorApi(Api):
    """flask-smorest Api that answers every HTTP error as problem details."""

    ERROR_SCHEMA = ProblemSchema  # the documented error body is the one problem() writes

    def init_app(self, app: Any, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        extra = [*(spec_kwargs or {}).get("extra_plugins", ()), AccessPlugin(app)]
        super().init_app(app, spec_kwargs={**(spec_kwargs or {}), "extra_plugins": extra})

    def _register_responses(self) -> None:
        register_problem_responses(self)

    def _openapi_swagger_ui(self) -> str:
        return swagger_ui_page(self)

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        status = error.code or 500
        code, zh_title = HTTP_CODES.get(status, ("http_error", "请求错误。"))
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        errors = None
        if messages:
            # Drop the webargs location level ("json", "query") for the field names.
            inner = messages
            if isinstance(messages, Mapping) and len(messages) == 1:
                inner = next(iter(messages.values()))
            errors = flatten(inner)
            if status == 400 and "json" in messages:
                code = "malformed_json"
        headers = dict(data.get("headers") or {})
        valid = getattr(error, "valid_methods", None)
        if valid:
            headers["Allow"] = ", ".join(valid)
        title = zh_title if wants_chinese() else (error.name or "Error")
        detail = error.description if isinstance(error.description, str) else None
        return problem(status, code, title, detail, errors, headers)


# Errors that mean "the database cannot be reached right now" (server down or restarting,
# connection dropped, SQLite file unopenable or locked past the busy timeout): the request
# changed nothing (its transaction did not commit), so the caller may safely retry.
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
               sa_exc.TimeoutError)


def database_unavailable_cause(error: BaseException) -> BaseException | None:
    """The database connection failure behind ``error`` (itself or a cause), if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UNAVAILABLE):
            return current
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return current
        current = current.__cause__ or current.__context__
    return None


def database_unavailable(error: BaseException) -> Response:
    # The driver's own message says why (refused, shutting down, locked); the statement and
    # its parameters are left out, they may hold readers' data.
    cause = database_unavailable_cause(error) or error
    reason = str(getattr(cause, "orig", None) or type(cause).__name__).strip().splitlines()
    log.warning("database unavailable: %s", reason[0] if reason else type(cause).__name__)
    zh = wants_chinese()
    en_text = "The database cannot be reached; nothing was changed. Please retry shortly."
    zh_text = "暂时无法连接数据库，本次请求未做任何更改，请稍后重试。"
    return problem(503, "database_unavailable", zh_text if zh else en_text,
                   detail=en_text if zh else zh_text, headers={"Retry-After": "2"},
                   message_en=en_text, message_zh=zh_text)


def unexpected(error: Exception) -> Response:
    if database_unavailable_cause(error) is not None:
        return database_unavailable(error)
    log.exception("unhandled error", exc_info=error)
    return problem(500, "internal_error", "Internal server error",
                   "The error was logged.")
