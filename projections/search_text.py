"""Search normalisation shared by the index and the query side (pure functions).

Both sides go through ``fold``: NFKC (full-width to half-width), case folding, diacritics and
Hebrew/Arabic marks removed, a few letters that do not decompose spelled out, traditional
Chinese mapped to simplified. ``tokens`` then cuts folded text into index terms: words, and
for Chinese runs single characters, bigrams and pinyin (syllables, plus the full pinyin and
the initials of every run of syllables, so "zhongguo", "guoji" and "zggj" are terms of
中国国际...). The query side matches whole words (a trailing * makes a prefix) and bigrams;
exact terms keep the index lookups fast at a million titles.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc_purepy import OpenCC
from pypinyin import lazy_pinyin

# Letters NFKD leaves alone but a reader types without the stroke or ligature.
_SPELLED = str.maketrans({
    "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th",
    "ð": "d", "ŋ": "n", "ſ": "s",
})
# Quote-like marks inside a word are dropped (so צה״ל, צה"ל and צה'ל are the same word);
# Hebrew geresh/gershayim, Arabic tatweel, and typographic quotes count here.
_JOINERS = "\"'\u05f3\u05f4\u2018\u2019\u201c\u201d\u02bc\u0640.-"
_KEEP_MARKS = {"\u3099", "\u309a"}  # Japanese (han)dakuten change the letter: keep them
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_WORD = re.compile(r"[^\W_]+(?:[" + re.escape(_JOINERS) + r"]+[^\W_]+)*")
_JOIN = re.compile("[" + re.escape(_JOINERS) + "]+")

MAX_RUN = 24         # Chinese characters per run that get pinyin terms
MAX_SYLLABLES = 8    # longest pinyin word indexed as one term ("zhongguoguojiguanxi" is 6)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


# ASCII text folds by lowering alone: NFKC, the letters above, diacritics and t2s leave
# ASCII as it is (no t2s dictionary key holds an ASCII character).
_ASCII_CONTROLS = {i: " " for i in (*range(32), 127)}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Normalise text so that what a person types equals what was catalogued."""
    if text.isascii():
        return text.translate(_ASCII_CONTROLS).lower()
    # Word by word: no step below lets a space compose, case-fold or convert with its
    # neighbours (t2s splits its input at spaces too), and catalogue texts repeat words far
    # more than whole texts, so each word is normalised and converted once (cached).
    words = [w.translate(_ASCII_CONTROLS).lower() if w.isascii() else _normalised(w)
             for w in text.split(" ")]
    if any(_HAN.search(w) for w in words):  # after NFKC, which can make Han (㈠ -> (一))
        words = [w if w.isascii() else _simplified(w) for w in words]
    return " ".join(words)


@lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    # Control characters (NUL included) separate words like spaces; they are never content.
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SPELLED)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed
                   if unicodedata.category(c) != "Mn" or c in _KEEP_MARKS)
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def _simplified(word: str) -> str:
    return str(_t2s().convert(word))


def _words(folded: str) -> list[str]:
    """Words of folded text with joiners removed: 'v.3' -> 'v3', '978-7-5366' -> '9787536'."""
    return [_JOIN.sub("", m.group()) for m in _WORD.finditer(folded)]


def _split_han(word: str) -> list[tuple[bool, str]]:
    """(is_han, piece) pieces of one word, so 三体II gives 三体 and ii."""
    pieces: list[tuple[bool, str]] = []
    last = 0
    for m in _HAN.finditer(word):
        if m.start() > last:
            pieces.append((False, word[last:m.start()]))
        pieces.append((True, m.group()))
        last = m.end()
    if last < len(word):
        pieces.append((False, word[last:]))
    return pieces


@lru_cache(maxsize=65536)
def _han_terms(run: str) -> tuple[str, ...]:
    terms = list(run) + [run[i:i + 2] for i in range(len(run) - 1)]
    syllables = [s for s in lazy_pinyin(run[:MAX_RUN]) if s.isascii() and s.isalpha()]
    terms += syllables
    # Every run of up to MAX_SYLLABLES syllables, in full and as initials, is a term of its
    # own, so pinyin is matched exactly (fast in the index) wherever the word starts.
    for i in range(len(syllables)):
        for j in range(i + 2, min(len(syllables), i + MAX_SYLLABLES) + 1):
            terms.append("".join(syllables[i:j]))
            terms.append("".join(s[0] for s in syllables[i:j]))
    return tuple(terms)


def tokens(text: str | None) -> list[str]:
    """Index terms of one piece of catalogue text (unique, in first-seen order)."""
    return list(_tokens(text)) if text else []


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    # Cached: authors, publishers, classes and series recur from title to title.
    out: dict[str, None] = {}
    for word in _words(fold(text)):
        for is_han, piece in _split_han(word):
            for term in (_han_terms(piece) if is_han else (piece,)):
                out.setdefault(term, None)
    return tuple(out)


def document(*texts: str | None) -> str:
    """Space-separated unique terms of several texts (one index column)."""
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            seen.update(dict.fromkeys(_tokens(text)))
    return " ".join(seen)


def extend_document(doc: str, *texts: str | None) -> str:
    """``doc`` with the new terms of ``texts`` appended: ``extend_document(document(*a), *b)``
    equals ``document(*a, *b)``, without tokenising ``a`` again."""
    seen = dict.fromkeys(doc.split(" ")) if doc else {}
    added: list[str] = []
    for text in texts:
        for term in _tokens(text) if text else ():
            if term not in seen:
                seen[term] = None
                added.append(term)
    return " ".join([doc, *added] if doc else added)


def query_terms(q: str | None) -> list[tuple[str, bool]]:
    """(term, is_prefix) pairs that must all match: whole words (a word ending in ``*`` is
    a prefix, as in library catalogues: ``dvor*``), and Chinese as bigrams."""
    if not q:
        return []
    out: dict[tuple[str, bool], None] = {}
    folded = fold(q)
    for m in _WORD.finditer(folded):
        word, truncated = _JOIN.sub("", m.group()), folded[m.end():m.end() + 1] in ("*", "＊")
        for is_han, piece in _split_han(word):
            if not is_han:
                out.setdefault((piece, truncated), None)
            elif len(piece) == 1:
                out.setdefault((piece, False), None)
            else:
                for i in range(len(piece) - 1):
                    out.setdefault((piece[i:i + 2], False), None)
    return list(out)


def isbn_forms(isbn: str | None) -> list[str]:
    """The ISBN-13 as stored plus its ISBN-10 form when it has one (978 prefix)."""
    if not isbn:
        return []
    digits = re.sub(r"[^0-9Xx]", "", isbn).upper()
    forms = [digits]
    if len(digits) == 13 and digits.startswith("978"):
        core = digits[3:12]
        total = sum((10 - i) * int(d) for i, d in enumerate(core))
        check = (11 - total % 11) % 11
        forms.append(core + ("X" if check == 10 else str(check)))
    elif len(digits) == 10:
        core = "978" + digits[:9]
        total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core))
        forms.append(core + str((10 - total % 10) % 10))
    return forms
