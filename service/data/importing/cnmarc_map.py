"""Map one decoded CNMARC / UNIMARC record to a TitleRecord (fields per the UNIMARC manual)."""

from __future__ import annotations

from pymarc import Field, Record

from service.data.importing.marc_fields import (
    control,
    fixed_year,
    heading,
    joined,
    languages,
    price_fen,
    sub,
    subs,
    title_format,
    year_in,
)
from service.data.importing.marc_holdings import unimarc_copies
from service.data.importing.marc_model import ClassMark, Name, RecordError, TitleRecord
from service.data.importing.marc_relators import is_author, role_of
from service.data.importing.marc_text import clean_isbd, clean_name, collect_isbns, dedupe, tidy

# UNIMARC non-sorting markers (NSB/NSE) around a leading article: '\x88Le \x89monde'.
_NSB, _NSE = "\x88", "\x89"
# tag -> (kind, default role): 700/710 primary, 701/711 alternative, 702/712 secondary.
_NAME_TAGS = {"700": ("personal", "author"), "701": ("personal", "author"),
              "702": ("personal", "contributor"), "710": ("corporate", "author"),
              "711": ("corporate", "author"), "712": ("corporate", "contributor")}
# tag -> main-part subfields; subdivisions are $j form, $x topical, $y place, $z period
_SUBJECT_TAGS = {"600": "abcdf", "601": "abcdef", "602": "af", "604": "at", "605": "ahi",
                 "606": "a", "607": "a", "608": "a", "616": "a"}
_CLASS_TAGS = {"690": "clc", "692": "cas", "675": "udc", "676": "ddc", "680": "lcc"}


def _plain(value: str) -> tuple[str, int]:
    """The value without NSB/NSE markers, and how many leading characters do not file."""
    if value.startswith(_NSB) and _NSE in value:
        article, rest = value[1:].split(_NSE, 1)
        return article + rest, len(article)
    return value.replace(_NSB, "").replace(_NSE, ""), 0


def _title(field: Field) -> tuple[str, int]:
    parts = [clean_isbd(v) for v in field.get_subfields("a") if v.strip()]
    if not parts:
        return "", 0
    title, nonfiling = _plain(" ; ".join(parts))
    for code, sep in (("e", " : "), ("h", ". "), ("i", ". ")):
        title += "".join(sep + clean_isbd(v) for v in field.get_subfields(code) if v.strip())
    return clean_isbd(_plain(title)[0]), nonfiling


def _personal(field: Field) -> str:
    entry, rest = clean_name(sub(field, "a") or ""), clean_name(sub(field, "b") or "")
    name = f"{entry}, {rest}" if rest else entry
    extra = " ".join(clean_isbd(v) for v in subs(field, "dc"))
    return tidy(f"{name} {extra}") if extra else name


def _names(record: Record) -> tuple[Name, ...]:
    names: list[Name] = []
    for field in record.get_fields(*_NAME_TAGS):
        kind, default = _NAME_TAGS[field.tag]
        if kind == "personal":
            name = _personal(field)
        else:  # indicator 1 = '1' is a meeting; $d number, $f date, $e place
            kind = "meeting" if field.indicator1 == "1" else "corporate"
            name = clean_isbd(". ".join([joined(field, "a"), *subs(field, "bc")]))
            if kind == "meeting" and subs(field, "dfe"):
                name += f" ({' : '.join(clean_isbd(v) for v in subs(field, 'dfe'))})"
        name = _plain(name)[0]
        if name:
            names.append(Name(name, role_of([], field.get_subfields("4"), default), kind))
    return tuple(dict.fromkeys(names))


def _publication(record: Record) -> tuple[str | None, int | None]:
    fields = record.get_fields("210", "214")
    publisher = next((clean_isbd(v) for f in fields if (v := sub(f, "c"))), None)
    general = next((sub(f, "a") or "" for f in record.get_fields("100")), "")
    year = fixed_year(general[9:13]) if general[8:9] not in ("", " ", "u") else None
    if year is None:
        year = next((y for f in fields for d in f.get_subfields("d") if (y := year_in(d))), None)
    return publisher or None, year


def _classes(record: Record) -> tuple[ClassMark, ...]:
    marks = []
    for field in record.get_fields(*_CLASS_TAGS, "686"):
        value = clean_isbd(sub(field, "a") or "")
        scheme = _CLASS_TAGS.get(field.tag) or clean_isbd(sub(field, "2") or "").lower() or "other"
        if value:
            marks.append(ClassMark(scheme, value))
    return tuple(dict.fromkeys(marks))


def _variant_titles(record: Record, title: str) -> tuple[str, ...]:
    found = [_plain(clean_isbd(v))[0] for f in record.get_fields("200") for v in subs(f, "d9")]
    for field in record.get_fields("500", "510", "512", "513", "514", "515", "516", "517",
                                   "518", "532", "540", "541"):
        found.append(_plain(joined(field, "ahie", ". "))[0])
    return tuple(t for t in dedupe(found) if t != title)


def _series(record: Record) -> tuple[str, ...]:
    found = [joined(f, "aehiv", " ; ") for f in record.get_fields("225")]
    found += [joined(f, "atv", " ; ") for f in record.get_fields("410", "411")]
    return dedupe([_plain(s)[0] for s in found])


def _first(record: Record, tag: str, codes: str, sep: str = " ") -> str | None:
    return next((v for f in record.get_fields(tag) if (v := joined(f, codes, sep))), None)


def map_unimarc(
    record: Record, position: int, warnings: tuple[str, ...] = ()
) -> TitleRecord | RecordError:
    """Turn a decoded CNMARC/UNIMARC record into the TitleRecord Lector catalogues."""
    controlno = control(record, "001").strip() or None
    main = record.get_fields("200")
    title, nonfiling = _title(main[0]) if main else ("", 0)
    if not title:
        return RecordError(position, controlno, "missing_title")
    isbn_fields = record.get_fields("010")
    isbns, isbn_errors = collect_isbns([v for f in isbn_fields for v in f.get_subfields("a")
                                        if v.strip()])
    price = next((p for f in isbn_fields if (p := price_fen(sub(f, "d")))), None)
    names = _names(record)
    publisher, year = _publication(record)
    classes = _classes(record)
    langs = languages([v for f in record.get_fields("101") for v in f.get_subfields("a")])
    by_scheme = {c.scheme: c.value for c in reversed(classes)}
    return TitleRecord(
        source_position=position, control_number=controlno,
        system_numbers=dedupe([v.strip() for f in record.get_fields("035")
                               for v in f.get_subfields("a")]),
        title=title, authors=dedupe([n.name for n in names if is_author(n.role)]),
        isbns=isbns, isbn_errors=isbn_errors, publisher=publisher, year=year,
        language=langs[0] if langs else None, clc_class=by_scheme.get("clc"),
        lc_class=by_scheme.get("lcc"), dewey=by_scheme.get("ddc"),
        subjects=dedupe([heading(f, _SUBJECT_TAGS[f.tag], "jxyz")
                         for f in record.get_fields(*_SUBJECT_TAGS)]
                        + [clean_isbd(v) for f in record.get_fields("610")
                           for v in f.get_subfields("a")]),
        copies=unimarc_copies(record, price), warnings=warnings, names=names, classes=classes,
        variant_titles=_variant_titles(record, title), languages=langs,
        format=title_format(str(record.leader), unimarc=True), nonfiling=nonfiling,
        series=_series(record), edition=_first(record, "205", "ab"),
        pages=_first(record, "215", "a"), summary=_first(record, "330", "a"),
        marc_format="cnmarc",
    )
