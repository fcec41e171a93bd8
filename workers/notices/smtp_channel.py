"""Send a rendered notice by e-mail through a real SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Literal

from service.domain.notices.render import RenderedNotice
from workers.notices.delivery import (
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    TransientDeliveryError,
)

Security = Literal["none", "starttls", "ssl"]


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP relay; `sender` is 'addr' or 'Display Name <addr>'."""

    host: str
    port: int = 25
    security: Security = "none"
    username: str | None = None
    password: str | None = None
    sender: str = "lector@localhost"
    timeout: float = 30.0
    ca_file: str | None = None  # trust a private CA (internal relays) instead of the system store

    def __post_init__(self) -> None:
        if self.security not in ("none", "starttls", "ssl"):
            raise ValueError(f"security must be none, starttls or ssl, got {self.security!r}")

    @property
    def sender_domain(self) -> str:
        """Domain of the sender address: the natural right-hand side of our Message-IDs."""
        return parseaddr(self.sender)[1].rpartition("@")[2].lower()


def _address(display: str | None, addr: str) -> Address:
    """Build a header address; refuse anything that is not one plain local@domain."""
    addr = addr.strip()
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in "<>,;\"" for c in addr):
        raise ValueError(f"not an e-mail address: {addr!r}")
    # Names come from reader records; a stray newline must not reach a header.
    return Address(display_name=" ".join((display or "").split()), addr_spec=addr)


def build_message(
    settings: SmtpSettings,
    to_addr: str,
    to_name: str | None,
    rendered: RenderedNotice,
    message_id: str,
    headers: Mapping[str, str] | None = None,
    *,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """Build the multipart/alternative UTF-8 message that send_email() delivers."""
    msg = EmailMessage()
    try:
        msg["From"] = _address(*parseaddr(settings.sender))
    except (ValueError, HeaderParseError) as exc:  # our configuration: wait for a fix
        raise TransientDeliveryError(FailureReason.sender_rejected, str(exc)) from exc
    try:
        msg["To"] = _address(to_name, to_addr)
    except (ValueError, HeaderParseError) as exc:
        raise PermanentDeliveryError(FailureReason.invalid_address, str(exc)) from exc
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(sent_at or datetime.now(UTC))
    msg["Message-ID"] = message_id
    # RFC 3834: tells auto-responders (out-of-office, vacation) not to answer.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    for name, value in (headers or {}).items():
        del msg[name]
        msg[name] = value
    msg.set_content(rendered.text, charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return msg


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file)


def _deliver(settings: SmtpSettings, msg: EmailMessage, to_addr: str) -> None:
    if settings.security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=_tls_context(settings)
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            smtp.ehlo()
            smtp.starttls(context=_tls_context(settings))
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(msg, from_addr=parseaddr(settings.sender)[1], to_addrs=[to_addr])
    except BaseException:
        smtp.close()
        raise
    # The server has accepted the message: nothing after this point may turn into a failure,
    # or a retry would deliver it twice. A failed QUIT is the server's problem, not ours.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _by_code(code: int, reason_5xx: FailureReason, detail: str) -> DeliveryError:
    if 400 <= code < 500:
        return TransientDeliveryError(FailureReason.smtp_temporary, detail, code=code)
    return PermanentDeliveryError(reason_5xx, detail, code=code)


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _classify(exc: Exception) -> DeliveryError | None:
    """Map an smtplib/socket failure to a delivery error; None for anything unexpected."""
    transient = TransientDeliveryError
    match exc:
        case smtplib.SMTPRecipientsRefused():
            code, raw = next(iter(exc.recipients.values()))
            return _by_code(code, FailureReason.recipient_rejected, _text(raw))
        # Refusals of our own From, credentials, greeting or TLS set-up are configuration
        # problems, not the notice's: they stay transient so notices wait for the operator.
        case smtplib.SMTPSenderRefused():
            return transient(FailureReason.sender_rejected, _text(exc.smtp_error),
                             code=exc.smtp_code)
        case smtplib.SMTPAuthenticationError():
            return transient(FailureReason.auth_failed, _text(exc.smtp_error), code=exc.smtp_code)
        case smtplib.SMTPConnectError() | smtplib.SMTPHeloError():
            return transient(FailureReason.connection_failed, _text(exc.smtp_error),
                             code=exc.smtp_code)
        case smtplib.SMTPNotSupportedError() if "SMTPUTF8" in str(exc):
            return PermanentDeliveryError(FailureReason.smtputf8_unsupported, str(exc))
        case smtplib.SMTPNotSupportedError():  # STARTTLS or AUTH not offered by the relay
            return transient(FailureReason.tls_failed, str(exc))
        case smtplib.SMTPResponseException():  # DATA or MAIL answered 4xx/5xx
            return _by_code(exc.smtp_code, FailureReason.message_rejected, _text(exc.smtp_error))
        case smtplib.SMTPServerDisconnected() if isinstance(exc.__context__, TimeoutError):
            return transient(FailureReason.timeout, str(exc))
        case ssl.SSLError():
            return transient(FailureReason.tls_failed, str(exc))
        case TimeoutError():
            return transient(FailureReason.timeout, str(exc))
        case OSError() | smtplib.SMTPException():
            return transient(FailureReason.connection_failed, str(exc))
    return None


def send_email(
    settings: SmtpSettings,
    to_addr: str,
    to_name: str | None,
    rendered: RenderedNotice,
    message_id: str,
    headers: Mapping[str, str] | None = None,
    *,
    sent_at: datetime | None = None,
) -> None:
    """Deliver one notice; raise TransientDeliveryError or PermanentDeliveryError on failure."""
    msg = build_message(settings, to_addr, to_name, rendered, message_id, headers, sent_at=sent_at)
    try:
        _deliver(settings, msg, to_addr)
    except Exception as exc:
        error = _classify(exc)
        if error is None:
            raise
        raise error from exc
