"""A desk command is one unit of work: one pooled connection and one transaction (issue 17).

Counts what the engine does during one checkout and one check-in, with SQLAlchemy event
listeners, on each back end. Before the unit of work a checkout took four connections and
three transactions on PostgreSQL (bench/round_trips.py prints the full counts).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

from service.application import commands as c
from service.application.context import SYSTEM, Actor, Principal
from service.application.handlers import handle
from service.bootstrap import bootstrap
from service.config import Config

DESK = Actor(Principal("staff", "desk", "desk"), "desk")
ADMIN = Actor(SYSTEM, "worker")


def test_a_checkout_and_a_checkin_each_use_one_connection_and_one_transaction(
    database_url: str, tmp_path: Path,
) -> None:
    lector = bootstrap(Config(database_url=database_url, secret_key="t", instance_dir=tmp_path),
                       after_commit=lambda position: None)
    ports = lector.ports
    handle(ports, ADMIN, c.CatalogueTitle(title="Round trips", title_id="t1"))
    for barcode in ("B0", "B1"):
        handle(ports, ADMIN, c.AddCopy(barcode, "t1", "main", "book"))
    handle(ports, ADMIN, c.RegisterReader(card_number="C1", name="Reader", category="adult",
                                          reader_id="r1"))
    handle(ports, DESK, c.CheckOut("C1", "B0"), "warm")  # the desk has seen this card before
    seen: Counter[str] = Counter()

    def count(what: str) -> Any:
        return lambda *args: seen.update([what])

    event.listen(lector.engine, "before_cursor_execute", count("statements"))
    event.listen(lector.engine, "commit", count("commits"))
    event.listen(lector.engine.pool, "checkout", count("connections"))
    try:
        lent = handle(ports, DESK, c.CheckOut("C1", "B1"), "lend")
        lending = Counter(seen)
        seen.clear()
        handle(ports, DESK, c.CheckIn("B1"), "return")
        returning = Counter(seen)
    finally:
        lector.dispose()
    assert lent.result["reader_id"] == "r1"
    assert (lending["connections"], lending["commits"]) == (1, 1)
    assert (returning["connections"], returning["commits"]) == (1, 1)
    # A check-in pins every stream it read (the title's hold queue and the configuration
    # included), so its append takes the store's locked path: a lock and a version read more.
    assert lending["statements"] <= 12 and returning["statements"] <= 14
