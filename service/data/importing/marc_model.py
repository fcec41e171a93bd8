"""What a MARC import produces: one TitleRecord per good record, one RecordError per bad one."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CopySpec:
    """One physical copy described by a holdings field (852, Koha 952/995, CNMARC 905)."""

    barcode: str | None
    branch: str | None
    shelf_mark: str | None
    item_type: str | None
    price_fen: int | None = None


@dataclass(frozen=True)
class Name:
    """A person, body or meeting named in a record, with its role and vernacular form."""

    name: str
    role: str  # a relator term ("author", "editor", "former owner") or the raw code
    kind: str = "personal"  # personal | corporate | meeting
    original: str | None = None  # the 880 (vernacular script) form

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "role": self.role, "kind": self.kind,
                "original": self.original}


@dataclass(frozen=True)
class ClassMark:
    """A classification number and the scheme it belongs to (clc, ddc, lcc, nlm, local ...)."""

    scheme: str
    value: str


@dataclass(frozen=True)
class IsbnIssue:
    """An 020 $a that is not a valid ISBN; `reason` is an InvalidIsbn reason code."""

    raw: str
    reason: str


@dataclass(frozen=True)
class TitleRecord:
    """The catalogue facts Lector keeps from one bibliographic MARC record."""

    source_position: int  # 1-based ordinal of the record in its file
    control_number: str | None
    title: str
    system_numbers: tuple[str, ...] = ()
    title_original: str | None = None
    authors: tuple[str, ...] = ()
    authors_original: tuple[str, ...] = ()
    isbns: tuple[str, ...] = ()
    isbn_errors: tuple[IsbnIssue, ...] = ()
    publisher: str | None = None
    year: int | None = None
    language: str | None = None
    clc_class: str | None = None
    lc_class: str | None = None
    dewey: str | None = None
    subjects: tuple[str, ...] = ()
    copies: tuple[CopySpec, ...] = ()
    names: tuple[Name, ...] = ()
    classes: tuple[ClassMark, ...] = ()
    variant_titles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    format: str = "book"  # an events.catalogue.TitleFormat value
    nonfiling: int = 0
    series: tuple[str, ...] = ()
    edition: str | None = None
    pages: str | None = None
    summary: str | None = None
    publisher_original: str | None = None
    marc_format: str = "marc21"  # marc21 | cnmarc (UNIMARC)
    # Non-fatal oddities met while decoding (replaced bytes, bad subfield codes).
    warnings: tuple[str, ...] = field(default=())


# Stable reason codes for RecordError, with the text shown to people in both languages.
REASON_MESSAGES: dict[str, dict[str, str]] = {
    "unreadable_record": {
        "en": "The record's structure (leader or directory) cannot be read.",
        "zh-CN": "无法读取记录结构（头标区或目次区损坏）。",
    },
    "bad_encoding": {
        "en": "The record's characters cannot be decoded.",
        "zh-CN": "无法解码记录中的字符。",
    },
    "missing_title": {
        "en": "The record has no title (245 $a, or 200 $a in CNMARC).",
        "zh-CN": "记录缺少题名（245 $a；CNMARC 为 200 $a）。",
    },
    "not_well_formed_xml": {
        "en": "The XML is not well formed; reading stopped here.",
        "zh-CN": "XML 格式错误，读取在此处停止。",
    },
    "bad_xml_record": {
        "en": "The MARCXML record is incomplete or malformed.",
        "zh-CN": "MARCXML 记录不完整或格式错误。",
    },
    "unstorable_text": {
        "en": "The record holds a character that cannot be stored (such as NUL); not imported.",
        "zh-CN": "记录含有无法保存的字符（如 NUL），未导入。",
    },
    "truncated_file": {
        "en": "The file ends in the middle of a record.",
        "zh-CN": "文件在一条记录的中间结束。",
    },
}


@dataclass(frozen=True)
class RecordError:
    """A record that could not be imported, with where it was and why (a REASON_MESSAGES code)."""

    source_position: int
    control_number: str | None
    reason: str
    detail: str = ""  # technical detail for operators (exception text), English only

    def message(self, language: str = "en") -> str:
        """The reason in zh-CN or en, for reports shown to librarians."""
        texts = REASON_MESSAGES.get(self.reason)
        if texts is None:
            return self.reason
        return texts["zh-CN" if language.lower().startswith("zh") else "en"]
