"""Check that a virtualenv holds exactly what a lock file pins (run with that venv's python).

    .venv/bin/python scripts/check_lock.py requirements/dev-lock.txt

CI runs it after the README's install, so a dependency added to pyproject.toml without a
refreshed lock (scripts/lock.sh), or a bound the lock no longer meets, fails the build.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
TOOLING = {"lector", "pip", "setuptools", "wheel"}  # the project itself and the venv's own


def locked(path: Path) -> dict[str, str]:
    """Name -> version for every pin whose environment marker holds here."""
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match and (match[3] is None or Marker(match[3]).evaluate()):
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def main(lock: str) -> int:
    want = locked(Path(lock))
    have = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    problems = [f"{n}: lock {want[n]}, installed {have.get(n, 'nothing')}"
                for n in sorted(want) if have.get(n) != want[n]]
    problems += [f"{n} {have[n]}: installed but not in the lock"
                 for n in sorted(set(have) - set(want) - TOOLING)]
    for problem in problems:
        print(f"{lock}: {problem}")
    if problems:
        print(f"{lock} does not match pyproject.toml: refresh it with scripts/lock.sh")
        return 1
    print(f"{lock}: the environment holds exactly its {len(want)} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements/dev-lock.txt"))
