"""All configuration, read from the environment in one place."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Config:
    """Settings for the API, the workers and the CLI. Build with ``Config.from_env()``."""

    database_url: str
    redis_url: str | None = None
    secret_key: str = ""
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    library_name: str = "Lector Library"
    token_max_age_s: int = 12 * 3600
    max_content_length: int = 1024 * 1024
    min_position_wait_s: float = 2.0
    catch_up_interval_s: float = 5.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Lector <noreply@lector.local>"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    instance_dir: Path = field(default_factory=lambda: Path("instance"))
    testing: bool = False

    @property
    def embedded(self) -> bool:
        """No broker configured: tasks run in-process."""
        return self.redis_url is None

    @classmethod
    def from_env(cls, **overrides: Any) -> Config:
        """Read LECTOR_* / DATABASE_URL / REDIS_URL; defaults give the embedded library."""
        instance = Path(_env("LECTOR_INSTANCE_DIR", "instance") or "instance").resolve()
        database_url = _env("DATABASE_URL") or f"sqlite:///{instance / 'lector.db'}"
        secret = _env("LECTOR_SECRET_KEY") or _instance_secret(instance)
        values: dict[str, Any] = {
            "database_url": _normalise_db_url(database_url),
            "redis_url": _env("REDIS_URL"),
            "secret_key": secret,
            "timezone": _env("LECTOR_TIMEZONE", "Asia/Shanghai"),
            "library_name": _env("LECTOR_LIBRARY_NAME", "Lector Library"),
            "smtp_host": _env("LECTOR_SMTP_HOST"),
            "smtp_port": int(_env("LECTOR_SMTP_PORT", "25") or 25),
            "smtp_security": _env("LECTOR_SMTP_SECURITY", "none"),
            "smtp_username": _env("LECTOR_SMTP_USERNAME"),
            "smtp_password": _env("LECTOR_SMTP_PASSWORD"),
            "smtp_sender": _env("LECTOR_SMTP_SENDER", "Lector <noreply@lector.local>"),
            "webhook_url": _env("LECTOR_WEBHOOK_URL"),
            "webhook_secret": _env("LECTOR_WEBHOOK_SECRET"),
            "instance_dir": instance,
        }
        return replace(cls(**values), **overrides)


def _normalise_db_url(url: str) -> str:
    # Users paste "postgresql://..."; we speak psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder, so tokens survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
