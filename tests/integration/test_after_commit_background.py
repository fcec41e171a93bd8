"""With LECTOR_AFTER_COMMIT=background (gunicorn's embedded default) the catch-up still folds
every command: the answer comes first, the projections follow on the process's thread."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select

from events.sqlalchemy_store import SqlEventStore
from projections.current_loans import list_loans
from projections.schema import checkpoints
from service.adapters.dispatch import InBackground
from service.application import commands as c
from service.application.context import SYSTEM, Actor, Principal
from service.application.handlers import handle
from service.bootstrap import bootstrap
from service.config import Config

DESK = Actor(Principal("staff", "desk", "desk"), "desk")
ADMIN = Actor(SYSTEM, "worker")


def test_desks_in_several_threads_leave_every_projection_at_the_head(
    database_url: str, tmp_path: Path,
) -> None:
    lector = bootstrap(Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                              after_commit="background"))
    ports = lector.ports
    assert isinstance(ports.after_commit, InBackground)
    try:
        handle(ports, ADMIN, c.CatalogueTitle(title="Background", title_id="t1"))
        for n in range(4):
            handle(ports, ADMIN, c.AddCopy(f"B{n}", "t1", "main", "book"))
            handle(ports, ADMIN, c.RegisterReader(card_number=f"C{n}", name=f"Reader {n}",
                                                  category="adult", reader_id=f"r{n}"))

        def desk(n: int) -> None:
            for turn in range(3):
                handle(ports, DESK, c.CheckOut(f"C{n}", f"B{n}"), f"out-{n}-{turn}")
                handle(ports, DESK, c.CheckIn(f"B{n}"), f"in-{n}-{turn}")
            handle(ports, DESK, c.CheckOut(f"C{n}", f"B{n}"), f"out-{n}-last")

        threads = [threading.Thread(target=desk, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert ports.after_commit.drain(60)
        with lector.engine.connect() as conn:
            head = SqlEventStore(lector.engine).safe_position(conn)
            behind = {name: position for name, position in conn.execute(
                select(checkpoints.c.name, checkpoints.c.position)) if position < head}
            loans = list_loans(conn)
        assert behind == {}
        assert sorted(loan["barcode"] for loan in loans) == ["B0", "B1", "B2", "B3"]
    finally:
        lector.dispose()
