"""Bring a library's data in through the real command handlers (MARC records, reader files)."""

from __future__ import annotations

from service.data.importing.marc_import import MarcProgress, MarcRun, file_digest, import_marc
from service.data.importing.reader_import import (
    ReaderChange,
    ReaderImportSummary,
    import_readers,
)
from service.data.importing.report import MarcImportSummary, RecordProblem

__all__ = [
    "MarcImportSummary",
    "MarcProgress",
    "MarcRun",
    "ReaderChange",
    "ReaderImportSummary",
    "RecordProblem",
    "file_digest",
    "import_marc",
    "import_readers",
]
