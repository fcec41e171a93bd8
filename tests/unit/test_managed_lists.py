"""The managed lists fold: the seed, definitions, renames and retirements (pure)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from events.configuration import ListEntryChanged, ListEntryDefined, ListEntryRetired
from service.application.managed_lists import fold_lists
from service.domain.errors import Invalid


def _stored(*events: Any) -> list[Any]:
    return [SimpleNamespace(event=e) for e in events]


def test_the_seed_knows_the_codes_the_default_policy_and_the_demo_use() -> None:
    lists = fold_lists([])
    assert all(lists.known("reader_category", c) for c in ("adult", "child", "senior"))
    assert lists.known("item_type", "periodical") and lists.known("branch", "main")
    assert not lists.known("branch", "moon") and not lists.known("item_type", "spaceship")


def test_a_retired_code_is_unknown_until_it_is_defined_again() -> None:
    lists = fold_lists(_stored(ListEntryDefined("branch", "moon", "月亮分馆", "Moon"),
                               ListEntryRetired("branch", "moon")))
    assert not lists.known("branch", "moon")
    assert lists.entry("branch", "moon").retired  # type: ignore[union-attr]
    back = fold_lists(_stored(ListEntryDefined("branch", "moon", "月亮分馆", "Moon"),
                              ListEntryRetired("branch", "moon"),
                              ListEntryDefined("branch", "moon", "月亮馆", "Moon library")))
    assert back.known("branch", "moon") and back.entry("branch", "moon").name_zh == "月亮馆"  # type: ignore[union-attr]


def test_renaming_a_seeded_code_keeps_it_marked_as_built_in() -> None:
    lists = fold_lists(_stored(ListEntryChanged("branch", "main", "中心馆", "Central library")))
    main = lists.entry("branch", "main")
    assert main is not None and (main.name_en, main.builtin) == ("Central library", True)


def test_a_refusal_names_every_unknown_field_in_both_languages_and_the_first_code() -> None:
    with pytest.raises(Invalid) as refused:
        fold_lists([]).refuse_unknown({"branch": ("branch", "moon"),
                                       "item_type": ("item_type", "spaceship"),
                                       "category": ("reader_category", "adult")})
    error = refused.value
    assert error.code == "unknown_branch" and error.status == 422
    assert error.fields_in("zh-CN") == {"branch": ["未知的分馆“moon”"],
                                        "item_type": ["未知的文献类型“spaceship”"]}
    assert error.fields_in("en")["item_type"] == ["unknown item type 'spaceship'"]
    assert "an admin" in error.en and "系统管理" in error.zh
