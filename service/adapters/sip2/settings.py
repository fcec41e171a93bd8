"""Settings of the SIP2 server (security limits, time zone, currency, defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from service.config import DEFAULT_TIMEZONE


@dataclass(frozen=True, kw_only=True)
class Sip2Settings:
    """Everything a library may tune about the SIP2 service; defaults suit a branch."""

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    idle_timeout: float = 300.0
    rate_per_second: float = 10.0
    rate_burst: int = 30
    allow_status_before_login: bool = True
    max_login_failures: int = 3
    max_connections: int = 256
    max_line_bytes: int = 8192
    max_items: int = 20
    require_pin: bool = True
    currency: str = "CNY"
    default_charset: str = "utf-8"
    checksum_over_bytes: bool = True
    institution_id: str = ""
    timeout_period: str = "030"
    retries_allowed: str = "003"
    tls_handshake_timeout: float = 10.0
    due_time: str = "235959"
