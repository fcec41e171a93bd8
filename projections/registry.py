"""Every projection the system runs, in one place."""

from __future__ import annotations

from projections.base import Projection
from projections.catalogue import Catalogue
from projections.reader_profiles import ReaderProfiles


def all_projections() -> list[Projection]:
    """Fresh instances of every projection, in a stable order."""
    return [ReaderProfiles(), Catalogue()]


def by_name(name: str) -> Projection:
    for projection in all_projections():
        if projection.name == name:
            return projection
    raise KeyError(name)
