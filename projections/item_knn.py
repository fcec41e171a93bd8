"""Item-kNN over co-borrowing, with cosine weighting: the one scorer used by the nightly
refresh (``projections/co_borrowing.py``) and by the offline evaluation.

Pure numerics on scipy sparse matrices; no SQL. Items are integer columns; callers map ids.
Every tie is broken by the item index, so the same counts give the same lists (a rebuild of
the read model equals the incremental build).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse


def similarity(co: sparse.spmatrix, readers: np.ndarray, k: int) -> sparse.csr_matrix:
    """Cosine similarity from co-borrowing counts: ``co[i, j]`` readers borrowed both i and j
    (symmetric, any diagonal is ignored), ``readers[i]`` readers borrowed i. Row i keeps its
    ``k`` most similar titles: s(i, j) = co(i, j) / sqrt(readers(i) * readers(j))."""
    c = sparse.coo_matrix(co)
    keep = (c.row != c.col) & (c.data > 0)
    rows, cols, data = c.row[keep], c.col[keep], c.data[keep].astype(float)
    norm = np.sqrt(readers[rows].astype(float) * readers[cols].astype(float))
    values = np.divide(data, norm, out=np.zeros_like(data), where=norm > 0)
    # Top k per row: sort by (row, -value, col) so ties keep the lower index.
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    starts = np.searchsorted(rows, rows, side="left")
    rank = np.arange(len(rows)) - starts
    kept = rank < k
    n = co.shape[0]
    return sparse.csr_matrix((values[kept], (rows[kept], cols[kept])), shape=(n, n))


def co_counts(history: sparse.spmatrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Co-borrowing counts and readers per item from a binary reader x item matrix."""
    x = sparse.csr_matrix(history, dtype=float)
    x.data[:] = 1.0
    return (x.T @ x).tocsr(), np.asarray(x.sum(axis=0)).ravel()


def scores(history: sparse.spmatrix, sim: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each reader's score for each item: the sum of the similarities of the items they had."""
    x = sparse.csr_matrix(history, dtype=float)
    x.data[:] = 1.0
    return (x @ sim).tocsr()


def top_items(row_scores: np.ndarray, exclude: Sequence[int], n: int) -> list[int]:
    """The ``n`` best items with a positive score, never an excluded one; ties by index."""
    s = np.array(row_scores, dtype=float)
    if len(exclude):
        s[np.asarray(exclude, dtype=int)] = 0.0
    candidates = np.flatnonzero(s > 0)
    order = np.lexsort((candidates, -s[candidates]))
    return [int(i) for i in candidates[order][:n]]


def rank_by_count(counts: np.ndarray, exclude: Sequence[int], n: int) -> list[int]:
    """Popularity: the ``n`` items with the highest count, never an excluded one."""
    c = np.array(counts, dtype=float)
    if len(exclude):
        c[np.asarray(exclude, dtype=int)] = -1.0
    candidates = np.flatnonzero(c > 0)
    order = np.lexsort((candidates, -c[candidates]))
    return [int(i) for i in candidates[order][:n]]
