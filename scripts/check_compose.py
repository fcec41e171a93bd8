"""Check that docker-compose.yml can run `docker compose up --scale worker=N` (CI's compose step).

Without a Docker engine, `docker-compose config -q` says the file is valid but not that a
service can be scaled. Scaling needs each copy to be nameless and portless on the host:
a fixed `container_name` or a published host port makes the second copy fail to start.
Usage: python scripts/check_compose.py [docker-compose.yml] [service ...] (default: worker).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml


def scaling_problems(compose: dict[str, Any], service: str) -> list[str]:
    """What stops ``service`` from running as several copies (an empty list: nothing)."""
    services = compose.get("services") or {}
    if service not in services:
        return [f"there is no service {service!r}"]
    spec = services[service] or {}
    problems = []
    if "container_name" in spec:
        problems.append(f"{service}: container_name {spec['container_name']!r} names one container")
    for port in spec.get("ports") or []:
        published = port.get("published") if isinstance(port, dict) else _host_port(str(port))
        if published:
            problems.append(f"{service}: host port {published} can be bound by one copy only")
    if "healthcheck" not in spec and any("healthcheck" in (s or {}) for s in services.values()):
        problems.append(f"{service}: no healthcheck, though other services have one")
    return problems


def _host_port(port: str) -> str | None:
    """"8000:8000" -> "8000"; "127.0.0.1:8000:8000" -> "8000"; "8000" (container only) -> None."""
    parts = port.split("/")[0].split(":")
    return parts[-2] if len(parts) >= 2 and parts[-2] else None


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path("docker-compose.yml")
    services = argv[1:] or ["worker"]
    compose = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = [p for s in services for p in scaling_problems(compose, s)]
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{path}: {', '.join(services)} can be scaled (--scale {services[0]}=N)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
