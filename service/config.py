"""All configuration, read from the environment in one place."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

# The library's time zone when LECTOR_TIMEZONE is not set: the only place it is written out.
DEFAULT_TIMEZONE = "Asia/Shanghai"

# With workers (REDIS_URL set), a commit enqueues one catch-up per shard and each shard is
# folded in one pass by whichever worker takes it, so up to this many fold at once
# (docs/operations.md "Scaling workers"). Projections no shard names fold in a shard called
# "other"; "*" in a list means "every projection no other shard names".
# LECTOR_PROJECTION_SHARDS="circulation=current_loans,hold_queue;rest=*" overrides it.
DEFAULT_PROJECTION_SHARDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("circulation", ("current_loans", "hold_queue", "fines", "payments", "transits",
                     "notice_outbox")),
    ("readers", ("reader_profiles", "reading_history", "reader_timeline", "reader_segments",
                 "families", "feedback_inbox", "surveys", "activities", "campaigns")),
    ("reports", ("trends", "report_rollups", "lapse_model", "co_borrowing",
                 "export_schedules")),
    ("catalogue", ("catalogue", "title_keys", "title_search", "collection")),
)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Config:
    """Settings for the API, the workers and the CLI. Build with ``Config.from_env()``."""

    database_url: str
    redis_url: str | None = None
    # A PostgreSQL streaming replica that serves query (GET) reads (docs/operations.md
    # "Read replica"); None = every read goes to database_url.
    database_replica_url: str | None = None
    # After the replica failed to answer, reads skip it for this long (per process).
    replica_retry_s: float = 5.0
    replica_connect_timeout_s: int = 2
    secret_key: str = ""
    timezone: str = DEFAULT_TIMEZONE
    currency: str = "CNY"
    library_name: str = "Lector Library"
    token_max_age_s: int = 12 * 3600
    max_content_length: int = 1024 * 1024
    min_position_wait_s: float = 2.0
    # At most this many requests per process wait for projections at once (min_position).
    min_position_waiters: int = 8
    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    trusted_proxies: int = 0
    catch_up_interval_s: float = 5.0
    # Where a command's after-commit work (the embedded catch-up, or the enqueue to Celery)
    # runs: "inline" before the answer, "background" on a thread of the process after it
    # (service/adapters/dispatch.py InBackground). None = the entry point's choice: inline,
    # except service/wsgi.py (gunicorn) in embedded mode, which chooses background.
    # LECTOR_AFTER_COMMIT.
    after_commit: str | None = None
    projection_shards: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_PROJECTION_SHARDS
    # Exactly one beat schedules: it holds a Redis lock for this long and renews it every
    # tick (at most beat_max_interval_s apart); a second beat waits until the lock expires.
    beat_lock_timeout_s: int = 30
    beat_max_interval_s: float = 5.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Lector <noreply@lector.local>"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    # Notices (docs/notices.md): scan offsets in days, scan time in the library's zone.
    notice_due_soon_days: int = 3
    notice_overdue_offsets: tuple[int, ...] = (1, 7, 14)
    notice_pickup_reminder_days: int = 1
    notice_scan_time: str = "08:00"
    notice_dispatch_interval_s: float = 15.0
    notice_claim_ttl_s: int = 300
    notice_requeue_s: int = 120
    # Retries: at most notice_max_retries after the first try and within
    # notice_give_up_after_h of the first failure, then NoticeGaveUp (docs/notices.md).
    notice_max_retries: int = 16
    notice_retry_base_s: float = 30.0
    notice_retry_cap_s: float = 3600.0
    notice_give_up_after_h: float = 24.0
    notice_max_age_h: int = 72
    notice_queue: str | None = None
    portal_url: str | None = None
    # Logins (docs/operations.md "Staff accounts"): per account, a few free failures, then
    # growing delays, then a lockout; per client address, a Flask-Limiter rate limit.
    login_free_failures: int = 5
    login_delay_base_s: float = 1.0
    login_delay_cap_s: float = 60.0
    login_lockout_failures: int = 10
    login_lockout_s: float = 900.0
    login_failure_window_s: float = 3600.0
    login_rate_limit: str = "30 per minute;300 per hour"
    # How long a process may trust a cached token version: a deactivation, password or PIN
    # change or logout reaches every worker within this time.
    token_version_cache_s: float = 2.0
    # Scheduled exports (docs/exports.md): folder deliveries go under export_dir (default
    # <instance>/exports); beat looks for due schedules every export_schedule_interval_s.
    export_dir: Path | None = None
    export_schedule_interval_s: float = 60.0
    # PostgreSQL event log (docs/operations.md, "Event log partitions"): monthly partitions
    # are kept made this many months ahead by upgrade, the nightly task and the CLI.
    event_partition_months_ahead: int = 3
    # SIP2 server processes sharing one port with SO_REUSEPORT (docs/sip2.md "Processes"):
    # one is the embedded default; more lets kiosks use more than one core (one GIL each).
    sip2_processes: int = 1
    # Test hook only: a fixed "now" (ISO instant) for notice scans in a worker subprocess.
    fake_now: str | None = None
    instance_dir: Path = field(default_factory=lambda: Path("instance"))
    testing: bool = False

    @property
    def export_base(self) -> Path:
        """The folder scheduled exports deliver into (subfolders chosen per schedule)."""
        return (self.export_dir or self.instance_dir / "exports").resolve()

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
            "database_replica_url": _replica_url(),
            "secret_key": secret,
            "timezone": _env("LECTOR_TIMEZONE", DEFAULT_TIMEZONE),
            "library_name": _env("LECTOR_LIBRARY_NAME", "Lector Library"),
            "smtp_host": _env("LECTOR_SMTP_HOST"),
            "smtp_port": int(_env("LECTOR_SMTP_PORT", "25") or 25),
            "smtp_security": _env("LECTOR_SMTP_SECURITY", "none"),
            "smtp_username": _env("LECTOR_SMTP_USERNAME"),
            "smtp_password": _env("LECTOR_SMTP_PASSWORD"),
            "smtp_sender": _env("LECTOR_SMTP_SENDER", "Lector <noreply@lector.local>"),
            "webhook_url": _env("LECTOR_WEBHOOK_URL"),
            "webhook_secret": _env("LECTOR_WEBHOOK_SECRET"),
            "trusted_proxies": int(_env("LECTOR_TRUSTED_PROXIES", "0") or 0),
            "after_commit": _after_commit_mode(_env("LECTOR_AFTER_COMMIT")),
            "sip2_processes": int(_env("LECTOR_SIP2_PROCESSES", "1") or 1),
            "export_dir": Path(_env("LECTOR_EXPORT_DIR") or instance / "exports").resolve(),
            "export_schedule_interval_s": float(
                _env("LECTOR_EXPORT_SCHEDULE_INTERVAL_S", "60") or 60),
            "event_partition_months_ahead": int(
                _env("LECTOR_EVENT_PARTITION_MONTHS_AHEAD", "3") or 3),
            **_notice_settings(),
            **_login_settings(),
            **_beat_settings(),
            **_shard_settings(),
            "instance_dir": instance,
        }
        return replace(cls(**values), **overrides)


AFTER_COMMIT_MODES = ("inline", "background")


def _after_commit_mode(value: str | None) -> str | None:
    if value is not None and value not in AFTER_COMMIT_MODES:
        raise ValueError(f"LECTOR_AFTER_COMMIT must be one of {', '.join(AFTER_COMMIT_MODES)}")
    return value


def _notice_settings() -> dict[str, Any]:
    """LECTOR_NOTICE_* variables; unset ones keep the defaults above."""
    ints = {"notice_due_soon_days": "LECTOR_NOTICE_DUE_SOON_DAYS",
            "notice_pickup_reminder_days": "LECTOR_NOTICE_PICKUP_REMINDER_DAYS",
            "notice_claim_ttl_s": "LECTOR_NOTICE_CLAIM_TTL_S",
            "notice_requeue_s": "LECTOR_NOTICE_REQUEUE_S",
            "notice_max_retries": "LECTOR_NOTICE_MAX_RETRIES",
            "notice_max_age_h": "LECTOR_NOTICE_MAX_AGE_H"}
    floats = {"notice_dispatch_interval_s": "LECTOR_NOTICE_DISPATCH_INTERVAL_S",
              "notice_retry_base_s": "LECTOR_NOTICE_RETRY_BASE_S",
              "notice_retry_cap_s": "LECTOR_NOTICE_RETRY_CAP_S",
              "notice_give_up_after_h": "LECTOR_NOTICE_GIVE_UP_AFTER_H"}
    strings = {"notice_scan_time": "LECTOR_NOTICE_SCAN_TIME", "notice_queue": "LECTOR_NOTICE_QUEUE",
               "portal_url": "LECTOR_PORTAL_URL", "fake_now": "LECTOR_FAKE_NOW"}
    out: dict[str, Any] = {}
    for field_name, var in ints.items():
        if _env(var) is not None:
            out[field_name] = int(_env(var) or 0)
    for field_name, var in floats.items():
        if _env(var) is not None:
            out[field_name] = float(_env(var) or 0)
    for field_name, var in strings.items():
        if _env(var) is not None:
            out[field_name] = _env(var)
    offsets = _env("LECTOR_NOTICE_OVERDUE_OFFSETS")  # e.g. "1,7,14"
    if offsets is not None:
        out["notice_overdue_offsets"] = tuple(sorted({int(x) for x in offsets.split(",") if x.strip()}))
    return out


def _beat_settings() -> dict[str, Any]:
    """LECTOR_CATCH_UP_INTERVAL_S and the single-beat lock; unset ones keep the defaults."""
    kinds = {"catch_up_interval_s": ("LECTOR_CATCH_UP_INTERVAL_S", float),
             "beat_lock_timeout_s": ("LECTOR_BEAT_LOCK_TIMEOUT_S", int),
             "beat_max_interval_s": ("LECTOR_BEAT_MAX_INTERVAL_S", float),
             "replica_retry_s": ("LECTOR_REPLICA_RETRY_S", float),
             "replica_connect_timeout_s": ("LECTOR_REPLICA_CONNECT_TIMEOUT_S", int)}
    return {name: kind(_env(var) or 0) for name, (var, kind) in kinds.items()
            if _env(var) is not None}


def _shard_settings() -> dict[str, Any]:
    """LECTOR_PROJECTION_SHARDS: "name=projection,projection;name=..." (see above)."""
    text = _env("LECTOR_PROJECTION_SHARDS")
    return {} if text is None else {"projection_shards": parse_shards(text)}


def parse_shards(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """"a=x,y;b=*" -> (("a", ("x", "y")), ("b", ("*",))); names are checked at bootstrap."""
    shards = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, equals, names = part.partition("=")
        if not equals or not name.strip():
            raise ValueError(f"LECTOR_PROJECTION_SHARDS: {part!r} is not name=projection,...")
        shards.append((name.strip(), tuple(n.strip() for n in names.split(",") if n.strip())))
    return tuple(shards)


def _login_settings() -> dict[str, Any]:
    """LECTOR_LOGIN_* and LECTOR_TOKEN_VERSION_CACHE_S; unset ones keep the defaults above."""
    kinds: dict[str, tuple[str, type]] = {
        "login_free_failures": ("LECTOR_LOGIN_FREE_FAILURES", int),
        "login_delay_base_s": ("LECTOR_LOGIN_DELAY_BASE_S", float),
        "login_delay_cap_s": ("LECTOR_LOGIN_DELAY_CAP_S", float),
        "login_lockout_failures": ("LECTOR_LOGIN_LOCKOUT_FAILURES", int),
        "login_lockout_s": ("LECTOR_LOGIN_LOCKOUT_S", float),
        "login_failure_window_s": ("LECTOR_LOGIN_FAILURE_WINDOW_S", float),
        "login_rate_limit": ("LECTOR_LOGIN_RATE_LIMIT", str),
        "token_version_cache_s": ("LECTOR_TOKEN_VERSION_CACHE_S", float),
    }
    out: dict[str, Any] = {}
    for field_name, (var, kind) in kinds.items():
        value = _env(var)
        if value is not None:
            out[field_name] = kind(value)
    return out


def _replica_url() -> str | None:
    """DATABASE_REPLICA_URL (or LECTOR_DATABASE_REPLICA_URL), normalised like DATABASE_URL."""
    url = _env("DATABASE_REPLICA_URL") or _env("LECTOR_DATABASE_REPLICA_URL")
    return None if url is None else _normalise_db_url(url)


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
