"""Count the database round trips of one desk checkout and one checkin (issue 17).

    python -m bench.round_trips postgresql+psycopg://postgres@127.0.0.1:5432/some_fresh_db
    python -m bench.round_trips sqlite:////tmp/some.db

The database must be migrated and empty. Counts statements the driver executes (each one a
round trip), transactions committed and pool checkouts, with SQLAlchemy event listeners.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

from service.application.catalogue import AddCopy, CatalogueTitle
from service.application.commands import CheckIn, CheckOut
from service.application.context import SYSTEM, Actor, Principal
from service.application.handlers import handle
from service.application.readers import RegisterReader
from service.bootstrap import bootstrap
from service.config import Config


def measure(url: str) -> dict[str, Counter[str]]:
    lector = bootstrap(Config(database_url=url, secret_key="bench", instance_dir=Path("/tmp")),
                       after_commit=lambda position: None)
    admin, desk = Actor(SYSTEM, "worker"), Actor(Principal("staff", "desk", "desk"), "desk")
    ports = lector.ports
    handle(ports, admin, CatalogueTitle(title="Bench", title_id="t-bench"))
    for n in range(3):
        handle(ports, admin, AddCopy(f"B{n}", "t-bench", "main", "book", None, 1000))
    handle(ports, admin, RegisterReader(card_number="C1", name="Bench Reader", category="adult",
                                        reader_id="r-bench"))
    # Warm the per-process caches (card -> reader, barcode -> title) as a running desk has.
    handle(ports, desk, CheckOut("C1", "B0", "main"), "warm-0")
    handle(ports, desk, CheckIn("B0", "main"), "warm-1")
    counts: Counter[str] = Counter()

    def on_execute(*_args: Any) -> None:
        counts["statements"] += 1

    def on_commit(*_args: Any) -> None:
        counts["commits"] += 1

    def on_checkout(*_args: Any) -> None:
        counts["connections"] += 1

    result: dict[str, Counter[str]] = {}
    event.listen(lector.engine, "before_cursor_execute", on_execute)
    event.listen(lector.engine, "commit", on_commit)
    event.listen(lector.engine.pool, "checkout", on_checkout)
    for name, command in (("checkout", CheckOut("C1", "B1", "main")),
                          ("checkin", CheckIn("B1", "main"))):
        counts.clear()
        handle(ports, desk, command, f"measure-{name}")
        result[name] = Counter(counts)
    lector.dispose()
    return result


if __name__ == "__main__":
    for what, seen in measure(sys.argv[1]).items():
        print(what, dict(seen))
