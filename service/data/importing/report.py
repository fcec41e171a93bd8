"""What an import tells its operator: counts, and per-record problems in zh-CN and en."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.data.importing.marc import RecordError

# code -> (English, Chinese); {placeholders} are filled from the problem's details.
MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_isbn": ("ISBN '{value}' is not valid ({reason}); the record was imported without it.",
                     "ISBN“{value}”无效（{reason}），该记录已导入，但不含此 ISBN。"),
    "field_cut": ("Too long for the catalogue, cut to fit: {value}.",
                  "内容过长，已截断：{value}。"),
    "repeated_in_run": ("Same record as {value} in this import; the title was not changed again.",
                        "与本次导入中的{value}为同一记录，未再次修改书目。"),
    "barcode_elsewhere": ("Barcode {value} already belongs to another title; copy not added.",
                          "条码 {value} 已属于其他书目，未添加该册。"),
}


@dataclass(frozen=True)
class RecordProblem:
    """One problem with one record: where (file, 1-based position, 001) and why."""

    file: str
    position: int
    control_number: str | None
    code: str
    message_en: str
    message_zh: str
    detail: str = ""

    def message(self, language: str = "en") -> str:
        """The message in zh-CN or en."""
        return self.message_zh if language.lower().startswith("zh") else self.message_en


def problem(file: str, position: int, control_number: str | None, code: str,
            value: str = "", reason: tuple[str, str] = ("", "")) -> RecordProblem:
    """A RecordProblem for one of this module's codes; ``reason`` is (en, zh)."""
    en, zh = MESSAGES[code]
    return RecordProblem(file, position, control_number, code,
                         en.format(value=value, reason=reason[0]),
                         zh.format(value=value, reason=reason[1]))


def from_record_error(file: str, error: RecordError) -> RecordProblem:
    """A reader-level RecordError (unreadable, no title, ...) as a RecordProblem."""
    return RecordProblem(file, error.source_position, error.control_number, error.reason,
                         error.message("en"), error.message("zh-CN"), error.detail)


@dataclass
class MarcImportSummary:
    """Counts for one or more files; ``errors`` were not imported, ``notices`` were."""

    files: list[str] = field(default_factory=list)
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    copies_added: int = 0
    copies_existing: int = 0
    copies_without_barcode: int = 0
    errors: list[RecordProblem] = field(default_factory=list)
    notices: list[RecordProblem] = field(default_factory=list)
    last_position: int = 0  # log position of the last event this import appended

    def merge(self, other: MarcImportSummary) -> None:
        """Add another file's summary to this one."""
        self.files += other.files
        for name in ("records", "created", "updated", "unchanged", "skipped", "copies_added",
                     "copies_existing", "copies_without_barcode"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors
        self.notices += other.notices
        self.last_position = max(self.last_position, other.last_position)
