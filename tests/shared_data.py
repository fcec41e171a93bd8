"""The shared real data (MARC files, loan histories) that some tests read: ../shared/data.

A checkout without it skips those tests with a message saying why; CI always has the folder,
so there a missing folder fails the tests instead of quietly skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """$LECTOR_SHARED_DATA, else <repo>/../shared/data (whether or not it exists)."""
    return Path(os.environ.get("LECTOR_SHARED_DATA", REPO.parent / "shared" / "data"))


def missing_message(path: Path) -> str:
    return (f"shared real data not found at {path}: the tests that read ../shared/data are "
            "skipped (set LECTOR_SHARED_DATA to the folder to run them; CI has it, and there "
            "a missing folder fails these tests)")


def shared_data(*parts: str) -> Path:
    """A file or folder under the shared data; skips the calling test if it is missing."""
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        message = missing_message(path)
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}. CI=true: failing, not skipping")
        pytest.skip(message)
    return path


def shared_file_names(folder: str, suffixes: set[str]) -> list[Any]:
    """File names in a shared folder, for parametrize: one skipped case if it is missing."""
    path = shared_data_dir() / folder
    if not path.is_dir():
        # In CI the one case runs, and its shared_data() call fails it.
        ci = os.environ.get("CI") == "true"
        marks = () if ci else pytest.mark.skip(reason=missing_message(path))
        return [pytest.param("missing", marks=marks, id="shared-data-missing")]
    return sorted(p.name for p in path.iterdir() if p.suffix in suffixes)
