"""What the OpenAPI document says about tokens and errors, derived from the code that acts.

Security comes from the same ``require(...)`` marks that ``authenticate_first`` enforces, so
the document cannot claim a route is public while the app asks for a token (or the reverse).
Error bodies are the problem details that ``problems.problem`` writes.
"""

from __future__ import annotations

import http
from typing import Any

from apispec import BasePlugin
from flask import Flask, render_template, url_for
from flask_smorest.utils import prepare_response

from service.adapters.api.schemas.common import ProblemSchema

PROBLEM_TYPE = "application/problem+json"
# For a view's own documented refusal: @blp.alt_response(409, description=..., **PROBLEM_BODY)
PROBLEM_BODY: dict[str, Any] = {"schema": ProblemSchema, "content_type": PROBLEM_TYPE}
BEARER = "bearerAuth"
SECURITY_SCHEMES = {BEARER: {
    "type": "http", "scheme": "bearer",
    "description": "A token from POST /api/v1/auth/token (staff or reader).",
}}

_DESCRIPTIONS = {
    503: "`projection_behind`: the read model has not reached `min_position` yet (with "
         "`Retry-After`); the query may be repeated.",
}


def access_rule(app: Flask, endpoint: str, method: str) -> tuple[str, str | None] | None:
    """The (role, reader_self) a route's handler requires, or None for a public route."""
    view = app.view_functions.get(endpoint)
    handler = getattr(getattr(view, "view_class", None), method.lower(), view)
    return getattr(handler, "_lector_access", None)


class AccessPlugin(BasePlugin):  # type: ignore[misc]
    """Set each operation's ``security`` and 401/403 answers from its access rule."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            if method.upper() not in (rule.methods or ()):
                continue
            if _takes_min_position(operation):  # consistency.wait_for may answer 503
                operation.setdefault("responses", {}).setdefault(503, "SERVICE_UNAVAILABLE")
            access = access_rule(self.app, rule.endpoint, method)
            if access is None:
                operation["security"] = []
                continue
            role, reader_self = access
            operation["security"] = [{BEARER: []}]
            operation["x-lector-access"] = {"role": role, "reader_self": reader_self}
            responses = operation.setdefault("responses", {})
            responses.setdefault(401, "UNAUTHORIZED")
            responses.setdefault(403, "FORBIDDEN")


def _takes_min_position(operation: dict[str, Any]) -> bool:
    return any(isinstance(p, dict) and p.get("name") == "min_position"
               for p in operation.get("parameters", ()))


def register_problem_responses(api: Any) -> None:
    """Register flask-smorest's shared error responses as problem+json bodies."""
    for status in http.HTTPStatus:
        response: dict[str, Any] = {"description": _DESCRIPTIONS.get(status, status.phrase)}
        if status >= 400:
            response["schema"] = api.ERROR_SCHEMA
            prepare_response(response, api.spec, PROBLEM_TYPE)
        if status == 503:
            response["headers"] = {"Retry-After": {
                "description": "Seconds to wait before asking again.",
                "schema": {"type": "integer"}, "required": True}}
        api.spec.components.response(status.name, response, lazy=True)
    default = {"description": "Problem details (RFC 9457) with a stable `code`.",
               "schema": api.ERROR_SCHEMA}
    prepare_response(default, api.spec, PROBLEM_TYPE)
    api.spec.components.response(api.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


def swagger_ui_page(api: Any) -> str:
    """Swagger UI from the app's own static files; the page has no inline script."""
    return render_template(
        "web/api_docs.html", title=api.spec.title,
        spec_url=url_for(f"{api._make_doc_blueprint_name()}.openapi_json"),
    )
