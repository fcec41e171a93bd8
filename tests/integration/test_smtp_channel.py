"""The SMTP channel against real aiosmtpd servers on loopback (plain, STARTTLS, SMTPS)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.domain.notices.keys import message_id, notice_key
from service.domain.notices.render import RenderedNotice, render_notice
from service.domain.notices.samples import sample_context
from workers.notices.delivery import PermanentDeliveryError, TransientDeliveryError
from workers.notices.smtp_channel import SmtpSettings, send_email

SENDER = "城东区图书馆 <noreply@lib.example.cn>"
READER = ("reader@example.org", "李晓明")
KEY = notice_key("reservation_ready", hold_id=7, ref=1042)
MID = message_id(KEY, "lib.example.cn")


class Sink:
    """Accepts everything; optional status lines make RCPT, DATA or QUIT fail or stall."""

    def __init__(self, rcpt: str | None = None, data: str | None = None,
                 quit_delay: float = 0.0, quit_reply: str | None = None) -> None:
        self.rcpt, self.data, self.quit_delay, self.quit_reply = rcpt, data, quit_delay, quit_reply
        self.received: list[Envelope] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if self.rcpt:
            return self.rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.data:
            return self.data
        self.received.append(envelope)
        return "250 OK: queued"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Envelope) -> str:
        await asyncio.sleep(self.quit_delay)
        return self.quit_reply or "221 Bye"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[Controller] = []

    def start(handler: Sink, **kwargs: Any) -> int:
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made fresh for this run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_path, key_path


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def _rendered() -> RenderedNotice:
    return render_notice("reservation_ready", "zh-CN", sample_context("reservation_ready", "zh"))


def _settings(port: int, **changes: Any) -> SmtpSettings:
    return SmtpSettings(**{"host": "127.0.0.1", "port": port, "sender": SENDER, "timeout": 5.0,
                           **changes})


def _parsed(envelope: Envelope) -> EmailMessage:
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_chinese_notice_arrives_whole_with_its_derived_message_id(serve: Any) -> None:
    sink = Sink()
    rendered = _rendered()
    send_email(_settings(serve(sink)), *READER, rendered, MID,
               sent_at=datetime(2026, 12, 3, 9, 30, tzinfo=UTC))
    [envelope] = sink.received
    message = _parsed(envelope)
    assert (envelope.mail_from, envelope.rcpt_tos) == ("noreply@lib.example.cn", [READER[0]])
    assert message["Subject"] == rendered.subject == (
        "【城东区图书馆】您预约的《三体》已到馆，请于2026年12月10日前取书")
    assert message["Message-ID"] == MID
    assert message["To"].addresses[0].display_name == "李晓明"
    assert message["From"].addresses[0].display_name == "城东区图书馆"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content() == rendered.text and "李晓明，您好" in plain.get_content()
    # MIME text travels with CRLF line ends; the quoted-printable HTML part keeps them.
    assert html.get_content().replace("\r\n", "\n") == rendered.html
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"


def test_the_sender_domain_is_read_from_the_configured_sender() -> None:
    assert _settings(25).sender_domain == "lib.example.cn"
    assert SmtpSettings("relay", sender="Lector <noreply@Lector.Local>").sender_domain == (
        "lector.local")


def test_the_wire_format_is_seven_bit_clean(serve: Any) -> None:
    sink = Sink()
    send_email(_settings(serve(sink)), *READER, _rendered(), MID)
    content = sink.received[0].content
    assert isinstance(content, bytes) and content.isascii()


def test_sending_the_same_key_twice_repeats_the_same_message_id(serve: Any) -> None:
    sink = Sink()
    settings = _settings(serve(sink))
    for _ in range(2):
        send_email(settings, *READER, _rendered(), message_id(KEY, "lib.example.cn"))
    assert [_parsed(e)["Message-ID"] for e in sink.received] == [MID, MID]


def test_extra_headers_are_added(serve: Any) -> None:
    sink = Sink()
    send_email(_settings(serve(sink)), *READER, _rendered(), MID, {"X-Lector-Notice-Key": KEY})
    assert _parsed(sink.received[0])["X-Lector-Notice-Key"] == KEY


def test_starttls_with_login_delivers_to_a_server_that_requires_both(
    serve: Any, certificate: tuple[Path, Path]
) -> None:
    logins: list[bytes] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        if ok:
            logins.append(auth_data.login)
        return AuthResult(success=ok, handled=False)

    sink = Sink()
    port = serve(sink, tls_context=_server_tls(certificate), require_starttls=True,
                 authenticator=authenticator, auth_require_tls=True)
    settings = _settings(port, security="starttls", username="lector", password="s3cret",
                         ca_file=str(certificate[0]))
    send_email(settings, *READER, _rendered(), MID)
    assert logins == [b"lector"] and _parsed(sink.received[0])["Message-ID"] == MID


def test_implicit_tls_delivers(serve: Any, certificate: tuple[Path, Path]) -> None:
    sink = Sink()
    port = serve(sink, ssl_context=_server_tls(certificate))
    send_email(_settings(port, security="ssl", ca_file=str(certificate[0])), *READER,
               _rendered(), MID)
    assert len(sink.received) == 1


def test_an_untrusted_certificate_is_a_transient_tls_failure(
    serve: Any, certificate: tuple[Path, Path]
) -> None:
    port = serve(Sink(), tls_context=_server_tls(certificate), require_starttls=True)
    with pytest.raises(TransientDeliveryError) as caught:
        send_email(_settings(port, security="starttls"), *READER, _rendered(), MID)
    assert caught.value.reason == "tls_failed"


def test_starttls_against_a_relay_without_it_is_a_transient_tls_failure(serve: Any) -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        send_email(_settings(serve(Sink()), security="starttls"), *READER, _rendered(), MID)
    assert caught.value.reason == "tls_failed"


def test_wrong_credentials_wait_for_the_operator(
    serve: Any, certificate: tuple[Path, Path]
) -> None:
    def refuse(*args: Any) -> AuthResult:
        return AuthResult(success=False, handled=False)  # handled=False: server answers 535

    port = serve(Sink(), tls_context=_server_tls(certificate), authenticator=refuse)
    settings = _settings(port, security="starttls", username="lector", password="wrong",
                         ca_file=str(certificate[0]))
    with pytest.raises(TransientDeliveryError) as caught:
        send_email(settings, *READER, _rendered(), MID)
    assert (caught.value.reason, caught.value.code) == ("auth_failed", 535)


def test_a_closed_port_is_a_transient_connection_failure() -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        send_email(_settings(_free_port()), *READER, _rendered(), MID)
    assert caught.value.reason == "connection_failed"


def test_a_server_that_never_greets_is_a_transient_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel accepts the connection; nobody ever says 220
        port = silent.getsockname()[1]
        with pytest.raises(TransientDeliveryError) as caught:
            send_email(_settings(port, timeout=0.5), *READER, _rendered(), MID)
    assert caught.value.reason == "timeout"


@pytest.mark.parametrize(
    ("sink", "error", "reason", "code"),
    [
        (Sink(rcpt="550 5.1.1 No such user"), PermanentDeliveryError, "recipient_rejected", 550),
        (Sink(rcpt="451 4.3.0 Try again later"), TransientDeliveryError, "smtp_temporary", 451),
        (Sink(data="550 5.7.1 Message refused"), PermanentDeliveryError, "message_rejected", 550),
        (Sink(data="451 4.3.0 Queue full"), TransientDeliveryError, "smtp_temporary", 451),
    ],
    ids=["rcpt-550", "rcpt-451", "data-550", "data-451"],
)
def test_smtp_replies_decide_whether_a_retry_can_help(
    serve: Any, sink: Sink, error: type[Exception], reason: str, code: int
) -> None:
    with pytest.raises(error) as caught:
        send_email(_settings(serve(sink)), *READER, _rendered(), MID)
    assert (caught.value.reason, caught.value.code) == (reason, code)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "sink", [Sink(quit_reply="421 4.3.2 Shutting down"), Sink(quit_delay=2.0)],
    ids=["quit-421", "quit-times-out"],
)
def test_a_message_the_server_accepted_is_delivered_even_if_quit_fails(
    serve: Any, sink: Sink
) -> None:
    # Reporting a failure here would make the caller retry and deliver the notice twice.
    send_email(_settings(serve(sink), timeout=0.5), *READER, _rendered(), MID)
    assert len(sink.received) == 1


@pytest.mark.parametrize("address", ["not-an-address", "two@@example.org", "a b@example.org",
                                     "x@example.org, y@example.org", ""])
def test_an_invalid_address_fails_for_good_without_connecting(address: str) -> None:
    with pytest.raises(PermanentDeliveryError) as caught:
        send_email(_settings(_free_port()), address, "李晓明", _rendered(), MID)
    assert caught.value.reason == "invalid_address"
