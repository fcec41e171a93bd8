"""The offline evaluation on a hand-made log whose right answer is known."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.application.relationships.rec_data import loans_from_csv
from service.application.relationships.rec_eval import evaluate, metrics
from service.cli import main

START = date(2026, 1, 1)


def _log(path: Path) -> Path:
    """Two tastes (x and y, four titles each) learnt from veterans; newcomers borrow three of
    their taste before the cut-off and the fourth after it. Ten "z" titles are each borrowed
    by five one-off readers just before the cut-off, so popularity (all time and 30 days)
    never reaches x4 or y4, which item-kNN must put first."""
    rows = []
    for g in "xy":
        for v in range(4):
            rows += [(f"v{g}{v}", f"{g}{t}", 1 + v + t) for t in range(1, 5)]
        for n in range(3):
            rows += [(f"t{g}{n}", f"{g}{t}", 20 + 10 * t + n) for t in range(1, 4)]
            rows.append((f"t{g}{n}", f"{g}4", 95 + n))
    for z in range(10):
        rows += [(f"o{z}{k}", f"z{z}", 60 + z + k) for k in range(5)]
    rows.append(("end", "z0", 100))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["reader", "title", "date"])
        for reader, title, day in rows:
            out.writerow([reader, title, (START + timedelta(days=day)).isoformat()])
    return path


def test_metrics_of_one_list() -> None:
    assert metrics([5, 1, 2], {1}) == (1.0, pytest.approx(1 / 1.5849625, rel=1e-6))
    assert metrics([1, 2], {1, 2}) == (1.0, 1.0)
    assert metrics([3], {1, 2}) == (0.0, 0.0)


def test_item_knn_finds_the_fourth_title_and_popularity_does_not(tmp_path: Path) -> None:
    scored, facts = evaluate(loans_from_csv(_log(tmp_path / "loans.csv")))
    by = {s.method: s for s in scored}
    assert facts["readers"] == 6  # the six newcomers; nobody else borrows after the cut-off
    knn = by["item-kNN (cosine)"]
    assert knn.recall == (1.0, 1.0, 1.0) and knn.ndcg == (1.0, 1.0, 1.0)
    assert by["popularity, all time"].recall[0] == 0.0
    assert by["popularity, 30 days"].recall[0] == 0.0
    assert knn.coverage > by["popularity, all time"].coverage


def test_the_command_prints_the_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", "recommendations", "--loans",
                                       str(_log(tmp_path / "loans.csv"))])
    assert result.exit_code == 0, result.output
    assert "Recall@10" in result.output and "NDCG@10" in result.output
    assert "item-kNN (cosine)      1.000 [1.000, 1.000]" in result.output
    assert "popularity, 30 days" in result.output and "coverage" in result.output


def test_a_file_without_the_columns_is_refused_plainly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\na,b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["evaluate", "recommendations", "--loans", str(bad)])
    assert result.exit_code != 0 and "columns reader, title" in result.output
