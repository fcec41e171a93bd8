"""A checkout without ../shared/data skips the tests that read it; CI fails them instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.worker_process import REPO

MODULE = "tests/integration/test_import_marc.py"  # lists the shared folder while collecting


def _run_without_shared_data(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"CI", "LECTOR_TEST_DATABASE_URL", "PYTEST_XDIST_WORKER"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", MODULE],
        cwd=REPO, capture_output=True, text=True, timeout=240,
        env={**clean, "LECTOR_SHARED_DATA": str(tmp_path / "absent"), **env},
    )


def test_a_checkout_without_shared_data_skips_those_tests_and_says_why(tmp_path: Path) -> None:
    run = _run_without_shared_data(tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "skipped" in run.stdout and " failed" not in run.stdout
    assert f"shared real data not found at {tmp_path / 'absent'}" in run.stdout


def test_ci_without_shared_data_fails_those_tests_instead_of_skipping(tmp_path: Path) -> None:
    run = _run_without_shared_data(tmp_path, CI="true")
    assert run.returncode == 1, run.stdout[-3000:]
    assert "CI=true: failing, not skipping" in run.stdout
