"""Pick the channel's settings from configuration and send one rendered notice on it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from service.config import Config
from service.domain.notices.keys import message_id
from service.domain.notices.render import RenderedNotice
from workers.notices.delivery import FailureReason, PermanentDeliveryError, TransientDeliveryError
from workers.notices.smtp_channel import SmtpSettings, send_email
from workers.notices.webhook_channel import WebhookSettings, send_webhook

FALLBACK_DOMAIN = "lector.local"


def smtp_settings(config: Config) -> SmtpSettings:
    """SmtpSettings from LECTOR_SMTP_*; no host is a configuration gap, so notices wait."""
    if not config.smtp_host:
        raise TransientDeliveryError(FailureReason.connection_failed, "LECTOR_SMTP_HOST is not set")
    return SmtpSettings(
        host=config.smtp_host, port=config.smtp_port,
        security=config.smtp_security,  # type: ignore[arg-type]
        username=config.smtp_username, password=config.smtp_password, sender=config.smtp_sender,
    )


def message_id_for(config: Config, key: str) -> str:
    """The Message-ID of a key: derived from the key and the sender's (stable) domain."""
    domain = SmtpSettings(host="-", sender=config.smtp_sender).sender_domain or FALLBACK_DOMAIN
    try:
        return message_id(key, domain)
    except ValueError:
        return message_id(key, FALLBACK_DOMAIN)


def send_on(channel: str, config: Config, key: str, kind: str, lang: str,
            profile: Mapping[str, Any], rendered: RenderedNotice, now: datetime) -> str:
    """Deliver on ``channel``; return the Message-ID (e-mail) or the key (webhook)."""
    if channel == "email":
        if not profile.get("email"):
            raise PermanentDeliveryError(FailureReason.no_address, "the reader has no e-mail")
        mid = message_id_for(config, key)
        send_email(smtp_settings(config), profile["email"], profile.get("name"), rendered, mid,
                   {"X-Lector-Notice-Key": key}, sent_at=now)
        return mid
    if not config.webhook_url or not config.webhook_secret:
        raise PermanentDeliveryError(FailureReason.no_address, "no webhook gateway configured")
    payload = {
        "key": key, "kind": kind, "lang": lang, "reader_id": profile["reader_id"],
        "card_number": profile.get("card_number"), "name": profile.get("name"),
        "phone": profile.get("phone"), "email": profile.get("email"),
        "subject": rendered.subject, "text": rendered.text, "sent_at": now,
    }
    send_webhook(WebhookSettings(config.webhook_url, config.webhook_secret), payload, key)
    return key
