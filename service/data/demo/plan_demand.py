"""Who comes to the library when, and what they ask for: season, weekday, Zipf popularity."""

from __future__ import annotations

import itertools
import math
import random
from datetime import date

from service.data.demo.calendar_cn import is_exam_time, is_public_holiday, is_school_holiday
from service.data.demo.catalogue_gen import DEMAND_EXPONENT, Catalogue
from service.data.demo.readers_gen import ReaderSpec

# Relative borrowing per reader on an ordinary weekday, by category.
CATEGORY_RATE = {"adult": 1.0, "student": 1.15, "child": 1.3, "senior": 0.9}
TITLES_PER_VISIT = (1, 1, 1, 2, 2, 3, 4)
KIDS_CLASSES = ("I287", "Z228", "N49", "G62", "Q95")
STUDY_CLASSES = ("G63", "H", "O", "TP", "K2")


def day_factor(category: str, day: date) -> float:
    """How busy a reader of `category` is on `day` relative to an ordinary term weekday."""
    factor = 1.7 if day.weekday() >= 5 or is_public_holiday(day) else 1.0
    young = category in ("student", "child")
    if young and is_school_holiday(day):
        factor *= 2.0 if category == "student" else 2.3
    elif young and is_exam_time(day):
        factor *= 0.4  # end-of-term exams, 中考 and 高考: pupils all but stop borrowing
    if not young and is_school_holiday(day):
        # adults travel home for Spring Festival; in summer, families and the heat (air
        # conditioned reading rooms) bring them in
        factor *= 0.85 if day.month in (1, 2) else 1.15
    return factor


def minute_of_visit(rng: random.Random, category: str, day: date) -> int:
    """Minutes after 9:00 opening (0..659): term-time pupils come after school."""
    weekend = day.weekday() >= 5 or is_public_holiday(day) or is_school_holiday(day)
    if category in ("student", "child") and not weekend:
        return int(rng.triangular(420, 659, 540))  # 16:00-20:00
    if category == "senior":
        return int(rng.triangular(0, 480, 90))  # mornings
    return int(rng.triangular(0, 659, 360))


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method for small means, normal approximation above 30)."""
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class TitlePicker:
    """Draws titles by Zipf demand; children, pupils and English readers lean to their shelves."""

    def __init__(self, catalogue: Catalogue) -> None:
        by_id = {t.title_id: t for t in catalogue.titles}
        ranked = list(catalogue.popularity)
        self._all = self._zipf(ranked)
        self._kids = self._zipf([t for t in ranked if by_id[t].clc_class.startswith(KIDS_CLASSES)])
        self._study = self._zipf([t for t in ranked if by_id[t].clc_class.startswith(STUDY_CLASSES)])
        self._english = self._zipf([t for t in ranked if by_id[t].language == "eng"])

    @staticmethod
    def _zipf(ranked: list[str]) -> tuple[list[str], list[float]]:
        weights = [r**-DEMAND_EXPONENT for r in range(1, len(ranked) + 1)]
        return ranked, list(itertools.accumulate(weights))

    def pick(self, rng: random.Random, reader: ReaderSpec) -> str:
        """One title the reader would like to borrow now."""
        pool = self._all
        roll = rng.random()
        if reader.language == "en" and roll < 0.6:
            pool = self._english
        elif reader.category == "child" and roll < 0.35:
            pool = self._kids
        elif reader.category == "student" and roll < 0.3:
            pool = self._study
        titles, cum = pool if pool[0] else self._all
        return rng.choices(titles, cum_weights=cum)[0]


class ReaderPicker:
    """Draws readers of a category, some far keener than others (log-normal activity)."""

    def __init__(self, rng: random.Random, readers: list[ReaderSpec]) -> None:
        self.by_category: dict[str, tuple[list[ReaderSpec], list[float]]] = {}
        for category in CATEGORY_RATE:
            members = [r for r in readers if r.category == category]
            weights = [rng.lognormvariate(0.0, 0.5) for _ in members]
            self.by_category[category] = (members, list(itertools.accumulate(weights)))

    def pick(self, rng: random.Random, category: str) -> ReaderSpec | None:
        """A reader of the category, or None when it has no members."""
        members, cum = self.by_category[category]
        return rng.choices(members, cum_weights=cum)[0] if members else None
