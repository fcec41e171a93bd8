"""Invariant 6: every projection, built incrementally in random chunks, equals its rebuild."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Table, select

from projections.registry import all_projections
from projections.runner import catch_up, catch_up_batch, checkpoint, rebuild
from service.application import catalogue, readers
from service.application.context import Actor, Principal
from service.bootstrap import Lector, bootstrap
from service.config import DEFAULT_TIMEZONE, Config
from service.domain.errors import DomainError
from tests.databases import SqliteFactory

ACTOR = Actor(Principal("staff", "property", "admin"), "api")
CARDS = st.integers(0, 9)  # a small pool, so some registrations collide
TITLES = st.integers(0, 5)
BARCODES = st.integers(0, 9)
WORDS = st.text(alphabet="三体李华王明刘慈欣abcXY 7", min_size=1, max_size=6)
MAYBE = st.none() | WORDS
ISBNS = st.sampled_from([None, "9787536692930", "7-5366-9293-5", "9780141439518", "978753669293X"])
BRANCHES = st.sampled_from(["main", "east", "东区"])

READER_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": WORDS, "phone": st.none() | st.sampled_from(["13800138000", "010-6552 8888"]),
    "email": st.none() | st.sampled_from(["a@example.cn", "b@example.com"]),
    "id_number": st.none() | st.just("110101199003074514"), "address": MAYBE,
    "expires_on": st.none() | st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    "home_branch": st.none() | BRANCHES,
}
TITLE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "title": WORDS, "authors": st.lists(WORDS, max_size=2), "isbn": ISBNS,
    "publisher": MAYBE, "year": st.none() | st.integers(1900, 2030),
    "language": st.sampled_from([None, "chi", "eng"]),
    "clc_class": st.sampled_from([None, "I247.5", "TP311"]),
    "other_classes": st.none() | st.just({"ddc": "895.1"}),
    "subjects": st.lists(WORDS, max_size=2), "title_original": MAYBE,
}


def some_of(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict of a random subset of the fields, each with a value from its strategy."""
    names = st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=3)
    return names.flatmap(lambda ks: st.fixed_dictionaries({k: fields[k] for k in ks}))


CREATE = st.one_of(
    st.tuples(st.just("register"), CARDS, WORDS, st.sampled_from(["adult", "child"]),
              st.sampled_from(["zh-CN", "en"]), READER_FIELDS["phone"], st.booleans()),
    st.tuples(st.just("catalogue"), TITLES, some_of(TITLE_FIELDS)),
    st.tuples(st.just("add_copy"), BARCODES, TITLES, BRANCHES,
              st.sampled_from(["book", "periodical"]), st.none() | st.integers(0, 99_999)),
)
CHANGE = st.one_of(
    st.tuples(st.just("update"), CARDS, some_of(READER_FIELDS)),
    st.tuples(st.just("category"), CARDS, st.sampled_from(["adult", "child", "senior"])),
    st.tuples(st.just("block"), CARDS, WORDS),
    st.tuples(st.just("unblock"), CARDS),
    st.tuples(st.just("preferences"), CARDS, st.sampled_from([None, "zh-CN", "en"]),
              st.none() | st.sampled_from([("email",), ("sms", "email"), ()]),
              st.none() | st.booleans(), st.none() | st.booleans()),
    st.tuples(st.just("update_title"), TITLES, some_of(TITLE_FIELDS)),
    st.tuples(st.just("withdraw"), BARCODES, WORDS),
)
# A catch-up step: for each projection, how many events it may fold in one transaction
# (0: it sits this one out), so projections drift apart and each moves in uneven chunks.
PROJECTIONS = len(all_projections(DEFAULT_TIMEZONE))
CATCH_UP = st.tuples(st.just("catch_up"),
                     st.lists(st.integers(0, 4), min_size=PROJECTIONS, max_size=PROJECTIONS))
# ``map`` keeps one_of from flattening the branches, so each kind is a third of the steps.
STEPS = st.lists(st.one_of(CREATE.map(tuple), CHANGE.map(tuple), CATCH_UP), min_size=8,
                 max_size=40)


def pick(known: list[str], index: int, fallback: str) -> str:
    """Mostly an entity that exists (so commands do something), else one that does not."""
    return known[index % len(known)] if known else fallback


def run(lector: Lector, step: tuple[Any, ...], known: dict[str, list[str]]) -> None:
    """Send one command through the real handler; refusals are part of the sequence."""
    ports, kind, args = lector.ports, step[0], step[1:]
    rid = pick(known["readers"], args[0], f"r{args[0]}")
    if kind == "register":
        card, name, category, language, phone, keep = args
        cmd = readers.RegisterReader(f"C{card}", name, category, language=language, phone=phone,
                                     keep_history=keep, reader_id=f"r{card}")
        readers.register_reader(ports, ACTOR, cmd, None)
        known["readers"].append(cmd.reader_id)
    elif kind == "update":
        readers.update_reader(ports, ACTOR, rid, args[1], None)
    elif kind == "category":
        readers.change_category(ports, ACTOR, rid, args[1], None)
    elif kind == "block":
        readers.block_reader(ports, ACTOR, rid, args[1], None)
    elif kind == "unblock":
        readers.unblock_reader(ports, ACTOR, rid, "", None)
    elif kind == "preferences":
        language, channels, keep, digest = args[1:]
        readers.set_preferences(ports, ACTOR, rid, None, language=language,
                                notice_channels=channels, keep_history=keep, digest=digest)
    elif kind == "catalogue":
        values = {"title": "无题", **args[1]}
        values["authors"] = tuple(values.get("authors", ()))
        values["subjects"] = tuple(values.get("subjects", ()))
        cmd = catalogue.CatalogueTitle(**values, title_id=f"t{args[0]}")
        catalogue.catalogue_title(ports, ACTOR, cmd, None)
        known["titles"].append(cmd.title_id)
    elif kind == "update_title":
        title_id = pick(known["titles"], args[0], f"t{args[0]}")
        catalogue.update_title(ports, ACTOR, title_id, args[1], None)
    elif kind == "add_copy":
        barcode, title, branch, item_type, price = args
        title_id = pick(known["titles"], title, f"t{title}")
        copy = catalogue.AddCopy(f"B{barcode}", title_id, branch, item_type, f"I247/{barcode}",
                                 price)
        catalogue.add_copy(ports, ACTOR, copy, None)
        known["copies"].append(copy.barcode)
    elif kind == "withdraw":
        barcode = pick(known["copies"], args[0], f"B{args[0]}")
        catalogue.withdraw_copy(ports, ACTOR, barcode, args[1], None)


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projection table, in primary-key order."""
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for projection in all_projections(DEFAULT_TIMEZONE):
            for table in projection.tables:
                out[table.name] = [dict(r) for r in conn.execute(ordered(table)).mappings()]
    return out


def ordered(table: Table) -> Any:
    keys = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*keys)


@settings(max_examples=45, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS, finish_batch=st.integers(1, 50))
def test_projections_built_in_random_chunks_between_commands_equal_a_rebuild(
    sqlite_factory: SqliteFactory, steps: list[tuple[Any, ...]], finish_batch: int,
) -> None:
    url = sqlite_factory.new()
    config = Config(database_url=url, secret_key="property", instance_dir=sqlite_factory.folder,
                    testing=True)
    lector = bootstrap(config, after_commit=lambda position: None)  # we drive the catch-up
    # An idle connection held open: closing the others is then not closing the database's
    # last connection, which would checkpoint the WAL every time (most of the run time).
    keeper = lector.engine.connect()
    try:
        projections = lector.projections
        known: dict[str, list[str]] = {"readers": [], "titles": [], "copies": []}
        for step in steps:
            if step[0] == "catch_up":
                for projection, batch in zip(projections, step[1], strict=True):
                    if batch:
                        catch_up_batch(lector.engine, lector.store, projection, batch)
                continue
            with contextlib.suppress(DomainError):  # refusals are part of the sequence
                run(lector, step, known)
        for projection in projections:
            catch_up(lector.engine, lector.store, projection, finish_batch)
        incremental = snapshot(lector.engine)
        head = lector.store.last_position()
        with lector.engine.connect() as conn:
            assert {checkpoint(conn, p.name) for p in projections} == {head}
        for projection in projections:
            rebuild(lector.engine, lector.store, projection)
        assert snapshot(lector.engine) == incremental
    finally:
        keeper.close()
        lector.dispose()
        sqlite_factory.drop(url)
