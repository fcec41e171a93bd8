"""Holdings fields -> copies: MARC 21 852 and Koha 952; UNIMARC Koha 995 and CNMARC 905."""

from __future__ import annotations

from pymarc import Field, Record

from service.data.importing.marc_fields import sub
from service.data.importing.marc_model import CopySpec


def _value(field: Field, *codes: str) -> str | None:
    for code in codes:
        value = (sub(field, code) or "").strip()
        if value:
            return value
    return None


def marc21_copies(record: Record) -> tuple[CopySpec, ...]:
    """852: $p barcode, $b (else $a) branch, $k $h $i $m shelf mark; 952 is Koha's item."""
    copies: list[CopySpec] = []
    for field in record.get_fields("852"):
        shelf = " ".join(v.strip() for c in "khim" if (v := sub(field, c)))
        copies.append(CopySpec(_value(field, "p"), _value(field, "b", "a"), shelf or None, None))
    for field in record.get_fields("952"):  # Koha item: $a home branch, $b holding branch
        copies.append(CopySpec(_value(field, "p"), _value(field, "a", "b"), _value(field, "o"),
                               _value(field, "y")))
    return tuple(copies)


def unimarc_copies(record: Record, price: int | None) -> tuple[CopySpec, ...]:
    """CNMARC 905 ($b barcode, $c location else $a library, $d $e call number) and Koha 995."""
    copies: list[CopySpec] = []
    for field in record.get_fields("905"):
        shelf = "/".join(v.strip() for c in "de" if (v := sub(field, c)))
        copies.append(CopySpec(_value(field, "b"), _value(field, "c", "a"), shelf or None,
                               None, price))
    for field in record.get_fields("995"):  # Koha UNIMARC item: $f barcode, $b/$c branch
        copies.append(CopySpec(_value(field, "f"), _value(field, "b", "c"), _value(field, "k"),
                               _value(field, "r"), price))
    return tuple(copies)
