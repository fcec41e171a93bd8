"""`lector rebuild --all` folds every projection in one pass over the log and swaps each in;
the result equals the read models built incrementally, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from projections.runner import catch_up, rebuild_all
from service.bootstrap import Lector
from tests.integration.test_projection_rebuild_property import run, snapshot

STEPS: list[tuple[Any, ...]] = [
    *(("register", n, f"读者{n}", "adult", "zh-CN", None, n % 2 == 0) for n in range(4)),
    *(("catalogue", n, {"title": f"书名 {n}", "clc_class": "I247.5"}) for n in range(3)),
    *(("add_copy", n, n % 3, "main", "book", 3000) for n in range(5)),
    ("preferences", 1, "en", ("email",), False, True),
    ("block", 2, "lost card"),
    ("update_title", 0, {"title": "三体"}),
]


def test_rebuilding_every_projection_in_one_pass_equals_the_incremental_read_models(
    lector: Lector,
) -> None:
    known: dict[str, list[str]] = {"readers": [], "titles": [], "copies": []}
    for step in STEPS:
        run(lector, step, known)
    for projection in lector.projections:
        catch_up(lector.engine, lector.store, projection)
    incremental = snapshot(lector.engine)
    assert any(incremental.values()), "the commands built read-model rows"
    head = lector.store.last_position()
    reached, failed = rebuild_all(lector.engine, lector.store, lector.projections, batch=7)
    assert failed == []
    assert reached == {p.name: head for p in lector.projections}
    assert snapshot(lector.engine) == incremental
