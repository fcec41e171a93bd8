"""DATABASE_REPLICA_URL: optional, normalised like DATABASE_URL, PostgreSQL only."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.bootstrap import bootstrap
from service.config import Config


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LECTOR_SECRET_KEY", "replica-settings-secret")
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "LECTOR_DATABASE_REPLICA_URL",
                 "LECTOR_REPLICA_RETRY_S", "LECTOR_REPLICA_CONNECT_TIMEOUT_S", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_replica_url_every_read_goes_to_the_primary(tmp_path: Path) -> None:
    config = Config.from_env()
    assert config.database_replica_url is None
    lector = bootstrap(config)
    assert lector.replica is None and lector.replica_route is None
    lector.dispose()


def test_a_replica_url_is_normalised_to_psycopg_like_the_primary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica:5433/lector")
    monkeypatch.setenv("LECTOR_REPLICA_RETRY_S", "1.5")
    config = Config.from_env()
    assert config.database_replica_url == "postgresql+psycopg://reader@replica:5433/lector"
    assert config.replica_retry_s == 1.5


def test_the_lector_prefixed_name_is_read_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LECTOR_DATABASE_REPLICA_URL", "postgresql://r@replica/lector")
    assert Config.from_env().database_replica_url == "postgresql+psycopg://r@replica/lector"


def test_a_replica_that_is_not_postgresql_is_refused_at_start(tmp_path: Path) -> None:
    config = Config.from_env(database_replica_url=f"sqlite:///{tmp_path / 'copy.db'}")
    with pytest.raises(ValueError, match="PostgreSQL"):
        bootstrap(config)
