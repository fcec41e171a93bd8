"""English titles for the demo: a small extract of goodbooks-10k shipped with the package."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from service.data.demo.isbn import isbn10_to_13

# Extract of zygmuntz/goodbooks-10k books.csv (CC BY-SA 4.0, derived data under the same
# licence): shipped so that `lector demo` works on a machine without shared/data.
SHIPPED = Path(__file__).with_name("data") / "english_titles.csv"
FIELDS = ("title", "authors", "year", "isbn13")
ENGLISH_CODES = frozenset({"eng", "en-US", "en-GB", "en-CA"})


@dataclass(frozen=True)
class EnglishTitle:
    """One real English book: title, authors, first publication year, a real ISBN-13."""

    title: str
    authors: tuple[str, ...]
    year: int
    isbn13: str


def extract_from_goodbooks(books_csv: Path, limit: int = 400) -> list[EnglishTitle]:
    """The `limit` most-rated English books with a valid ISBN and a plain-ASCII title."""
    out: list[EnglishTitle] = []
    seen: set[str] = set()
    with open(books_csv, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):  # rows come ordered by popularity (book_id)
            title = (row["original_title"] or row["title"]).strip()
            isbn13 = isbn10_to_13(row["isbn"])
            year_raw = row["original_publication_year"]
            if (
                row["language_code"] not in ENGLISH_CODES
                or not title.isascii()
                or not isbn13
                or not year_raw
                or isbn13 in seen
            ):
                continue
            seen.add(isbn13)
            authors = tuple(a.strip() for a in row["authors"].split(",") if a.strip())[:3]
            out.append(EnglishTitle(title, authors, int(float(year_raw)), isbn13))
            if len(out) == limit:
                break
    return out


def write_shipped(titles: list[EnglishTitle], path: Path = SHIPPED) -> None:
    """Write the shipped extract (authors joined with ' | ')."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FIELDS)
        for t in titles:
            writer.writerow((t.title, " | ".join(t.authors), t.year, t.isbn13))


def load_english_titles(path: Path = SHIPPED) -> list[EnglishTitle]:
    """The shipped English titles, in file order."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [
            EnglishTitle(r["title"], tuple(r["authors"].split(" | ")), int(r["year"]), r["isbn13"])
            for r in csv.DictReader(fh)
        ]
