"""The reader-file layout: accepted column headers (en, zh-CN), cell rules and their messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

COLUMNS = ("card_number", "name", "category", "phone", "email", "language", "expiry")

# Header text (compared case-insensitively, spaces/hyphens as underscores) -> column.
HEADER_ALIASES: dict[str, str] = {
    "card_number": "card_number", "card_no": "card_number", "card": "card_number",
    "读者证号": "card_number", "借书证号": "card_number", "证号": "card_number",
    "name": "name", "姓名": "name",
    "category": "category", "reader_category": "category", "类别": "category",
    "读者类别": "category",
    "phone": "phone", "telephone": "phone", "mobile": "phone", "电话": "phone",
    "手机": "phone", "手机号": "phone",
    "email": "email", "e_mail": "email", "电子邮箱": "email", "邮箱": "email",
    "language": "language", "语言": "language",
    "expiry": "expiry", "expires": "expiry", "expiry_date": "expiry",
    "有效期至": "expiry", "有效期": "expiry",
}  # fmt: skip

LANGUAGE_ALIASES = {
    "zh-cn": "zh-CN", "zh_cn": "zh-CN", "zh": "zh-CN", "中文": "zh-CN", "简体中文": "zh-CN",
    "en": "en", "en-us": "en", "en-gb": "en", "english": "en", "英文": "en", "英语": "en",
}  # fmt: skip

# code -> (English, Chinese). {value} is the offending cell text.
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("A value is required.", "此项必填。"),
    "duplicate_card": (
        "This card number already appears earlier in the file.",
        "该读者证号在文件前面已出现。",
    ),
    "unstorable_text": (
        "The cell holds {value}, a character that cannot be stored.",
        "单元格含有无法保存的字符 {value}。",
    ),
    "bad_email": ("'{value}' is not an e-mail address.", "“{value}”不是有效的电子邮箱。"),
    "bad_language": (
        "'{value}' is not a supported language (zh-CN or en).",
        "“{value}”不是支持的语言（zh-CN 或 en）。",
    ),
    "bad_date": (
        "'{value}' is not a date in the form YYYY-MM-DD.",
        "“{value}”不是 YYYY-MM-DD 格式的日期。",
    ),
    "bad_phone": (
        "'{value}' is not a phone number (digits, optionally starting with +).",
        "“{value}”不是有效的电话号码（数字，可以 + 开头）。",
    ),
    "missing_column": (
        "The file has no card number column (card_number or 读者证号).",
        "文件缺少读者证号列（card_number 或 读者证号）。",
    ),
    "duplicate_column": (
        "Two columns both mean '{value}'.",
        "有两列都表示“{value}”。",
    ),
    "bad_encoding": (
        "The file is neither UTF-8 nor GB18030 text.",
        "文件既不是 UTF-8 也不是 GB18030 编码的文本。",
    ),
    "unreadable_file": ("The file cannot be read: {value}", "无法读取文件：{value}"),
    "empty_file": ("The file has no header row.", "文件没有表头行。"),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?\d{3,20}$")
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@])")


@dataclass(frozen=True)
class RowError:
    """One problem in a reader file: where it is (row 1 is the header) and why, in en and zh-CN."""

    row_number: int
    column: str | None
    reason_en: str
    reason_zh: str
    code: str = ""
    value: str = ""


class CellError(ValueError):
    """Raised by a cell rule; carries the message code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def row_error(row_number: int, column: str | None, code: str, value: str = "") -> RowError:
    """Build a RowError with both messages for a code from MESSAGES."""
    en, zh = MESSAGES[code]
    return RowError(row_number, column, en.format(value=value), zh.format(value=value), code, value)


def header_key(text: str) -> str:
    """Normalise a header cell for lookup in HEADER_ALIASES."""
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").lower())


def cell_text(value: object) -> str:
    """A cell as trimmed text; spreadsheet numbers like 13800138000.0 lose the '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    # Undo the apostrophe our CSV exports put before =, +, - and @ against formula injection.
    return _FORMULA_GUARD.sub("", str(value).strip())


def parse_email(text: str) -> str | None:
    """Blank -> None; otherwise the address if it has a plausible shape."""
    if not text:
        return None
    if not _EMAIL.match(text):
        raise CellError("bad_email")
    return text


def parse_language(text: str) -> str | None:
    """Blank -> None; otherwise 'zh-CN' or 'en'."""
    if not text:
        return None
    try:
        return LANGUAGE_ALIASES[text.strip().lower()]
    except KeyError:
        raise CellError("bad_language") from None


def parse_phone(text: str) -> str | None:
    """Blank -> None; spaces, hyphens and brackets are dropped, then digits with optional +."""
    if not text:
        return None
    compact = re.sub(r"[\s\-()]", "", text)
    if not _PHONE.match(compact):
        raise CellError("bad_phone")
    return compact


def parse_expiry(value: object, text: str) -> date | None:
    """Blank -> None; a spreadsheet date cell or an ISO text date YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise CellError("bad_date")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CellError("bad_date") from None
