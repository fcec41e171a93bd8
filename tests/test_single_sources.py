"""Facts written down once: the default time zone and the ISBN check digit."""

from __future__ import annotations

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
