"""Deterministic demo readers: mostly Chinese, several categories, example.com addresses."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

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
    return readers
