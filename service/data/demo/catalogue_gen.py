"""Deterministic demo catalogue: 1,000 Chinese and English titles and their copies."""

from __future__ import annotations

import random
import uuid

from service.data.demo.clc_classes import NON_FICTION, TOP_LEVEL, ClassVocab
from service.data.demo.copies_gen import DEMAND_EXPONENT, buy_copies
from service.data.demo.english_titles import load_english_titles
from service.data.demo.isbn import make_isbn13
from service.data.demo.names import (
    EN_PUBLISHERS,
    FOREIGN_AUTHORS,
    chinese_name,
    fiction_title,
    publishers_for,
)
from service.data.demo.specs import Catalogue, CopySpec, TitleSpec

CHINESE_SHARE = 0.7
# Fiction classes: (code, subject heading, title kind).
FICTION: tuple[tuple[str, str, str], ...] = (
    ("I247.5", "长篇小说—中国—当代", "novel"),
    ("I247.5", "科学幻想小说—中国—当代", "scifi"),
    ("I247.7", "中篇小说—中国—当代", "novel"),
    ("I227", "新诗—诗集—中国—当代", "poetry"),
    ("I266", "散文集—中国—当代", "essay"),
    ("I287.5", "儿童小说—中国—当代", "kids"),
    ("I287.8", "图画故事—中国—当代", "kids"),
    ("I313.45", "长篇小说—日本—现代", "novel"),
    ("I561.45", "长篇小说—英国—现代", "novel"),
    ("I712.45", "长篇小说—美国—现代", "novel"),
    ("I565.45", "长篇小说—法国—现代", "novel"),
    ("I512.45", "长篇小说—俄罗斯—现代", "novel"),
)
FICTION_SHARE = 0.35  # of the Chinese titles; fiction is what public libraries lend most
AV_CLASSES = {"H31": " [录音制品]", "J6": " [录音制品]", "J9": " [录像制品]"}
PERIODICAL_CLASSES = {"N49", "Z228.1", "G62"}  # bound annual volumes (合订本) have ISBNs
APPEAL = {"I": 3.0, "TP": 2.0, "K2": 2.0, "B84": 2.0, "N49": 2.0, "Z228": 2.0, "G6": 1.5}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _chinese_plan(rng: random.Random, n: int) -> list[tuple[str, str, str | None, ClassVocab | None]]:
    """(code, subject, fiction kind, vocab) per Chinese title: every top class at least once."""
    by_top: dict[str, list[ClassVocab]] = {}
    for v in NON_FICTION:
        by_top.setdefault(v.code[0], []).append(v)
    plan: list[tuple[str, str, str | None, ClassVocab | None]] = []
    for top in TOP_LEVEL:
        if top == "I":
            code, subject, kind = FICTION[0]
            plan.append((code, subject, kind, None))
        else:
            v = rng.choice(by_top[top])
            plan.append((v.code, v.subject, None, v))
    while len(plan) < n:
        if rng.random() < FICTION_SHARE:
            code, subject, kind = rng.choice(FICTION)
            plan.append((code, subject, kind, None))
        else:
            v = rng.choice(NON_FICTION)
            plan.append((v.code, v.subject, None, v))
    return plan[:n]


def _chinese_title(rng: random.Random, kind: str | None, vocab: ClassVocab | None) -> str:
    if vocab is None:
        return fiction_title(rng, kind or "novel")
    title = rng.choice(vocab.topics) + rng.choice(vocab.forms)
    return title + (f"（第{rng.randint(2, 5)}版）" if rng.random() < 0.1 else "")


def _item_type(rng: random.Random, code: str) -> str:
    if code in AV_CLASSES and rng.random() < 0.3:
        return "av"
    if code in PERIODICAL_CLASSES and rng.random() < 0.25:
        return "periodical"
    return "book"


def _appeal(code: str, language: str) -> float:
    weight = max((w for prefix, w in APPEAL.items() if code.startswith(prefix)), default=1.0)
    return weight * (0.4 if language == "eng" else 1.0)


def generate_catalogue(
    rng: random.Random,
    n_titles: int = 1000,
    n_copies: int = 3000,
    branches: tuple[str, ...] = ("main", "east"),
) -> Catalogue:
    """Build a deterministic catalogue; same rng state gives the same catalogue."""
    if n_copies < n_titles:
        raise ValueError("every title needs at least one copy")
    n_zh = round(n_titles * CHINESE_SHARE)
    titles: list[TitleSpec] = []
    types: dict[str, str] = {}
    used_titles: set[str] = set()
    serials: dict[str, int] = {}
    for code, subject, kind, vocab in _chinese_plan(rng, n_zh):
        text = _chinese_title(rng, kind, vocab)
        for _ in range(20):
            if text not in used_titles:
                break
            text = _chinese_title(rng, kind, vocab)
        else:
            text = f"{text}（{len(used_titles)}）"
        item_type = _item_type(rng, code)
        if item_type == "av":
            text += AV_CLASSES[code]
        elif item_type == "periodical":
            text += f"（{rng.randint(2015, 2024)}年合订本）"
        used_titles.add(text)
        publisher, prefix = rng.choice(publishers_for(code))
        serials[prefix] = serials.get(prefix, 0) + rng.randint(1, 40)
        authors: tuple[str, ...]
        if code in FOREIGN_AUTHORS:
            authors = (rng.choice(FOREIGN_AUTHORS[code]), chinese_name(rng)[0])
        else:
            authors = tuple(chinese_name(rng)[0] for _ in range(rng.choice((1, 1, 1, 2))))
        title = TitleSpec(
            _uuid(rng),
            text,
            authors,
            make_isbn13(prefix, serials[prefix]),
            publisher,
            rng.randint(2005, 2024),
            "chi",
            code,
            (subject,),
        )
        titles.append(title)
        types[title.title_id] = item_type
    for book in rng.sample(load_english_titles(), n_titles - n_zh):
        code = rng.choice(("I712.45", "I712.45", "I561.45"))
        subject = "American fiction" if code.startswith("I712") else "English fiction"
        title = TitleSpec(
            _uuid(rng),
            book.title,
            book.authors,
            book.isbn13,
            rng.choice(EN_PUBLISHERS),
            rng.randint(max(2000, min(book.year, 2024)), 2024),
            "eng",
            code,
            (subject,),
        )
        titles.append(title)
        types[title.title_id] = "book"
    popularity = _rank_by_appeal(rng, titles)
    copies = buy_copies(rng, titles, popularity, types, n_copies, branches)
    return Catalogue(tuple(titles), tuple(copies), tuple(branches), tuple(popularity))


def _rank_by_appeal(rng: random.Random, titles: list[TitleSpec]) -> list[str]:
    # Weighted random permutation (Efraimidis-Spirakis): fiction tends to rank high.
    keyed = [(rng.random() ** (1.0 / _appeal(t.clc_class, t.language)), t.title_id) for t in titles]
    return [tid for _, tid in sorted(keyed, reverse=True)]


__all__ = ["DEMAND_EXPONENT", "Catalogue", "CopySpec", "TitleSpec", "generate_catalogue"]
