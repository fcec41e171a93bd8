"""Every entry of tests/slow_tests.py names a test that exists, and the mark reaches it."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.slow_tests import SLOW
from tests.worker_process import REPO


def _test_names(path: str) -> set[str]:
    """module::function and module::Class::method names defined in a test file."""
    tree = ast.parse((REPO / path).read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):  # hypothesis: TestX = Machine.TestCase (runTest)
            names |= {f"{t.id}::runTest" for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ClassDef):
            names |= {f"{node.name}::{n.name}" for n in node.body if isinstance(n, ast.FunctionDef)}
    return names


@pytest.mark.parametrize("entry", SLOW)
def test_each_slow_entry_names_a_test_that_exists(entry: str) -> None:
    path, _, name = entry.partition("::")
    assert (REPO / path).is_file(), f"{path} is gone: update tests/slow_tests.py"
    assert name in _test_names(path), f"{entry} is gone: update tests/slow_tests.py"


def test_selecting_slow_collects_exactly_the_listed_tests() -> None:
    files = sorted({entry.partition("::")[0] for entry in SLOW})
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow",
                          "-p", "no:xdist", *files], cwd=REPO, capture_output=True, text=True,
                         timeout=240)
    assert run.returncode == 0, run.stdout[-3000:]
    collected = {line.partition("[")[0] for line in run.stdout.splitlines() if "::" in line}
    assert collected == set(SLOW)
