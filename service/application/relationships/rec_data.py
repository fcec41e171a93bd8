"""Loan logs for the recommendation evaluation: a CSV file, or the library's own log."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from projections.catalogue import titles
from projections.co_borrowing import cob_reader_titles
from service.application.relationships.rec_eval import Loan


def _time(value: str, row: int) -> float:
    text = value.strip()
    if not text:
        return float(row)  # no date: the row order is the time order
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"row {row}: date {text!r} is neither ISO 8601 nor a number") from None
    return moment.date().toordinal() + (moment.hour * 3600 + moment.minute * 60
                                        + moment.second) / 86400


def loans_from_csv(path: Path) -> list[Loan]:
    """Columns reader, title and date (ISO date or time, or a number; empty or missing: the
    row's order)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        names = {n.strip().lower(): n for n in reader.fieldnames or ()}
        if "reader" not in names or "title" not in names:
            raise ValueError("the file needs columns reader, title and (optionally) date")
        out = []
        for row, values in enumerate(reader, start=1):
            when = values.get(names["date"], "") if "date" in names else ""
            out.append(Loan(values[names["reader"]].strip(), values[names["title"]].strip(),
                            _time(when or "", row)))
    return out


def loans_from_library(engine: Engine) -> tuple[list[Loan], list[str]]:
    """Each reader who keeps a history: every title they had, on the day they first had it
    (readers who switched history off are not in it); and every title catalogued."""
    with engine.connect() as conn:
        loans = [Loan(r, t, float(d.toordinal()) if isinstance(d, date) else float(d))
                 for r, t, d in conn.execute(select(cob_reader_titles.c.reader_id,
                                                    cob_reader_titles.c.title_id,
                                                    cob_reader_titles.c.first_on))]
        catalogue = list(conn.scalars(select(titles.c.title_id)))
    return loans, catalogue
