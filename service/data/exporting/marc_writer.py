"""Titles (catalogue read-model rows) -> ISO 2709 records in MARC 21 or CNMARC, UTF-8."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pymarc import Field, Indicators, Leader, Record, Subfield

# Title format -> leader/06-07 (type of record, bibliographic level), same in both dialects
# except where UNIMARC differs (electronic is 'l', multimedia 'm').
_LEADER = {"book": "am", "serial": "as", "music_score": "cm", "map": "em", "video": "gm",
           "sound_recording": "jm", "image": "km", "electronic": "mm", "mixed": "om",
           "object": "rm", "manuscript": "tm"}
_UNIMARC_LEADER = {**_LEADER, "electronic": "lm", "mixed": "mm", "manuscript": "bm"}
_MARC21_CLASS = {"lcc": "050", "nlm": "060", "udc": "080", "ddc": "082", "local": "090"}
_UNIMARC_CLASS = {"clc": "690", "cas": "692", "udc": "675", "ddc": "676", "lcc": "680"}
_NAME_21 = {"personal": ("100", "700"), "corporate": ("110", "710"), "meeting": ("111", "711")}


def _f(tag: str, ind: str, *pairs: tuple[str, str | None]) -> Field | None:
    subfields = [Subfield(code, value) for code, value in pairs if value]
    return Field(tag, Indicators(ind[0], ind[1]), subfields) if subfields else None


def _control(row: dict[str, Any]) -> tuple[str, list[str]]:
    """The 001 (the original control number when known, else the title id) and the 035s."""
    keys = list(row.get("source_keys") or [])
    first = next((k[4:] for k in keys if k.startswith("001:")), None)
    return first or row["title_id"], [k[4:] for k in keys if k.startswith("035:")]


def _subject_parts(subject: str) -> list[str]:
    return [part for part in subject.split(" -- ") if part]


def _isbns(row: dict[str, Any]) -> list[str]:
    keys = [k[5:] for k in row.get("source_keys") or [] if k.startswith("isbn:")]
    return list(dict.fromkeys(([row["isbn"]] if row.get("isbn") else []) + keys))


def _year_and_languages(row: dict[str, Any]) -> tuple[str, list[str]]:
    """The fixed-field year (four digits or blanks) and the title's language codes."""
    year = f"{row['year']:04d}" if row.get("year") else "    "
    return year, list(row.get("languages") or ([row["language"]] if row.get("language") else []))


def marc21(row: dict[str, Any]) -> Record:
    """One title as a MARC 21 bibliographic record."""
    record = Record(force_utf8=True)
    kind = _LEADER.get(row.get("format") or "book", "am")
    record.leader = Leader(f"00000n{kind} a2200000 i 4500")
    control, system = _control(row)
    year, langs = _year_and_languages(row)
    fields: list[Field | None] = [Field("001", data=control)]
    fields.append(Field("008", data=f"000000s{year}    xx            000 0 {(langs or ['und'])[0]:3} d"))
    fields += [_f("020", "  ", ("a", i)) for i in _isbns(row)]
    fields += [_f("035", "  ", ("a", s)) for s in system]
    if len(langs) > 1:
        fields.append(_f("041", "0 ", *(("a", code) for code in langs)))
    for mark in row.get("classes") or []:
        tag = _MARC21_CLASS.get(mark["scheme"], "084")
        fields.append(_f(tag, "  ", ("a", mark["value"]),
                         ("2", mark["scheme"] if tag == "084" else None)))
    names = row.get("names") or []
    first_author = next((n for n in names if n["role"] == "author"), None)
    links = 0
    vernacular: list[Field | None] = []

    def link(tag: str, original: str | None) -> str | None:
        """An 880 for ``original`` linked to the field about to be written, or None."""
        nonlocal links
        if not original:
            return None
        links += 1
        vernacular.append(_f("880", "  ", ("6", f"{tag}-{links:02d}"), ("a", original)))
        return f"880-{links:02d}"

    for name in names:
        main, added = _NAME_21[name.get("kind") or "personal"]
        tag = main if name is first_author else added
        term = "j" if name.get("kind") == "meeting" else "e"
        six = link(tag, name.get("original"))
        fields.append(_f(tag, "1 " if name.get("kind") != "meeting" else "2 ", ("6", six),
                         ("a", name["name"]), (term, name["role"])))
    nonfiling = str(row.get("nonfiling") or 0)
    six = link("245", row.get("title_original"))
    fields.append(_f("245", ("1" if names else "0") + nonfiling, ("6", six),
                     ("a", row["title"])))
    fields += [_f("246", "3 ", ("a", v)) for v in row.get("variant_titles") or []]
    fields.append(_f("250", "  ", ("a", row.get("edition"))))
    fields.append(_f("264", " 1", ("b", row.get("publisher")),
                     ("c", str(row["year"]) if row.get("year") else None)))
    fields.append(_f("300", "  ", ("a", row.get("pages"))))
    fields += [_f("490", "0 ", ("a", s)) for s in row.get("series") or []]
    fields.append(_f("520", "  ", ("a", row.get("summary"))))
    for subject in row.get("subjects") or []:
        head, *rest = _subject_parts(subject) or [subject]
        fields.append(_f("650", " 4", ("a", head), *(("x", part) for part in rest)))
    fields += vernacular
    record.add_field(*[f for f in fields if f is not None])
    return record


def cnmarc(row: dict[str, Any]) -> Record:
    """One title as a CNMARC (UNIMARC) bibliographic record, character set Unicode (50)."""
    record = Record(force_utf8=True)
    kind = _UNIMARC_LEADER.get(row.get("format") or "book", "am")
    record.leader = Leader(f"00000n{kind}0 2200000   450 ")
    control, system = _control(row)
    year, langs = _year_and_languages(row)
    fields: list[Field | None] = [Field("001", data=control)]
    fields += [_f("010", "  ", ("a", i)) for i in _isbns(row)]
    fields += [_f("035", "  ", ("a", s)) for s in system]
    fields.append(_f("100", "  ", ("a", f"00000000d{year}    em y0chiy50      ea")))
    fields.append(_f("101", "0 ", *(("a", code) for code in langs)))
    title, nonfiling = row["title"], int(row.get("nonfiling") or 0)
    if 0 < nonfiling < len(title):  # UNIMARC marks the non-filing article with NSB/NSE
        title = "\x88" + title[:nonfiling] + "\x89" + title[nonfiling:]
    fields.append(_f("200", "1 ", ("a", title)))
    fields.append(_f("205", "  ", ("a", row.get("edition"))))
    fields.append(_f("210", "  ", ("c", row.get("publisher")),
                     ("d", str(row["year"]) if row.get("year") else None)))
    fields.append(_f("215", "  ", ("a", row.get("pages"))))
    fields += [_f("225", "2 ", ("a", s)) for s in row.get("series") or []]
    fields.append(_f("330", "  ", ("a", row.get("summary"))))
    fields += [_f("517", "1 ", ("a", v)) for v in row.get("variant_titles") or []]
    for subject in row.get("subjects") or []:
        head, *rest = _subject_parts(subject) or [subject]
        fields.append(_f("606", "0 ", ("a", head), *(("x", part) for part in rest)))
    for mark in row.get("classes") or []:
        tag = _UNIMARC_CLASS.get(mark["scheme"], "686")
        fields.append(_f(tag, "  ", ("a", mark["value"]),
                         ("2", mark["scheme"] if tag == "686" else None)))
    for name in row.get("names") or []:
        personal = (name.get("kind") or "personal") == "personal"
        secondary = name["role"] not in ("author", "creator")
        tag = ("702" if secondary else "701") if personal else ("712" if secondary else "711")
        ind = " 0" if personal else ("12" if name.get("kind") == "meeting" else "02")
        fields.append(_f(tag, ind, ("a", name["name"]), ("4", name["role"])))
    record.add_field(*[f for f in fields if f is not None])
    return record


def iso2709(rows: Iterable[dict[str, Any]], dialect: str) -> Iterator[bytes]:
    """ISO 2709 bytes, one record per title, in ``dialect`` 'marc21' or 'cnmarc'."""
    build = cnmarc if dialect == "cnmarc" else marc21
    for row in rows:
        yield build(row).as_marc()
