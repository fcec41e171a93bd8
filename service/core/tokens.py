"""Signed, expiring bearer tokens (no server-side session state, so any API process verifies)."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from service.core.context import Principal

_SALT = "lector.api.token.v1"


def issue_token(secret: str, principal: Principal) -> str:
    data = {"k": principal.kind, "i": principal.id, "r": principal.role, "rd": principal.reader_id}
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(data)


def read_token(secret: str, token: str, max_age_s: int) -> Principal | None:
    """The principal a token names, or None if it is forged, malformed or expired."""
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=max_age_s)
    except (BadSignature, SignatureExpired, ValueError):
        return None
    if not isinstance(data, dict) or data.get("k") not in ("staff", "reader"):
        return None
    return Principal(data["k"], data["i"], data["r"], data.get("rd"))
