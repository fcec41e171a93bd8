"""Deterministic demo readers: mostly Chinese, several categories, example.com addresses."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace

from service.data.demo.names import chinese_name, english_name

CATEGORY_WEIGHTS = {"adult": 45, "student": 30, "child": 15, "senior": 10}
MOBILE_PREFIXES = ("133", "135", "136", "138", "139", "150", "152", "158", "177", "186", "188")


@dataclass(frozen=True)
class ReaderSpec:
    """One registered reader."""

    reader_id: str
    card_number: str
    name: str
    category: str  # 'adult' | 'student' | 'child' | 'senior'
    phone: str
    email: str  # always @example.com: the demo must never mail a real person
    language: str  # 'zh-CN' | 'en'
    keep_history: bool
    pin: str
    branch: str
    # Main CLC classes this reader leans to (their own seeded draw, so adding tastes left
    # the rest of the generated library as it was); their favourite authors come from these.
    tastes: tuple[str, ...] = ()


# How often each main class is someone's taste: literature first, as in public libraries.
TASTE_WEIGHTS = {"I": 30, "K": 10, "B": 6, "F": 6, "G": 6, "H": 6, "J": 5, "T": 8, "O": 4,
                 "R": 5, "D": 4, "Q": 3, "Z": 3, "E": 2, "N": 2}


def tastes_of(reader_id: str, category: str) -> tuple[str, ...]:
    """Two or three main classes a reader keeps coming back to (children: literature and
    popular science first)."""
    rng = random.Random(f"taste:{reader_id}")
    weights = dict(TASTE_WEIGHTS)
    if category == "child":
        weights.update({"I": 40, "Z": 15, "N": 10, "Q": 8})
    elif category == "student":
        weights.update({"G": 15, "H": 15, "O": 10, "T": 12})
    classes, chosen = list(weights), list[str]()
    while len(chosen) < rng.choice((2, 2, 3)):
        pick = rng.choices(classes, [weights[c] for c in classes])[0]
        if pick not in chosen:
            chosen.append(pick)
    return tuple(chosen)


def generate_readers(
    rng: random.Random, n: int = 500, branches: tuple[str, ...] = ("main", "east")
) -> list[ReaderSpec]:
    """Build n deterministic readers; card numbers are 'R' + 8 digits in order."""
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    readers: list[ReaderSpec] = []
    for i in range(1, n + 1):
        english = rng.random() < 0.08
        if english:
            name = english_name(rng)
            handle = name.lower().replace(" ", ".")
        else:
            name, handle = chinese_name(rng)
        readers.append(
            ReaderSpec(
                reader_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                card_number=f"R{20250000 + i:08d}",
                name=name,
                category=rng.choices(categories, weights)[0],
                phone=rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                email=f"{handle}{i:03d}@example.com",
                language="en" if english else "zh-CN",
                keep_history=rng.random() < 0.8,
                pin=f"{rng.randrange(10**6):06d}",
                branch=branches[0] if rng.random() < 0.6 else rng.choice(branches[1:] or branches),
            )
        )
    return [replace(r, tastes=tastes_of(r.reader_id, r.category)) for r in readers]
