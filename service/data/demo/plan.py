"""A deterministic year of circulation for the demo library, as planned actions in time order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from service.data.demo.actions import PlannedAction, SubmitFeedback, SuggestPurchase
from service.data.demo.calendar_cn import is_closed, local_instant
from service.data.demo.catalogue_gen import Catalogue
from service.data.demo.clc_classes import NON_FICTION
from service.data.demo.english_titles import load_english_titles
from service.data.demo.isbn import make_isbn13
from service.data.demo.names import chinese_name
from service.data.demo.plan_demand import (
    CATEGORY_RATE,
    TITLES_PER_VISIT,
    ReaderPicker,
    TitlePicker,
    day_factor,
    minute_of_visit,
    poisson,
)
from service.data.demo.plan_policy import DEMO_POLICY, DemoPolicy
from service.data.demo.plan_sim import Simulation
from service.data.demo.readers_gen import ReaderSpec
from service.data.demo.texts import FEEDBACK, SUGGESTION_REASONS

# Share of wished-for titles that end in a checkout (some are out, some already on loan);
# measured on the default demo and used only to size the daily visits to target_loans.
EXPECTED_SUCCESS = 0.81
FEEDBACK_PER_DAY = 3 / 7
SUGGESTIONS_PER_DAY = 1.5 / 7
SUGGESTION_ISBN_PREFIX = "9787229"  # 重庆出版社; serials far above the catalogue's


def generate_year_plan(
    rng: random.Random,
    catalogue: Catalogue,
    readers: list[ReaderSpec],
    start: date,
    days: int = 365,
    target_loans: int = 15000,
    policy: DemoPolicy = DEMO_POLICY,
) -> Iterator[PlannedAction]:
    """Yield the actions of `days` days from `start` (Shanghai dates), in time order."""
    sim = Simulation(rng, catalogue, readers, policy)
    titles = TitlePicker(catalogue)
    people = ReaderPicker(rng, readers)
    counts = {c: len(people.by_category[c][0]) for c in CATEGORY_RATE}
    span = [start + timedelta(days=i) for i in range(days)]
    weight = sum(
        counts[c] * CATEGORY_RATE[c] * day_factor(c, d)
        for d in span
        if not is_closed(d)
        for c in CATEGORY_RATE
    )
    mean_titles = sum(TITLES_PER_VISIT) / len(TITLES_PER_VISIT)
    per_weight = target_loans / (weight * mean_titles * EXPECTED_SUCCESS) if weight else 0.0
    extras = _Extras(catalogue)
    for day in span:
        if not is_closed(day):
            for category, n in counts.items():
                lam = per_weight * n * CATEGORY_RATE[category] * day_factor(category, day)
                for _ in range(poisson(rng, lam)):
                    reader = people.pick(rng, category)
                    if reader is None:
                        continue
                    _plan_visit(rng, sim, titles, reader, day, catalogue.branches)
            extras.plan_day(rng, sim, people, day)
        end_of_day = local_instant(day + timedelta(days=1), -9 * 60)  # next local midnight
        yield from sim.run_until(end_of_day)


def _plan_visit(
    rng: random.Random,
    sim: Simulation,
    titles: TitlePicker,
    reader: ReaderSpec,
    day: date,
    branches: tuple[str, ...],
) -> None:
    # Readers mostly use their home branch; the wishes of one visit are 40 s apart at the desk.
    branch = reader.branch if rng.random() < 0.85 or len(branches) < 2 else rng.choice(branches)
    at = local_instant(day, minute_of_visit(rng, reader.category, day))
    for k in range(rng.choice(TITLES_PER_VISIT)):
        wish = titles.pick(rng, reader)
        sim.schedule(at + timedelta(seconds=40 * k), "attempt", reader.card_number, branch, wish)


class _Extras:
    """Feedback and purchase suggestions: a few a week, in the reader's language."""

    def __init__(self, catalogue: Catalogue) -> None:
        held = {t.isbn13 for t in catalogue.titles}
        self.english = [t for t in load_english_titles() if t.isbn13 not in held]
        self.serial = 90000

    def plan_day(self, rng: random.Random, sim: Simulation, people: ReaderPicker, day: date) -> None:
        """Schedule today's feedback and suggestions."""
        for _ in range(poisson(rng, FEEDBACK_PER_DAY)):
            reader = self._someone(rng, people)
            category = rng.choice(sorted(FEEDBACK))
            zh, en, low, high = rng.choice(FEEDBACK[category])
            english = reader.language == "en"
            at = local_instant(day, minute_of_visit(rng, reader.category, day))
            action: PlannedAction = SubmitFeedback(
                at,
                reader.card_number,
                category,
                en if english else zh,
                rng.randint(low, high),
                reader.language,
            )
            sim.schedule(at, "emit", action)
        for _ in range(poisson(rng, SUGGESTIONS_PER_DAY)):
            suggestion: SuggestPurchase
            reader = self._someone(rng, people)
            at = local_instant(day, minute_of_visit(rng, reader.category, day))
            zh_reason, en_reason = rng.choice(SUGGESTION_REASONS)
            if reader.language == "en" and self.english:
                book = rng.choice(self.english)
                suggestion = SuggestPurchase(
                    at, reader.card_number, book.title, book.authors[0], book.isbn13, en_reason
                )
            else:
                vocab = rng.choice(NON_FICTION)
                self.serial += rng.randint(1, 9)
                suggestion = SuggestPurchase(
                    at,
                    reader.card_number,
                    rng.choice(vocab.topics) + rng.choice(vocab.forms),
                    chinese_name(rng)[0],
                    make_isbn13(SUGGESTION_ISBN_PREFIX, self.serial),
                    zh_reason,
                )
            sim.schedule(at, "emit", suggestion)

    @staticmethod
    def _someone(rng: random.Random, people: ReaderPicker) -> ReaderSpec:
        categories = [c for c in CATEGORY_RATE if people.by_category[c][0]]
        reader = people.pick(rng, rng.choice(categories))
        assert reader is not None  # categories were filtered to non-empty ones
        return reader
