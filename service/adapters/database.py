"""Database schema management through Alembic (tests and production use the same path)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import MetaData

from events.partitions import MONTHS_AHEAD

MIGRATIONS = Path(__file__).parents[1] / "migrations"


def target_metadata() -> list[MetaData]:
    """Every table the migrations manage."""
    import projections.notice_mailbox  # (operational table, not a projection)
    import projections.registry  # noqa: F401  (imports every projection's tables)
    import service.application.kiosks  # noqa: F401  (kiosk_accounts shares the accounts metadata)
    import service.application.login_guard as _attempts  # noqa: F401  (login_attempts, likewise)
    import service.application.token_versions as _versions  # noqa: F401  (token_versions, likewise)
    import service.data.exporting.scheduling as _claims  # noqa: F401  (export_delivery_claims)
    from events.schema import metadata as events_metadata
    from projections.schema import metadata as projections_metadata
    from service.application.accounts import metadata as accounts_metadata

    return [events_metadata, projections_metadata, accounts_metadata]


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head",
            months_ahead: int = MONTHS_AHEAD) -> None:
    """Bring the database schema up to date (at head on PostgreSQL, with the event log's
    monthly partitions made ``months_ahead`` months ahead)."""
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head" and not database_url.startswith("sqlite"):
        ensure_log_partitions(database_url, months_ahead)


def ensure_log_partitions(database_url: str, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the event log's missing monthly partitions (none on SQLite); their names."""
    from events.engine import make_engine
    from events.partitions import ensure_partitions

    engine = make_engine(database_url)
    try:
        return ensure_partitions(engine, months_ahead)
    finally:
        engine.dispose()


def current_revision(database_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from events.engine import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
