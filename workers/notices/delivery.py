"""Delivery outcomes shared by every channel, and the retry back-off."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class FailureReason(StrEnum):
    """Stable reason codes recorded in NoticeFailed and carried by delivery errors."""

    no_address = "no_address"  # decided by the caller: the reader has no usable address
    template_error = "template_error"  # decided by the caller: rendering failed
    invalid_address = "invalid_address"
    connection_failed = "connection_failed"
    timeout = "timeout"
    tls_failed = "tls_failed"
    auth_failed = "auth_failed"
    sender_rejected = "sender_rejected"
    recipient_rejected = "recipient_rejected"
    message_rejected = "message_rejected"
    smtp_temporary = "smtp_temporary"
    smtputf8_unsupported = "smtputf8_unsupported"
    http_server_error = "http_server_error"
    http_rate_limited = "http_rate_limited"
    http_client_error = "http_client_error"
    http_redirect = "http_redirect"


class DeliveryError(Exception):
    """A notice could not be delivered; `reason` is a stable code, `code` the SMTP/HTTP status."""

    transient: ClassVar[bool] = False

    def __init__(
        self,
        reason: str,
        detail: str = "",
        *,
        code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason, detail)
        self.reason = str(reason)
        self.detail = detail
        self.code = code
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = f" [{self.code}]" if self.code is not None else ""
        return f"{self.reason}{status}: {self.detail}" if self.detail else self.reason + status

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep code and retry_after when the error crosses a process boundary (Celery).
        kwargs = {"code": self.code, "retry_after": self.retry_after}
        return (_rebuild, (type(self), self.reason, self.detail, kwargs))


class TransientDeliveryError(DeliveryError):
    """Worth retrying later: the server or network may recover (timeouts, SMTP 4xx, HTTP 5xx)."""

    transient = True


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: the address or the message was refused (SMTP 5xx, HTTP 4xx)."""


def _rebuild(
    cls: type[DeliveryError], reason: str, detail: str, kwargs: dict[str, Any]
) -> DeliveryError:
    return cls(reason, detail, **kwargs)


_MAX_EXPONENT = 62  # beyond this every sensible cap is reached; avoids giant integers


def backoff_seconds(
    attempt: int, *, base: float = 30, cap: float = 3600, jitter: float
) -> float:
    """Delay before retry number `attempt` (0-based): full jitter over min(cap, base * 2**attempt).

    `jitter` is a number in [0, 1] supplied by the caller (random.random() in production),
    so the schedule is deterministic under test.
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter must be within [0, 1]")
    if base < 0 or cap < 0:
        raise ValueError("base and cap must be >= 0")
    ceiling: float = min(float(cap), float(base) * 2.0 ** min(attempt, _MAX_EXPONENT))
    return jitter * ceiling


def retry_delay(attempt: int, *, base: float = 30, cap: float = 3600, jitter: float) -> float:
    """Delay before retry number `attempt` (0-based) with "equal jitter": half fixed, half random.

    The delay lies in [c/2, c] for c = min(cap, base * 2**attempt), so it never exceeds the
    cap and, until the cap, never shrinks from one retry to the next whatever the jitter
    (the next one's floor is this one's ceiling), while retries of many notices still spread.
    """
    ceiling = backoff_seconds(attempt, base=base, cap=cap, jitter=1.0)
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter must be within [0, 1]")
    return ceiling * (0.5 + 0.5 * jitter)
