"""Every page script parses as the ES module the browser loads it as.

A merge once left two `export function addWords` in i18n.js: legal in a classic script, a
SyntaxError in a module, and every page went blank. Node's parser catches that in a second.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "service" / "adapters" / "web" / "static"
SCRIPTS = sorted(p for p in STATIC.glob("*.js"))


def test_the_page_scripts_are_found() -> None:
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_page_script_parses_as_a_module(script: Path, tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is on every machine of this kind and in CI (it checks the page scripts)"
    module = tmp_path / (script.stem + ".mjs")
    module.write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    checked = subprocess.run([node, "--check", str(module)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
