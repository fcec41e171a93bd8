"""SIP2 codec: checksums, parsing and building of every message, framing, field mappings."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from service.adapters.sip2.codec import (
    Message,
    Sip2FormatError,
    checksum_of,
    checksum_ok,
    encode,
    format_timestamp,
    parse,
    parse_timestamp,
    to_text,
)
from service.adapters.sip2.framing import FrameReader
from service.adapters.sip2.messages import SPECS, supported_messages_bitmap
from service.adapters.sip2.results import PatronInfo
from service.adapters.sip2.session import redact
from service.adapters.sip2.status import format_fen, parse_fen, patron_status_flags, sip_language

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAMP = "20240301    101500"


def test_the_sc_status_vector_from_the_3m_guide_has_checksum_fcb4() -> None:
    assert checksum_of("990 402.00AY1AZ") == "FCB4"


def test_the_login_vector_sums_to_ec7b_not_the_ec78_printed_in_the_3m_guide() -> None:
    # The guide's login example is a known erratum: its characters sum to 0x1385, whose
    # two's complement is EC7B. EC78 would need a character sum 3 higher. The same
    # algorithm gives the guide's FCB4 above, so the algorithm is right and the print wrong.
    text = "9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZ"
    assert sum(map(ord, text)) & 0xFFFF == 0x1385
    assert checksum_of(text) == "EC7B"
    assert checksum_of(text) != "EC78"


def test_a_checksum_is_always_four_hex_digits() -> None:
    assert checksum_of("") == "0000"
    assert len(checksum_of("A" * 1000)) == 4


def test_a_checksum_can_be_verified_over_characters_or_over_bytes() -> None:
    text = "17" + STAMP + "AOLECTOR|AB三体|AY1AZ"
    raw_bytes = text.encode("utf-8")
    over_chars = text + checksum_of(text)
    over_bytes = text + checksum_of(raw_bytes)
    assert over_chars != over_bytes
    assert checksum_ok(over_chars, over_chars.encode("utf-8"))
    assert checksum_ok(over_bytes, over_bytes.encode("utf-8"))
    assert not checksum_ok(text + "0000", (text + "0000").encode("utf-8"))


def test_a_three_digit_checksum_without_its_leading_zero_is_accepted() -> None:
    body = "9300CNkiosk|COpw|CP"
    padding = ""
    while not checksum_of(body + padding + "|AY1AZ").startswith("0"):
        padding += "~"
    text = body + padding + "|AY1AZ"
    short = text + checksum_of(text)[1:]
    assert len(short) == len(text) + 3
    assert checksum_ok(short, short.encode("ascii"))
    assert parse(short).get("CP") == padding


def test_an_empty_checksum_field_fails_verification() -> None:
    assert not checksum_ok("990 402.00AY1AZ", b"990 402.00AY1AZ")


def _sample(spec_code: str) -> Message:
    spec = SPECS[spec_code]
    fixed = {f.name: (STAMP if f.is_date else "Y" * f.length) for f in spec.fixed}
    fields = () if spec_code in ("96", "97") else (("AO", "LECTOR"), ("AJ", "三体 / 刘慈欣"),
                                                  ("AU", "B001"), ("AU", "B002"))
    return Message(spec_code, fixed, fields, sequence="7")


@pytest.mark.parametrize("code", sorted(SPECS))
def test_every_message_type_survives_build_then_parse(code: str) -> None:
    message = _sample(code)
    text = to_text(message, with_checksum=True)
    parsed = parse(text)
    assert parsed.code == code
    assert dict(parsed.fixed) == dict(message.fixed)
    assert parsed.fields == message.fields
    assert parsed.sequence == "7"
    assert checksum_ok(text, text.encode("utf-8"))
    assert to_text(parsed, with_checksum=True) == text


@pytest.mark.parametrize(
    "text",
    [
        "9900401.00AY1",
        "6300119980723    091905Y         AOInstitutionID|AAPatronID|BP00001|BQ00005|AY1",
        "11YN20240301    101500                  AOLECTOR|AAR1|ABB1|AC|ADpw|BON|BIN|AY2",
        "2300120240301    101500AOid_21|AA104000000105|AC|AD|",
        "98YYYYNN03000320240301    1015002.00AOLECTOR|BXYYYNYYYYYYYNNYYY|",
        "1808000120240301    101500CF0|ABB1|AJTitle|",
    ],
)
def test_real_world_shapes_parse_and_rebuild_to_the_same_text(text: str) -> None:
    assert to_text(parse(text), with_checksum=False) == text


def test_an_all_blank_date_is_kept_as_blank() -> None:
    parsed = parse("11NN" + " " * 36 + "AOLECTOR|AAR1|ABB1|")
    assert parsed.fixed["transaction_date"] == " " * 18
    assert parsed.fixed["nb_due_date"] == " " * 18
    assert parsed.get("AB") == "B1"


def test_a_missing_transaction_date_leaves_the_fields_intact() -> None:
    parsed = parse("65AOLECTOR|AAR1|ADpw|AY3AZFFFF")
    assert parsed.fixed["transaction_date"] == ""
    assert parsed.get("AA") == "R1"
    assert parsed.sequence == "3"
    assert parsed.checksum == "FFFF"


def test_a_final_field_without_a_bar_before_ay_is_read() -> None:
    parsed = parse("1720240301    101500AOLECTOR|ABB001AY4")
    assert parsed.get("AB") == "B001"
    assert parsed.sequence == "4"


@pytest.mark.parametrize("text", ["", "9", "X1abc", "42hello", "99", "6300", "11Y"])
def test_lines_that_are_not_sip2_messages_raise_a_format_error(text: str) -> None:
    with pytest.raises(Sip2FormatError):
        parse(text)


def test_values_with_bars_or_line_breaks_cannot_break_the_frame() -> None:
    message = Message("36", {"end_session": "Y", "transaction_date": STAMP},
                      (("AF", "a|b\rc\nd"),))
    assert parse(to_text(message, with_checksum=False)).get("AF") == "a b c d"


def test_encoding_adds_sequence_checksum_over_bytes_and_the_line_ending() -> None:
    message = Message("94", {"ok": "1"}, sequence="0")
    data = encode(message, encoding="gb18030", ending=b"\r\n", with_checksum=True)
    assert data == b"941AY0AZ" + checksum_of("941AY0AZ").encode() + b"\r\n"


def test_building_rejects_a_fixed_field_of_the_wrong_width() -> None:
    with pytest.raises(ValueError):
        to_text(Message("94", {"ok": "10"}), with_checksum=False)


def test_sip_timestamps_are_local_unless_marked_universal() -> None:
    local = parse_timestamp("20240301    101500", SHANGHAI)
    utc = parse_timestamp("20240301   Z101500", SHANGHAI)
    assert local == datetime(2024, 3, 1, 10, 15, tzinfo=SHANGHAI)
    assert utc == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert parse_timestamp(" " * 18, SHANGHAI) is None
    assert parse_timestamp("20241399    999999", SHANGHAI) is None
    assert format_timestamp(datetime(2024, 3, 1, 2, 15, tzinfo=UTC), SHANGHAI) == STAMP


def test_frames_keep_each_line_ending_even_when_split_across_packets() -> None:
    reader = FrameReader()
    first = reader.feed(b"990 402.00\r")
    second = reader.feed(b"\n9900\r\n99\rX")
    assert [(f.payload, f.ending) for f in first] == [(b"990 402.00", b"\r")]
    assert [(f.payload, f.ending) for f in second] == [(b"9900", b"\r\n"), (b"99", b"\r")]
    assert [f.payload for f in reader.feed(b"Y\n")] == [b"XY"]


def test_an_endless_line_is_reported_once_and_then_skipped() -> None:
    reader = FrameReader(max_bytes=16)
    frames = reader.feed(b"A" * 40) + reader.feed(b"B" * 40) + reader.feed(b"C\r99\r")
    assert [f.overflow for f in frames] == [True, False]
    assert frames[1].payload == b"99"


def test_the_supported_messages_bitmap_names_what_lector_answers() -> None:
    assert supported_messages_bitmap() == "YYYNYYYYYYYNNYYY"


def test_block_reasons_and_limits_set_the_patron_status_flags() -> None:
    fines = PatronInfo(card="R", name="n", block_reasons=("fines_over_limit",))
    full = PatronInfo(card="R", name="n", loan_count=5, loan_limit=5)
    assert patron_status_flags(fines) == "YYYY      Y   "
    assert patron_status_flags(full) == "     Y        "
    assert patron_status_flags(PatronInfo(card="R", name="n")) == " " * 14


def test_languages_map_to_sip_codes() -> None:
    assert (sip_language("zh-CN"), sip_language("en"), sip_language("fr")) == (
        "019", "001", "000")


def test_amounts_are_read_and_written_in_fen_without_floats() -> None:
    assert [parse_fen(t) for t in ("12", "12.5", "12.50", "0.07")] == [1200, 1250, 1250, 7]
    assert [parse_fen(t) for t in ("-1", "1.234", "abc", "")] == [None, None, None, None]
    assert (format_fen(1250), format_fen(7), format_fen(-300)) == ("12.50", "0.07", "-3.00")


def test_redaction_masks_passwords_pins_and_terminal_passwords() -> None:
    login = parse("9300CNkiosk|COtopsecret|CPMAIN|")
    info = parse("6300120240301    101500          AOL|AAR1|ACterm|ADpin42|")
    assert "topsecret" not in redact(login) and "kiosk" in redact(login)
    assert "pin42" not in redact(info) and "term" not in redact(info)
