"""Property tests: no input a kiosk can send makes the SIP2 codec or session misbehave."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from service.adapters.sip2.backend import KioskAccount
from service.adapters.sip2.codec import Message, Sip2FormatError, checksum_of, parse, to_text
from service.adapters.sip2.framing import FrameReader
from service.adapters.sip2.messages import SPECS
from service.adapters.sip2.session import Sip2Session
from service.adapters.sip2.settings import Sip2Settings
from tests.sip2_fake_backend import FakeReader, FakeSip2Backend

NOW = datetime(2024, 3, 1, 10, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
KIOSK = KioskAccount(kiosk_id="k1", institution_id="LECTOR", location="MAIN")
REPLY = re.compile(rb"[0-9]{2}.*(\r\n|\r|\n)\Z", re.DOTALL)
STATUS = b"9900802.00AY9AZ" + checksum_of("9900802.00AY9AZ").encode() + b"\r"


def _session(backend: FakeSip2Backend | None = None) -> Sip2Session:
    backend = backend or FakeSip2Backend(date(2024, 3, 1), {("k1", "pw"): KIOSK})
    backend.add_title("T1", "三体", "B001")
    backend.add_reader(FakeReader("R001", "张三", "1234"))
    return Sip2Session(backend, Sip2Settings(), lambda: NOW, "test")


def _login(session: Sip2Session) -> None:
    reader = FrameReader()
    for frame in reader.feed(b"9300CNk1|COpw|CPMAIN|\r"):
        assert session.handle(frame).startswith(b"941")


_sip_like = st.builds(
    lambda code, body: code + body,
    st.sampled_from([*sorted(SPECS), "00", "42", "AZ"]),
    st.text(max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), _sip_like))
def test_parsing_any_text_either_succeeds_or_raises_a_format_error(text: str) -> None:
    try:
        message = parse(text)
    except Sip2FormatError:
        return
    assert message.code in SPECS


@settings(max_examples=200, deadline=None)
@given(
    code=st.sampled_from(sorted(SPECS)),
    values=st.lists(
        st.tuples(st.from_regex(r"[A-Z]{2}", fullmatch=True),
                  st.text(st.characters(exclude_characters="|\r\n"), max_size=30)),
        max_size=6,
    ),
    sequence=st.one_of(st.none(), st.sampled_from("0123456789")),
)
def test_any_well_formed_message_round_trips(
    code: str, values: list[tuple[str, str]], sequence: str | None
) -> None:
    if code in ("96", "97"):
        values = []
    # A value ending like a sequence or checksum field cannot be told apart at the very end.
    values = [(key, value) for key, value in values if key not in ("AY", "AZ")]
    fixed = {f.name: ("20240301    101500" if f.is_date else "N" * f.length)
             for f in SPECS[code].fixed}
    message = Message(code, fixed, tuple(values), sequence)
    parsed = parse(to_text(message, with_checksum=True))
    assert (parsed.code, dict(parsed.fixed), parsed.fields, parsed.sequence) == (
        code, fixed, message.fields, sequence)


@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(st.binary(max_size=200), max_size=8), logged_in=st.booleans())
def test_a_session_answers_every_line_of_garbage_and_then_a_valid_request(
    chunks: list[bytes], logged_in: bool
) -> None:
    session = _session()
    if logged_in:
        _login(session)
    reader = FrameReader(max_bytes=512)
    for chunk in [*chunks, b"\r", STATUS]:
        for frame in reader.feed(chunk):
            reply = session.handle(frame)
            assert REPLY.fullmatch(reply)
            assert reply.endswith(frame.ending)
            last = reply
    assert last.startswith(b"98Y")


class ExplodingBackend(FakeSip2Backend):
    def checkout(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("database unavailable")


def test_a_failing_backend_gets_the_kiosk_a_clean_refusal_not_a_hang() -> None:
    session = _session(ExplodingBackend(date(2024, 3, 1), {("k1", "pw"): KIOSK}))
    _login(session)
    (frame,) = FrameReader().feed(
        b"11NN20240301    101500                  AOLECTOR|AAR001|ABB001|AD1234|AY1\r"
    )
    reply = session.handle(frame).decode()
    assert reply.startswith("120N")
    assert "系统暂时无法处理" in reply
