"""The hashed lock files agree with pyproject.toml (scripts/lock.sh refreshes them)."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.worker_process import REPO

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ;.*)? \\$")


def _pins(name: str) -> dict[str, set[str]]:
    """Name -> pinned versions (one per environment marker), each checked to carry a hash."""
    lines = (REPO / "requirements" / name).read_text().splitlines()
    pins: dict[str, set[str]] = {}
    for i, line in enumerate(lines):
        if match := PIN.match(line):
            assert lines[i + 1].strip().startswith("--hash=sha256:"), f"{name}: {line} has no hash"
            pins.setdefault(canonicalize_name(match[1]), set()).add(match[2])
    return pins


def _declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return ([Requirement(r) for r in project["dependencies"]],
            [Requirement(r) for r in project["optional-dependencies"]["dev"]])


def _unmet(requirements: list[Requirement], pins: dict[str, set[str]]) -> list[str]:
    return [str(r) for r in requirements
            if not any(v in r.specifier for v in pins.get(canonicalize_name(r.name), ()))]


def test_every_runtime_dependency_is_locked_within_its_bounds() -> None:
    runtime, _ = _declared()
    assert _unmet(runtime, _pins("lock.txt")) == []


def test_every_runtime_and_dev_dependency_is_in_the_dev_lock_within_its_bounds() -> None:
    runtime, dev = _declared()
    assert _unmet(runtime + dev, _pins("dev-lock.txt")) == []


def test_the_image_and_the_test_suite_get_the_same_runtime_versions() -> None:
    runtime, dev = _pins("lock.txt"), _pins("dev-lock.txt")
    assert {n: v for n, v in runtime.items() if dev.get(n) != v} == {}


def test_every_zero_major_runtime_library_has_an_upper_bound() -> None:
    runtime, _ = _declared()
    pins = _pins("lock.txt")
    zero = [r for r in runtime if any(v.startswith("0.") for v in pins[canonicalize_name(r.name)])]
    assert zero and [str(r) for r in zero if not any(s.operator == "<" for s in r.specifier)] == []
