"""docker-compose.yml's worker service can be scaled, and the check would notice if not."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import yaml

REPO = Path(__file__).resolve().parents[2]


def checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_compose", REPO / "scripts" / "check_compose.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_worker_service_of_docker_compose_can_be_scaled() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert checker().scaling_problems(compose, "worker") == []


def test_a_fixed_name_a_host_port_or_a_missing_healthcheck_stops_scaling() -> None:
    compose = {"services": {
        "api": {"healthcheck": {"test": ["CMD", "true"]}},
        "worker": {"container_name": "lector-worker", "ports": ["8001:8001", "9000",
                                                                 {"target": 80, "published": 8080}]},
    }}
    problems = checker().scaling_problems(compose, "worker")
    assert len(problems) == 4, problems
    assert any("container_name" in p for p in problems)
    assert sum("host port" in p for p in problems) == 2
    assert any("healthcheck" in p for p in problems)
