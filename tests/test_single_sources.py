"""Facts written down once: the default time zone and the ISBN check digit."""

from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

from service.config import DEFAULT_TIMEZONE, Config
from service.data.demo import isbn as demo_isbn
from service.domain.catalogue import isbn as core_isbn

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("events", "projections", "service", "workers", "bench")


def modules_containing(literal: str) -> list[str]:
    """Every source module outside tests/ whose text contains ``literal``."""
    return sorted(
        str(path.relative_to(ROOT))
        for package in SOURCES
        for path in (ROOT / package).rglob("*.py")
        if literal in path.read_text(encoding="utf-8")
    )


def test_the_default_time_zone_is_written_out_in_one_module_only() -> None:
    assert modules_containing("Asia/Shanghai") == ["service/config.py"]


def test_the_one_default_is_what_configuration_falls_back_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LECTOR_TIMEZONE", raising=False)
    assert Config.from_env().timezone == DEFAULT_TIMEZONE
    monkeypatch.setenv("LECTOR_TIMEZONE", "Europe/London")
    assert Config.from_env().timezone == "Europe/London"


def test_the_demo_uses_the_catalogues_isbn_check_digit() -> None:
    assert demo_isbn.isbn13_check_digit is core_isbn.isbn13_check_digit
    rng = random.Random(13)
    for _ in range(200):
        made = demo_isbn.make_isbn13("9787", rng.randrange(10**8))
        assert core_isbn.normalize_isbn(made) == made and demo_isbn.is_valid_isbn13(made)


def test_an_isbn10_from_the_demo_list_converts_like_the_catalogue_does() -> None:
    assert demo_isbn.isbn10_to_13("30640615X") is None  # bad check digit
    assert demo_isbn.isbn10_to_13("306406152") == core_isbn.normalize_isbn("0306406152")


def _stream_spellings(path: Path) -> list[str]:
    """String literals in a module that spell a stream name: a prefix on its own (``"copy-"``,
    as in ``"copy-" + barcode`` or ``startswith("copy-")``), an f-string that starts with one
    (``f"copy-{barcode}"``), or a configuration stream's whole name."""
    from events import streams

    whole = {*streams.PREFIXES, *streams.CONFIG_STREAMS, streams.NOTICE_TEMPLATE_STREAM}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                   for part in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in in_fstrings and node.value in whole:
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and any(
                    first.value.startswith(p) for p in streams.PREFIXES):
                found.append(f"f{first.value}")
    return found


def test_stream_names_are_spelled_only_in_events_streams() -> None:
    spelled = {
        str(path.relative_to(ROOT)): found
        for package in ("events", "projections", "service", "workers")
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "events" / "streams.py" and (found := _stream_spellings(path))
    }
    assert spelled == {}


def test_the_stream_check_sees_each_way_of_spelling_a_stream(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('a = "copy-" + b\nc = f"reader-{d}"\ne = "config-policy"\n'
                      'f = "reader-import-errors.csv"\n', encoding="utf-8")
    assert sorted(_stream_spellings(sample)) == ["config-policy", "copy-", "freader-"]
