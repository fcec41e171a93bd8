"""The catalogue's frozen records: titles, copies and the catalogue itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TitleSpec:
    """One catalogued title."""

    title_id: str
    title: str
    authors: tuple[str, ...]
    isbn13: str
    publisher: str
    year: int
    language: str  # MARC code: 'chi' or 'eng'
    clc_class: str
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class CopySpec:
    """One physical copy of a title."""

    barcode: str
    title_id: str
    branch: str
    item_type: str  # 'book' | 'periodical' | 'av'
    shelf_mark: str
    price_fen: int


@dataclass(frozen=True)
class Catalogue:
    """Titles, copies, branches and the demand ranking (most wanted title first)."""

    titles: tuple[TitleSpec, ...]
    copies: tuple[CopySpec, ...]
    branches: tuple[str, ...]
    popularity: tuple[str, ...]

    def title_of(self) -> dict[str, str]:
        """Barcode -> title_id."""
        return {c.barcode: c.title_id for c in self.copies}
