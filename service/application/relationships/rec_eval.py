"""Offline evaluation of recommendations on any loan log (reader, title, time).

Time split: the loans in the last 20 % of the log's time span are the test period; the
titles each reader borrowed then, and had not borrowed before, are that reader's truth.
Readers with no loan before the cut-off are left out (every method would give them the same
popularity list). Each method ranks the whole catalogue (every title in the log, or the
library's catalogue) except the titles the reader had before the cut-off; Recall@10 is hits
over the truth's size, NDCG@10 is binary-gain DCG over the ideal DCG of min(|truth|, 10).
Intervals: 95 % percentile bootstrap over readers (1000 resamples, seed fixed). Coverage:
distinct titles in anyone's top 10 over the catalogue's size.

With ``per_reader`` the split is each reader's last 20 % of loans instead (for logs whose
time is only a row order grouped by reader, like goodbooks-10k's ratings); 30-day
popularity then counts the 30 time units before the last training loan.

Methods: item-kNN (the service's scorer, projections/item_knn.py, with the service's
fallback to all-time popularity below 3 titles), all-time popularity and 30-day popularity
(loans in the 30 days before the cut-off).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from projections import item_knn
from projections.co_borrowing import MIN_LOANS

K = 10
SEED = 20261202
RESAMPLES = 1000
NEIGHBOURS = 50


@dataclass(frozen=True)
class Loan:
    reader: str
    title: str
    time: float  # days (any origin): a date's ordinal, or a row number


@dataclass(frozen=True)
class Scored:
    method: str
    recall: tuple[float, float, float]  # mean, low, high
    ndcg: tuple[float, float, float]
    coverage: float
    readers: int


def _bootstrap(values: np.ndarray, rng: np.random.Generator) -> tuple[float, float, float]:
    if not len(values):
        return (0.0, 0.0, 0.0)
    draws = rng.integers(0, len(values), size=(RESAMPLES, len(values)))
    means = values[draws].mean(axis=1)
    return (float(values.mean()), float(np.percentile(means, 2.5)),
            float(np.percentile(means, 97.5)))


def metrics(ranked: Sequence[int], truth: set[int]) -> tuple[float, float]:
    """(Recall@K, NDCG@K) of one ranked list against one reader's truth."""
    top = list(ranked)[:K]
    hits = [1.0 if t in truth else 0.0 for t in top]
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(truth), K)))
    return sum(hits) / len(truth), (dcg / ideal if ideal else 0.0)


def _split(log: list[Loan], split: float, per_reader: bool) -> tuple[list[Loan], list[Loan], float]:
    start, end = log[0].time, log[-1].time
    if not per_reader:
        cut = start + split * (end - start)
        return [x for x in log if x.time <= cut], [x for x in log if x.time > cut], cut
    # Per reader: each reader's last 20 % of loans (at least one, if they have two or more).
    mine: dict[str, list[Loan]] = {}
    for x in log:
        mine.setdefault(x.reader, []).append(x)
    train, test = [], []
    for loans in mine.values():
        n = len(loans) - max(1, round(len(loans) * (1 - split))) if len(loans) > 1 else 1
        train += loans[:n]
        test += loans[n:]
    train.sort(key=lambda x: (x.time, x.reader, x.title))
    return train, test, train[-1].time


def evaluate(loans: Iterable[Loan], catalogue: Iterable[str] = (), split: float = 0.8,
             per_reader: bool = False) -> tuple[list[Scored], dict[str, Any]]:
    """Score every method on the log; also the split's facts (cut-off, readers, titles)."""
    log = sorted(loans, key=lambda x: (x.time, x.reader, x.title))
    if len(log) < 2:
        raise ValueError("too few loans to evaluate (need at least 2)")
    train, test, cut = _split(log, split, per_reader)
    titles = sorted({x.title for x in log} | set(catalogue))
    index = {t: i for i, t in enumerate(titles)}
    readers = sorted({x.reader for x in train})
    rindex = {r: i for i, r in enumerate(readers)}
    seen: dict[str, set[int]] = {}
    for x in train:
        seen.setdefault(x.reader, set()).add(index[x.title])
    truth: dict[str, set[int]] = {}
    for x in test:
        if x.reader in rindex and index[x.title] not in seen[x.reader]:
            truth.setdefault(x.reader, set()).add(index[x.title])
    evaluated = sorted(truth)
    facts = {"split": "per reader" if per_reader else "time", "loans": len(log),
             "train_loans": len(train), "test_loans": len(test),
             "cut_off": cut, "titles": len(titles), "readers": len(evaluated)}
    if not evaluated:
        raise ValueError("no reader borrows a new title after the cut-off")
    rows = [rindex[x.reader] for x in train]
    cols = [index[x.title] for x in train]
    history = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                shape=(len(readers), len(titles)))
    history.data[:] = 1.0
    co, counts = item_knn.co_counts(history)
    sim = item_knn.similarity(co, counts, NEIGHBOURS)
    all_time = np.bincount(cols, minlength=len(titles)).astype(float)
    recent = np.bincount([index[x.title] for x in train if x.time > cut - 30],
                         minlength=len(titles)).astype(float)

    def knn(reader: str) -> list[int]:
        had = sorted(seen[reader])
        if len(had) < MIN_LOANS:
            return item_knn.rank_by_count(all_time, had, K)
        row = item_knn.scores(history[rindex[reader]], sim).toarray().ravel()
        ranked = item_knn.top_items(row, had, K)
        if len(ranked) < K:  # the service fills a short list with popular titles
            ranked += [i for i in item_knn.rank_by_count(all_time, had, 2 * K)
                       if i not in ranked][:K - len(ranked)]
        return ranked

    methods = {"item-kNN (cosine)": knn,
               "popularity, all time": lambda r: item_knn.rank_by_count(all_time, sorted(seen[r]), K),
               "popularity, 30 days": lambda r: item_knn.rank_by_count(recent, sorted(seen[r]), K)}
    out = []
    for name, rank in methods.items():
        rng = np.random.default_rng(SEED)
        recall, ndcg, shown = [], [], set()
        for reader in evaluated:
            ranked = rank(reader)
            shown |= set(ranked)
            r, n = metrics(ranked, truth[reader])
            recall.append(r)
            ndcg.append(n)
        out.append(Scored(name, _bootstrap(np.array(recall), rng),
                          _bootstrap(np.array(ndcg), rng), len(shown) / len(titles),
                          len(evaluated)))
    return out, facts


def table(scored: list[Scored], facts: dict[str, Any], source: str) -> list[str]:
    """The printed table."""
    lines = [f"Recommendations, offline: {source}",
             f"loans {facts['loans']} (train {facts['train_loans']}, test {facts['test_loans']}),"
             f" titles {facts['titles']}, readers evaluated {facts['readers']}",
             ("time split: the last 20 % of the log's time span is the test period; "
              if facts["split"] == "time" else
              "per-reader split: each reader's last 20 % of loans (at least one) are the test; ")
             + f"bootstrap 95 % over readers ({RESAMPLES} resamples, seed {SEED})",
             f"{'method':<22} {'Recall@10':<24} {'NDCG@10':<24} {'coverage':>8}"]
    for s in scored:
        lines.append(f"{s.method:<22} {_ci(s.recall):<24} {_ci(s.ndcg):<24} "
                     f"{s.coverage:>8.1%}")
    return lines


def _ci(v: tuple[float, float, float]) -> str:
    return f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]"
