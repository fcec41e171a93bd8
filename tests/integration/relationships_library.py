"""A small deterministic library with a long past: readers who borrow at their own pace, and
some who drift away, run through the real command handlers (for segments and lapse risk)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from events.memory_store import MemoryEventStore
from events.transfer import copy_log
from projections.runner import catch_up_together
from service.application import catalogue, circulation, readers
from service.application.context import SYSTEM, Actor
from service.application.unit_of_work import memory_units
from service.bootstrap import Lector, bootstrap
from service.config import Config
from service.domain.errors import DomainError

START = date(2025, 1, 1)
CLASSES = ("I247.5", "K825", "TP311", "O13", "G624", "H31")
ADMIN = Actor(SYSTEM, "worker")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class SmallLibrary:
    lector: Lector
    clock: Clock
    cards: dict[str, str] = field(default_factory=dict)  # card -> reader id
    keeps: dict[str, bool] = field(default_factory=dict)

    def at(self, day: date, hour: int = 3) -> datetime:  # 11:00 in Shanghai
        return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)


def build_small_library(config: Config, n_readers: int = 30, days: int = 420,
                        seed: int = 5) -> SmallLibrary:
    """Readers R001.. (every fifth keeps no history); loans returned after two weeks."""
    clock = Clock(datetime.combine(START - timedelta(days=1), datetime.min.time(), UTC))
    lector = bootstrap(config, after_commit=lambda position: None, clock=clock)
    memory = MemoryEventStore()
    # Written through the in-memory unit of work, then copied into the database at once.
    ports = replace(lector.ports, store=memory, uow=memory_units(memory, lector.engine))
    lib = SmallLibrary(lector, clock)
    barcodes = []
    for t, clc in enumerate(CLASSES):
        title_id = f"t{t}"
        catalogue.catalogue_title(ports, ADMIN, catalogue.CatalogueTitle(
            title=f"书{t}", clc_class=clc, title_id=title_id), None)
        for c in range(12):
            barcode = f"B{t}{c:02d}"
            catalogue.add_copy(ports, ADMIN, catalogue.AddCopy(barcode, title_id, "main"), None)
            barcodes.append(barcode)
    rng = random.Random(seed)
    plans = []
    for i in range(1, n_readers + 1):
        card = f"R{i:03d}"
        keep = i % 5 != 0
        out = readers.register_reader(ports, ADMIN, readers.RegisterReader(
            card_number=card, name=f"读者{i}", category=rng.choice(["adult", "student"]),
            keep_history=keep, expires_on=START + timedelta(days=1000)), None)
        lib.cards[card], lib.keeps[card] = str(out.result["reader_id"]), keep
        stop = rng.randrange(60, days) if rng.random() < 0.4 else days
        plans.append((card, rng.choice((0.03, 0.06, 0.12)), stop,
                      rng.sample(barcodes, len(barcodes))))
    out_loans: list[tuple[date, str]] = []
    free = set(barcodes)
    for d in range(days):
        day = START + timedelta(days=d)
        clock.now = lib.at(day)
        for back_on, barcode in [x for x in out_loans if x[0] == day]:
            circulation.check_in(ports, ADMIN, barcode, "main", None)
            out_loans.remove((back_on, barcode))
            free.add(barcode)
        for card, rate, stop, wishes in plans:
            if d < stop and rng.random() < rate:
                barcode = next((b for b in wishes[d % 7::7] if b in free), None)
                if barcode is None:
                    continue
                try:
                    circulation.check_out(ports, ADMIN, card, barcode, "main", None)
                except DomainError:
                    continue
                free.discard(barcode)
                out_loans.append((day + timedelta(days=14), barcode))
    copy_log(memory, lector.engine)
    catch_up_together(lector.engine, lector.store, lector.projections, batch=5000)
    return lib


def fold(lib: SmallLibrary) -> None:
    """Fold what commands appended since (the library runs with after-commit off)."""
    catch_up_together(lib.lector.engine, lib.lector.store, lib.lector.projections)


def race_two_schedulers(lib: SmallLibrary, run: Callable[[Any], Any]) -> list[Any]:
    """Run the same nightly command from two schedulers at once, each with its own Lector
    (connections, caches), released together by a barrier; returns both outcomes' results."""
    barrier, outcomes = threading.Barrier(2), []

    def scheduler() -> None:
        mine = bootstrap(lib.lector.config, after_commit=lambda position: None, clock=lib.clock)
        try:
            barrier.wait()
            outcomes.append(run(mine.ports).result)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
