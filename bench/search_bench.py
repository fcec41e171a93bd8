"""Benchmark title search on PostgreSQL at 10 k and 1 M titles, against a primary-key lookup.

Run: .venv/bin/python bench/search_bench.py [URL] [--sizes 10000,1000000] [--rounds 5]
(URL defaults to $LECTOR_BENCH_DATABASE_URL.) A fresh database is created next to the one
named in the URL, migrated, and dropped at the end.

The titles are generated (fixed seed; Chinese title texts drawn from a pool of 20,000, as
editions repeat a text, each title with its own id, ISBN, call number, author, publisher
and subject) and written by a bulk path, NOT through the command
handlers or the event log: each row is built by the real search-text builder
(``projections.title_search.build_row``, the function the projection uses) and COPYed into
``rm_title_search`` and ``rm_titles``; the GIN index is dropped for the load and rebuilt.
Then a fixed set of queries runs through the real query function
(``projections.title_query.search_titles``: match, count, rank, page of 20) and, interleaved
in the same rounds, the baseline: ``SELECT * FROM rm_titles WHERE title_id = ?``.
Printed per size: the median latency of each query over the rounds, and its ratio to the
baseline's median.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Connection, create_engine, make_url, text

from events.engine import make_engine
from projections.title_query import TitleFilters, search_titles
from projections.title_search import build_row
from service.adapters.database import upgrade
from service.config import _normalise_db_url

HAN = ("中国国际关系史文学艺术经济管理社会科学技术计算机程序设计数据结构算法研究导论教程"
       "原理方法应用实践历史地理哲学思想政治法律教育心理医学生物化学物理数学天文海洋环境"
       "农业工业建筑交通城市乡村民族文化语言文字诗词小说散文戏剧音乐美术电影摄影体育旅游")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
LATIN = ["Dvořák", "Smetana", "Janáček", "Müller", "Østergaard", "Łukasz", "García", "Søren",
         "Bach", "Brahms", "Chopin", "Liszt", "Mahler", "Schubert", "Verdi", "Ravel"]
SUBJECTS = ["Symphonies", "History", "Criticism", "Fiction", "Economics", "Poetry",
            "Computer science", "Chemistry", "Law", "Education"]


def words(rng: random.Random, n: int) -> str:
    return "".join(HAN[i:i + 2] for i in (rng.randrange(0, len(HAN) - 1) for _ in range(n)))


def isbn13(n: int) -> str:
    core = f"978{n:09d}"
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core))
    return core + str((10 - total % 10) % 10)


# Words, pinyin, initials, folded Latin, a name, traditional characters, an ISBN with
# hyphens, a call number, a title word with a volume, a word with a facet filter, and a word
# with the five facet counts.
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("经济管理", {}), ("zggj", {}), ("dvorak symphonies", {}), ("王国", {}),
    ("經濟管理", {}), (f"978-0-00-001234-{isbn13(1234)[-1]}", {}), ("I247.5/1234", {}),
    ("tianwen haiyang", {}),
    ("历史 v.3", {}), ("mahler", {"year": 2000}), ("smetana", {"facets": True}),
]


POOL = 20_000  # distinct Chinese title texts (editions repeat them; pinyin is costly to build)


@functools.cache
def title_pool(seed: int) -> tuple[str, ...]:
    rng = random.Random(seed)
    return tuple(words(rng, rng.randint(2, 4)) for _ in range(POOL))


def generate(start: int, stop: int, seed: int) -> Any:
    """Deterministic titles: (rm_titles row, rm_title_search row) per number."""
    rng = random.Random(seed * 1_000_003 + start)  # chunks start at multiples of CHUNK
    pool = title_pool(seed)
    now = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    for n in range(start, stop):
        latin = n % 5 == 0
        title = (f"{rng.choice(LATIN)} {rng.choice(SUBJECTS)} {n}" if latin
                 else pool[rng.randrange(POOL)])
        author = rng.choice(LATIN) if latin else rng.choice(SURNAMES) + words(rng, 1)
        data = {"title": title, "authors": [author], "isbn": isbn13(n),
                "publisher": words(rng, 2) + "出版社", "year": 1950 + n % 75,
                "language": "eng" if latin else "chi",
                "clc_class": f"{'ABDIKTJ'[n % 7]}{n % 900}",
                "subjects": [rng.choice(SUBJECTS) + " -- " + words(rng, 1)]}
        shelf = f"I247.5/{n % 10_000}"
        copies = [[shelf, f"v.{n % 13 + 1}" if n % 11 == 0 else None, None]]
        tid = f"t{n:08d}"
        title_row = (tid, title, json.dumps([author]), data["isbn"], data["publisher"],
                     data["year"], data["language"], data["clc_class"], json.dumps(data["subjects"]),
                     "[]", now, "")
        row = build_row(tid, data, copies)
        search_row = (tid, row["title_doc"], row["name_doc"], row["subject_doc"],
                      row["other_doc"], row["sort_key"], row["cls"], row["format"],
                      row["language"], row["year"], json.dumps(row["data"], ensure_ascii=False),
                      json.dumps(row["copies"]))
        yield title_row, search_row


CHUNK = 5000


def _chunk(job: tuple[int, int, int]) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    return list(generate(*job))


def generated(start: int, stop: int, seed: int, workers: int) -> Any:
    """The rows of start..stop in order, built by ``workers`` processes chunk by chunk."""
    jobs = [(a, min(a + CHUNK, stop), seed) for a in range(start, stop, CHUNK)]
    if workers <= 1:
        for job in jobs:
            yield from _chunk(job)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for rows in pool.imap(_chunk, jobs):
            yield from rows


def load(url: str, start: int, stop: int, seed: int, workers: int) -> float:
    """COPY titles start..stop into both tables (index dropped, then rebuilt); seconds."""
    import psycopg

    started = time.perf_counter()
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    # Two connections, one COPY each, fed in one pass over the generated rows.
    with psycopg.connect(libpq) as conn, psycopg.connect(libpq) as other:
        conn.execute("DROP INDEX IF EXISTS ix_rm_title_search_doc")
        conn.commit()
        with other.cursor() as cur_t, conn.cursor() as cur_s, \
                cur_t.copy("COPY rm_titles (title_id, title, authors, isbn, publisher, year, "
                           "language, clc_class, subjects, source_keys, catalogued_at, "
                           "search_text) FROM STDIN") as titles_copy, \
                cur_s.copy("COPY rm_title_search (title_id, title_doc, name_doc, subject_doc, "
                           "other_doc, sort_key, cls, format, language, year, data, copies)"
                           " FROM STDIN") as search_copy:
            for title_row, search_row in generated(start, stop, seed, workers):
                titles_copy.write_row(title_row)
                search_copy.write_row(search_row)
        other.commit()
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("CREATE INDEX ix_rm_title_search_doc ON rm_title_search USING gin (doc)")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE rm_titles")
        conn.execute("VACUUM ANALYZE rm_title_search")
    return time.perf_counter() - started


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def measure(conn: Connection, size: int, rounds: int) -> dict[str, Any]:
    rng = random.Random(7)
    lookups: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q, _ in QUERIES}
    hits: dict[str, int] = {}
    for _ in range(rounds + 1):  # the first round warms the caches and is not counted
        for q, filters in QUERIES:
            tid = f"t{rng.randrange(size):08d}"
            ms, _ = timed(lambda t=tid: conn.execute(  # type: ignore[misc]
                text("SELECT * FROM rm_titles WHERE title_id = :t"), {"t": t}).all())
            lookups.append(ms)
            ms, result = timed(lambda q=q, f=filters: search_titles(  # type: ignore[misc]
                conn, q=q, limit=20, with_facets=bool(f.get("facets")),
                filters=TitleFilters(**{k: v for k, v in f.items() if k != "facets"})))
            per_query[q].append(ms)
            hits[q] = result.total
    skip = len(QUERIES)
    base = statistics.median(lookups[skip:])
    medians = {q: statistics.median(v[1:]) for q, v in per_query.items()}
    return {"baseline_ms": base, "queries": medians, "hits": hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("LECTOR_BENCH_DATABASE_URL"))
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="processes building rows")
    parser.add_argument("--keep", action="store_true", help="keep the database (to EXPLAIN)")
    args = parser.parse_args()
    if not args.url:
        parser.error("give a PostgreSQL URL or set LECTOR_BENCH_DATABASE_URL")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    server = make_url(_normalise_db_url(args.url))
    name = f"lector_search_bench_{uuid.uuid4().hex[:8]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        report(url, sizes, args)
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def report(url: str, sizes: list[int], args: argparse.Namespace) -> None:
    engine = make_engine(url)
    loaded = 0
    print(f"search bench: fresh database {make_url(url).database}; bulk COPY load "
          f"(not through the command handlers); {args.rounds} rounds, medians in ms")
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        seconds = load(url, loaded, size, args.seed, args.workers)
        print(f"\n{size:,} titles (+{size - loaded:,} built and loaded in {seconds:.0f} s)")
        loaded = size
        with engine.connect() as conn:
            out = results[size] = measure(conn, size, args.rounds)
        print(f"  {'baseline: primary-key lookup':36} {out['baseline_ms']:8.2f} ms")
        for (q, f), ms in zip(QUERIES, out["queries"].values(), strict=True):
            label = f"{q} {json.dumps(f)}" if f else q
            print(f"  {label:36} {ms:8.2f} ms  x{ms / out['baseline_ms']:6.1f}  "
                  f"({out['hits'][q]:,} hits)")
    if len(sizes) > 1:
        small, big = results[sizes[0]], results[sizes[-1]]
        print(f"\nratio {sizes[-1]:,} / {sizes[0]:,} titles (median per query):")
        for q in big["queries"]:
            print(f"  {q:36} x{big['queries'][q] / small['queries'][q]:6.1f}")
        worst = max(big["queries"].values())
        print(f"slowest query at {sizes[-1]:,}: {worst:.1f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
