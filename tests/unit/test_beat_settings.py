"""The single-beat settings: read from the environment, and a lock that outlives its ticks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from service.config import Config
from workers.celery_app import create_celery, single_beat


@pytest.fixture
def env_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Config:
    monkeypatch.setenv("LECTOR_SECRET_KEY", "beat-settings-secret")
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(tmp_path))
    for name in ("REDIS_URL", "LECTOR_CATCH_UP_INTERVAL_S", "LECTOR_BEAT_LOCK_TIMEOUT_S",
                 "LECTOR_BEAT_MAX_INTERVAL_S"):
        monkeypatch.delenv(name, raising=False)
    return Config.from_env()


def test_the_beat_settings_default_to_a_30_second_lock_renewed_at_least_every_5_seconds(
    env_config: Config,
) -> None:
    assert (env_config.catch_up_interval_s, env_config.beat_lock_timeout_s,
            env_config.beat_max_interval_s) == (5.0, 30, 5.0)


def test_the_beat_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env_config: Config,
) -> None:
    monkeypatch.setenv("LECTOR_CATCH_UP_INTERVAL_S", "0.5")
    monkeypatch.setenv("LECTOR_BEAT_LOCK_TIMEOUT_S", "12")
    monkeypatch.setenv("LECTOR_BEAT_MAX_INTERVAL_S", "2")
    config = Config.from_env()
    assert (config.catch_up_interval_s, config.beat_lock_timeout_s,
            config.beat_max_interval_s) == (0.5, 12, 2.0)


def test_a_lock_shorter_than_three_ticks_is_raised_so_a_busy_beat_keeps_it(
    env_config: Config,
) -> None:
    settings = single_beat(replace(env_config, redis_url="redis://localhost:6379/0",
                                   beat_lock_timeout_s=4, beat_max_interval_s=5))
    assert settings["redbeat_lock_timeout"] == 16
    assert settings["beat_max_loop_interval"] == 5


def test_with_redis_beat_uses_the_redis_lock_and_embedded_mode_keeps_its_own_scheduler(
    env_config: Config,
) -> None:
    # Only the settings with Redis: an app made here would count task outcomes in that Redis.
    settings = single_beat(replace(env_config, redis_url="redis://localhost:6379/3"))
    assert settings["beat_scheduler"] == "redbeat.RedBeatScheduler"
    assert (settings["redbeat_redis_url"], settings["redbeat_key_prefix"]) == (
        "redis://localhost:6379/3", "lector:beat")
    assert "redbeat" not in str(create_celery(env_config).conf.beat_scheduler)
