"""Signed, expiring bearer tokens; each names its account's token version when issued.

Any API process verifies the signature on its own; revocation compares the version with the
stored one (service/application/token_versions.py).
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from service.application.context import Principal

_SALT = "lector.api.token.v1"


def issue_token(secret: str, principal: Principal, version: int = 0) -> str:
    data = {"k": principal.kind, "i": principal.id, "r": principal.role, "rd": principal.reader_id,
            "v": version}
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(data)


def read_token(secret: str, token: str, max_age_s: int) -> tuple[Principal, int] | None:
    """The principal a token names and its version, or None if forged, malformed or expired.

    Tokens issued before versions existed carry none and count as version 0.
    """
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=max_age_s)
    except (BadSignature, SignatureExpired, ValueError):
        return None
    if not isinstance(data, dict) or data.get("k") not in ("staff", "reader"):
        return None
    version = data.get("v", 0)
    if not isinstance(version, int):
        return None
    return Principal(data["k"], data["i"], data["r"], data.get("rd")), version
