"""Search folding: what a person types and what was catalogued become the same terms."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from projections import search_text
from projections.search_text import (
    document,
    extend_document,
    fold,
    isbn_forms,
    query_terms,
    tokens,
)


def test_folding_removes_case_width_accents_and_marks_but_keeps_japanese_voicing() -> None:
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold(unicodedata.normalize("NFD", "Dvořák")) == fold("Dvořák") == "dvorak"
    assert fold("Straße Łódź Ørsted Æsir") == "strasse lodz orsted aesir"
    assert fold("كِتَابٌ") == "كتاب"  # Arabic harakat
    assert fold("שָׁלוֹם") == "שלום"  # Hebrew points
    assert fold("がっこう") == "がっこう"  # dakuten change the letter: kept
    assert fold("中國國際") == "中国国际"


def test_quote_marks_dots_and_hyphens_inside_a_word_join_it() -> None:
    assert tokens("צה״ל") == tokens('צה"ל') == tokens("צה'ל") == ["צהל"]
    assert tokens("v.3 2024 no.5") == ["v3", "2024", "no5"]
    assert tokens("978-7-04-016528-9") == ["9787040165289"]


def test_chinese_gets_characters_bigrams_and_pinyin_runs_in_full_and_as_initials() -> None:
    terms = set(tokens("中国国际"))
    assert {"中", "中国", "国际", "zhong", "zhongguo", "guoji", "zggj", "gj"} <= terms
    assert "z" not in terms  # a single initial would match almost everything


def test_query_terms_are_whole_words_unless_starred_and_chinese_bigrams() -> None:
    assert query_terms("Dvořák symph* 中國國際") == [
        ("dvorak", False), ("symph", True), ("中国", False), ("国国", False), ("国际", False)]
    assert query_terms("!!!") == []


def test_isbn_13_is_indexed_with_its_isbn_10_form() -> None:
    assert isbn_forms("9787040165289") == ["9787040165289", "7040165287"]
    assert isbn_forms("7-04-016528-7") == ["7040165287", "9787040165289"]
    assert isbn_forms("9791234567896") == ["9791234567896"]  # 979 has no ISBN-10


def test_a_document_lists_each_term_once() -> None:
    assert document("Symphony symphony", "SYMPHONY no. 9") == "symphony no 9"


def test_extending_a_document_with_more_texts_equals_the_document_of_all_of_them() -> None:
    first = ("三体 II", "I247.55", "978-7-5366-9293-0", "Liu Cixin")
    later = ("I247.55/L74", "v.2", "2008 中国", "三体")
    for split in range(len(first) + 1):
        head, tail = first[:split], first[split:] + later
        assert extend_document(document(*head), *tail) == document(*first, *later)
    assert extend_document("", None, "") == ""
    assert extend_document(document("a b"), "b a") == "a b"


def _fold_whole_text(text: str) -> str:
    """The fold as it was before it went word by word: every step on the whole text."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    text = unicodedata.normalize("NFKC", text).casefold().translate(search_text._SPELLED)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed
                   if unicodedata.category(c) != "Mn" or c in search_text._KEEP_MARKS)
    text = unicodedata.normalize("NFC", text)
    if search_text._HAN.search(text):
        text = str(search_text._t2s().convert(text))
    return text


# Spaces of every kind, compatibility forms that turn into spaces or Han (㈠, U+00A8),
# combining marks at word starts, controls, ligatures, traditional phrases, 𰻞 (a t2s key
# outside the Han ranges), Greek sigma and Turkish dotted I.
TRICKY = ("書名 三體II：黑暗森林 ㈠㈡\u3000\u00a0\u00a8\u0301e\u0308ǄßﬁⅫ①\t\x00\x7f éøŋ"
          "𰻞乾隆頭髮発゛がﾊﾟＡｂ中國國際關係ΣΑΣİı-.'")


@settings(max_examples=400, derandomize=True)
@given(st.text(alphabet=TRICKY + "abc 12", max_size=16))
@example("𰻞 書")  # a word converted because another word of the text is Han
@example("㈠ 國")  # Han made by NFKC
def test_folding_word_by_word_equals_folding_the_whole_text(text: str) -> None:
    assert fold(text) == _fold_whole_text(text)
