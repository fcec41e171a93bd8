"""Copies for the demo catalogue: more for popular titles, spread across branches."""

from __future__ import annotations

import random

from service.data.demo.specs import CopySpec, TitleSpec

# Demand falls with popularity rank as rank**-DEMAND_EXPONENT (Zipf); the plan draws loans
# with it and the catalogue buys copies with it. 0.45 sits inside the real head exponents
# fitted on Toulouse's top-500 lists (0.23-0.57, docs/demo.md).
DEMAND_EXPONENT = 0.45
# Copies follow demand less than proportionally, so the most wanted titles queue up.
COPY_DEMAND_POWER = 0.7


def copies_per_title(n_titles: int, n_copies: int) -> list[int]:
    """Copies for each popularity rank: one each, the rest following damped Zipf demand."""
    weights = [r ** -(DEMAND_EXPONENT * COPY_DEMAND_POWER) for r in range(1, n_titles + 1)]
    extra = n_copies - n_titles
    raw = [extra * w / sum(weights) for w in weights]
    counts = [1 + int(x) for x in raw]
    # Largest remainders take the copies lost to rounding down, so the total is exact.
    by_remainder = sorted(range(n_titles), key=lambda i: (int(raw[i]) - raw[i], i))
    for i in by_remainder[: n_copies - sum(counts)]:
        counts[i] += 1
    return counts


def buy_copies(
    rng: random.Random,
    titles: list[TitleSpec],
    popularity: list[str],
    types: dict[str, str],
    n_copies: int,
    branches: tuple[str, ...],
) -> list[CopySpec]:
    """Copies for every title, spread over the branches, with shelf marks and prices."""
    counts = dict(zip(popularity, copies_per_title(len(titles), n_copies), strict=True))
    call_numbers: dict[str, int] = {}
    copies: list[CopySpec] = []
    for index, title in enumerate(titles):
        call_numbers[title.clc_class] = call_numbers.get(title.clc_class, 0) + 1
        shelf_mark = f"{title.clc_class}/{call_numbers[title.clc_class]}"
        yuan = rng.randint(20, 128) if title.language == "chi" else rng.randint(80, 200)
        price = yuan * 100 + rng.choice((0, 0, 50, 80))
        for k in range(counts[title.title_id]):
            copies.append(
                CopySpec(
                    f"3{len(copies) + 1:09d}",
                    title.title_id,
                    branches[(index + k) % len(branches)],
                    types[title.title_id],
                    shelf_mark,
                    price,
                )
            )
    return copies
