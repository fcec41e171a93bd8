"""Send a notice as a signed JSON POST to a gateway (SMS, WeChat templates, ...)."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from workers.notices.delivery import (
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    TransientDeliveryError,
)

SIGNATURE_HEADER = "X-Lector-Signature"
TIMESTAMP_HEADER = "X-Lector-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_RETRYABLE_4XX = frozenset({408, 425, 429})  # the receiver asks us to come back later


@dataclass(frozen=True)
class WebhookSettings:
    """Where to POST notices and the shared secret that signs them."""

    url: str
    secret: str
    timeout: float = 10.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        # urllib also opens file:// and ftp:// URLs; a webhook must be HTTP(S).
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook url must be http(s)://host/..., got {self.url!r}")
        if not self.secret:
            raise ValueError("webhook secret must not be empty")


def sign(secret: str | bytes, body: bytes) -> str:
    """Return the signature header value for a body: 'sha256=<hex HMAC-SHA256>'."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of the raw `body` under `secret` (constant time)."""
    if not header:
        return False
    return hmac.compare_digest(sign(secret, body).encode("ascii"), header.strip().encode())


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def encode_payload(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent: compact UTF-8 JSON with sorted keys."""
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default
    ).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET and report success; refuse instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    return float(value) if value and value.strip().isdigit() else None


def _from_status(error: urllib.error.HTTPError) -> DeliveryError:
    code, detail = error.code, f"HTTP {error.code} {error.reason}"
    if code >= 500:
        return TransientDeliveryError(FailureReason.http_server_error, detail, code=code)
    if code in _RETRYABLE_4XX:
        return TransientDeliveryError(
            FailureReason.http_rate_limited, detail, code=code, retry_after=_retry_after(error)
        )
    if code >= 400:
        return PermanentDeliveryError(FailureReason.http_client_error, detail, code=code)
    return PermanentDeliveryError(FailureReason.http_redirect, detail, code=code)


def send_webhook(
    settings: WebhookSettings,
    payload: dict[str, Any],
    idempotency_key: str,
    *,
    timestamp: int | None = None,
) -> None:
    """POST the payload; any 2xx is delivered, otherwise raise a delivery error."""
    body = encode_payload(payload)
    request = urllib.request.Request(
        settings.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Lector-notices/1",
            SIGNATURE_HEADER: sign(settings.secret, body),
            TIMESTAMP_HEADER: str(int(time.time()) if timestamp is None else timestamp),
            IDEMPOTENCY_HEADER: idempotency_key,
        },
    )
    try:
        with _OPENER.open(request, timeout=settings.timeout) as response:
            response.read(65536)  # drain a little so keep-alive servers are not cut off
            status = response.status
    except urllib.error.HTTPError as exc:
        with exc:
            raise _from_status(exc) from exc
    except urllib.error.URLError as exc:
        cause = exc.reason
        if isinstance(cause, TimeoutError):
            raise TransientDeliveryError(FailureReason.timeout, str(cause)) from exc
        if isinstance(cause, ssl.SSLError):
            raise TransientDeliveryError(FailureReason.tls_failed, str(cause)) from exc
        raise TransientDeliveryError(FailureReason.connection_failed, str(cause)) from exc
    except TimeoutError as exc:  # a timeout while reading the response
        raise TransientDeliveryError(FailureReason.timeout, str(exc)) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise TransientDeliveryError(FailureReason.connection_failed, str(exc)) from exc
    if not 200 <= status < 300:  # 1xx/3xx that urllib handed back without raising
        raise PermanentDeliveryError(FailureReason.http_redirect, f"HTTP {status}", code=status)
