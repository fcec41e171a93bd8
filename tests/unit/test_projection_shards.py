"""Projection shards: every projection in exactly one, read from the environment, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.registry import all_projections
from projections.shards import group_into_shards
from service.config import DEFAULT_PROJECTION_SHARDS, DEFAULT_TIMEZONE, Config, parse_shards
from workers.schedule import beat_schedule

PROJECTIONS = all_projections(DEFAULT_TIMEZONE)


def names(spec: str) -> dict[str, tuple[str, ...]]:
    return {s.name: s.projection_names for s in group_into_shards(PROJECTIONS, parse_shards(spec))}


def test_the_default_split_puts_every_projection_in_exactly_one_of_four_named_shards() -> None:
    shards = group_into_shards(PROJECTIONS, DEFAULT_PROJECTION_SHARDS)
    assert [s.name for s in shards] == ["circulation", "readers", "reports", "catalogue"]
    grouped = [n for s in shards for n in s.projection_names]
    assert sorted(grouped) == sorted(p.name for p in PROJECTIONS)


def test_projections_no_shard_names_fold_in_a_shard_called_other() -> None:
    shards = names("loans=current_loans,hold_queue")
    assert shards["loans"] == ("current_loans", "hold_queue")
    assert len(shards["other"]) == len(PROJECTIONS) - 2


def test_a_star_gathers_the_rest_so_one_shard_folds_everything_in_one_pass() -> None:
    assert names("all=*") == {"all": tuple(p.name for p in PROJECTIONS)}


@pytest.mark.parametrize("spec", ["a=current_loans;b=current_loans", "a=no_such_projection",
                                  "a=*;b=*", "a=fines;a=trends", "other=fines"])
def test_a_wrong_split_is_refused_at_start(spec: str) -> None:
    with pytest.raises(ValueError):
        group_into_shards(PROJECTIONS, parse_shards(spec))


def test_a_split_without_names_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_shards("current_loans,fines")


def test_the_split_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("LECTOR_SECRET_KEY", "shard-secret")
    monkeypatch.setenv("LECTOR_INSTANCE_DIR", str(tmp_path))
    monkeypatch.setenv("LECTOR_PROJECTION_SHARDS", " loans = current_loans , fines ; rest=* ")
    assert Config.from_env().projection_shards == (("loans", ("current_loans", "fines")),
                                                   ("rest", ("*",)))


def test_the_safety_net_folds_everything_embedded_and_fans_out_to_shards_with_workers(
    tmp_path: Path,
) -> None:
    embedded = Config(database_url="sqlite://", instance_dir=tmp_path)
    scaled = Config(database_url="sqlite://", redis_url="redis://x/0", instance_dir=tmp_path)
    assert beat_schedule(embedded)["projections-safety-net"]["task"] == "projections.catch_up_all"
    assert beat_schedule(scaled)["projections-safety-net"]["task"] == "projections.catch_up_shards"
