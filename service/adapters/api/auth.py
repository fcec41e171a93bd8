"""Bearer-token authentication and role checks for API views."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from service.adapters.login_security import token_versions
from service.application.context import SIGNED_IN, TEACHER, Actor, Principal, has_role
from service.application.execute import ClientKey
from service.application.token_versions import account_key
from service.application.tokens import read_token
from service.domain.errors import DomainError, Forbidden


class Unauthorized(DomainError):
    status = 401


def current_principal() -> Principal:
    principal = getattr(g, "principal", None)
    if principal is None:
        principal = _principal_from_header()
        g.principal = principal
    return principal


def _principal_from_header() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", "A bearer token is required.", "需要登录令牌。")
    lector = current_app.extensions["lector"]
    read = read_token(lector.config.secret_key, token.strip(), lector.config.token_max_age_s)
    if read is None:
        raise Unauthorized("invalid_token", "The token is invalid or expired.", "令牌无效或已过期。")
    principal, version = read
    # Deactivation, a password or PIN change, a role change and logout bump the version.
    if not token_versions(lector).accepts(account_key(principal), version):
        raise Unauthorized("token_revoked", "This token has been revoked; please log in again.",
                           "令牌已失效，请重新登录。")
    return principal


def current_actor(channel: str | None = None) -> Actor:
    """The acting principal plus the channel, which follows from who the caller is."""
    principal = current_principal()
    return Actor(principal, channel or channel_of(principal))


def channel_of(principal: Principal) -> str:
    """The channel recorded in the log: readers act through the portal, kiosks through SIP2,
    staff through the API, or the desk when the front-desk page says so.

    Only staff may name a channel (``X-Lector-Channel: desk``, sent by the desk page, so the
    log tells desk work from scripts); a reader's or kiosk's header is ignored, so nobody can
    make their own actions look as if they came from elsewhere.
    """
    if principal.kind == "reader":
        return "portal"
    if principal.kind == "kiosk":
        return "sip2"
    if principal.kind == "staff" and request.headers.get("X-Lector-Channel") == "desk":
        return "desk"
    return "api"


def check_access(role: str, reader_self: str | None, view_args: dict[str, Any]) -> Principal:
    """Raise 401/403 unless the caller may use a view needing ``role`` (see ``require``)."""
    principal = current_principal()
    if role == SIGNED_IN:
        return principal  # one's own identity and sign-out: every account, the teacher too
    if principal.kind == "reader":
        if reader_self is None and role != "reader":
            raise _forbidden()
        if reader_self is not None and view_args.get(reader_self) != principal.reader_id:
            raise _forbidden()
    elif role == "reader" and principal.role == TEACHER:
        raise _forbidden()  # a teacher reaches class routes only, not what any staff may
    elif role != "reader" and not has_role(principal, role):
        raise _forbidden()
    return principal


def require(role: str, *, reader_self: str | None = None) -> Callable[[Any], Any]:
    """Allow staff of at least ``role``; with ``reader_self``, also the reader it names.

    ``reader_self`` is the view argument holding the reader id the reader must own.
    The requirement is recorded on the view: ``authenticate_first`` enforces it before the
    body is parsed (so strangers learn nothing from validation errors), and tests walk it.
    """

    def wrap(view: Any) -> Any:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            check_access(role, reader_self, kwargs)
            return view(*args, **kwargs)

        guarded._lector_access = (role, reader_self)  # type: ignore[attr-defined]
        return guarded

    return wrap


def authenticate_first() -> None:
    """before_request hook: check the route's access rule before any argument parsing."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    access = getattr(handler, "_lector_access", None)
    if access is not None:
        check_access(access[0], access[1], request.view_args or {})


def _forbidden() -> Forbidden:
    return Forbidden("forbidden", "You may not do this.", "您无权执行此操作。")


def idempotency_key() -> str | None:
    """The client's Idempotency-Key, carrying a fingerprint of this request (see execute)."""
    key = request.headers.get("Idempotency-Key")
    if not key or not key.strip():
        return None
    return ClientKey(key.strip()[:150], request_fingerprint())


def request_fingerprint() -> str:
    """sha256 of what the request asks for: method, path, query and the body in canonical
    form (JSON with sorted keys; form fields sorted, files by content), so a retry that
    re-encodes the same body (other key order, other multipart boundary) still matches."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(json.dumps(sorted(request.args.items(multi=True))).encode())
    body = request.get_json(silent=True) if request.is_json else None
    if body is not None:
        digest.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        digest.update(json.dumps(sorted(request.form.items(multi=True))).encode())
        for name, upload in sorted(request.files.items(multi=True)):
            digest.update(name.encode() + hashlib.sha256(upload.read()).digest())
            upload.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()
