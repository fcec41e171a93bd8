"""The SIP2 server over real sockets, driven by the third-party `sip2` client and raw kiosks."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from Sip2.sip2 import Sip2

from service.adapters.sip2.backend import KioskAccount, Sip2Backend
from service.adapters.sip2.codec import checksum_of
from service.adapters.sip2.server import Sip2Server
from service.adapters.sip2.settings import Sip2Settings
from tests.sip2_fake_backend import FakeLoan, FakeReader, FakeSip2Backend

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2024, 3, 1)
NOW = datetime(2024, 3, 1, 10, 15, tzinfo=SHANGHAI)
KIOSK = KioskAccount(kiosk_id="kiosk-1", institution_id="LECTOR", location="MAIN",
                     library_name="Lector Library")
KIOSK_GB = KioskAccount(kiosk_id="kiosk-gb", institution_id="LECTOR", location="EAST",
                        charset="gb18030")
KIOSK_PASSWORD = "kiosk-pw-Quokka"
PIN = "pin-Wombat"


def make_backend() -> FakeSip2Backend:
    backend = FakeSip2Backend(TODAY, {("kiosk1", KIOSK_PASSWORD): KIOSK,
                                      ("kioskgb", KIOSK_PASSWORD): KIOSK_GB})
    backend.add_title("T1", "三体", "B001", "B002")
    backend.add_title("T2", "Dream of the Red Chamber", "B101")
    for n in range(20):
        backend.add_title(f"C{n}", f"Copy {n}", f"C{n:03d}")
        backend.add_reader(FakeReader(f"K{n:03d}", f"Kiosk reader {n}", PIN))
    backend.add_reader(FakeReader("R001", "张三", PIN, pickup_branch="EAST"))
    backend.add_reader(FakeReader("R002", "Li Si", PIN, language="en"))
    backend.add_reader(FakeReader("R003", "王五", PIN, block_reasons=("fines_over_limit",),
                                  fines_fen=8000))
    return backend


@pytest.fixture
def backend() -> FakeSip2Backend:
    return make_backend()


def start_server(backend: Sip2Backend, **overrides: object) -> Sip2Server:
    server = Sip2Server(backend, host="127.0.0.1", port=0, clock=lambda: NOW,
                        settings=Sip2Settings(**overrides))  # type: ignore[arg-type]
    server.start()
    return server


@pytest.fixture
def server(backend: FakeSip2Backend) -> Iterator[Sip2Server]:
    server = start_server(backend)
    yield server
    server.stop()


@pytest.fixture
def client(server: Sip2Server, tmp_path: Path) -> Iterator[Sip2]:
    sip = Sip2()
    sip.tlsEnable = False
    sip.hostName, sip.hostPort = "127.0.0.1", server.port
    sip.logfile_path = str(tmp_path)  # the client writes a sip2.log of its own
    sip.institutionId, sip.scLocation = "LECTOR", "MAIN"
    sip.connect()
    yield sip
    sip.disconnect()
    client_log = logging.getLogger("Sip2")
    for handler in list(client_log.handlers):
        client_log.removeHandler(handler)
        handler.close()


def login(sip: Sip2, user: str = "kiosk1", password: str = KIOSK_PASSWORD) -> dict:
    return sip.sip_login_response(sip.get_response(sip.sip_login_request(user, password)))


class RawKiosk:
    """A minimal kiosk over a plain or TLS socket, for what the third-party client cannot do."""

    def __init__(self, port: int, *, context: ssl.SSLContext | None = None) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock = context.wrap_socket(sock, server_hostname="localhost") if context else sock
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> bytes:
        while b"\r" not in self.buffer and b"\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        end = min(i for i in (self.buffer.find(b"\r"), self.buffer.find(b"\n")) if i >= 0) + 1
        if self.buffer[end - 1 : end + 1] == b"\r\n":
            end += 1
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        return line

    def ask(self, text: str, *, ending: bytes = b"\r", checksum: bool = True) -> str:
        if checksum:
            text += "AZ"
            text += checksum_of(text)
        self.send(text.encode() + ending)
        return self.reply().decode().rstrip("\r\n")

    def login(self, user: str = "kiosk1") -> str:
        return self.ask(f"9300CN{user}|CO{KIOSK_PASSWORD}|CPMAIN|AY0")

    def close(self) -> None:
        self.sock.close()


def test_a_kiosk_lends_renews_reserves_and_returns_through_a_third_party_client(
    client: Sip2, backend: FakeSip2Backend
) -> None:
    assert login(client)["fixed"]["Ok"] == "1"

    status = client.sip_sc_status_response(client.get_response(client.sip_sc_status_request()))
    assert status["fixed"]["OnlineStatus"] == "Y"
    assert status["fixed"]["ProtocolVersion"] == "2.00"
    assert status["variable"]["BX"] == ["YYYNYYYYYYYNNYYY"]
    assert status["variable"]["AO"] == ["LECTOR"]

    client.patron, client.patronpwd = "R001", PIN
    info = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("none")))
    assert info["fixed"]["PatronStatus"] == " " * 14
    assert info["fixed"]["Language"] == "019"
    assert info["variable"]["AE"] == ["张三"]
    assert (info["variable"]["BL"], info["variable"]["CQ"]) == (["Y"], ["Y"])

    item = client.sip_item_information_response(
        client.get_response(client.sip_item_information_request("B001")))
    assert item["fixed"]["CirculationStatus"] == "03"
    assert item["variable"]["AJ"] == ["三体"]

    lent = client.sip_checkout_response(client.get_response(client.sip_checkout_request("B001")))
    assert (lent["fixed"]["Ok"], lent["fixed"]["Desensitize"]) == ("1", "Y")
    assert lent["variable"]["AH"] == ["20240329    235959"]
    assert lent["variable"]["AF"] == ["借书成功，请于 2024-03-29 前归还。"]
    assert backend.library.loans["B001"].card == "R001"

    renewed = client.sip_renew_response(client.get_response(client.sip_renew_request("B001")))
    assert (renewed["fixed"]["Ok"], renewed["fixed"]["RenewalOk"]) == ("1", "Y")
    assert renewed["variable"]["AH"] == ["20240426    235959"]
    assert backend.library.loans["B001"].renewals == 1

    backend.library.loans["B101"] = FakeLoan("R002", TODAY + timedelta(days=3))
    held = client.sip_hold_response(
        client.get_response(client.sip_hold_request("+", itemIdentifier="B101")))
    assert held["fixed"]["Ok"] == "1"
    assert held["variable"]["BR"] == ["1"]
    assert held["variable"]["AJ"] == ["Dream of the Red Chamber"]
    assert backend.library.holds["T2"] == ["R001"]

    charged = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("charged")))
    assert charged["fixed"]["ChargedItemsCount"] == "0001"
    assert charged["fixed"]["UnavailableHoldsCount"] == "0001"
    assert charged["variable"]["AU"] == ["B001"]

    trapped = client.sip_checkin_response(client.get_response(client.sip_checkin_request("B101")))
    assert (trapped["fixed"]["Ok"], trapped["fixed"]["Alert"]) == ("1", "Y")
    assert trapped["variable"]["CL"] == ["HOLDS"]
    assert trapped["variable"]["CY"] == ["R001"]
    assert trapped["variable"]["CT"] == ["EAST"]
    assert trapped["variable"]["CV"] == ["02"]
    assert "B101" not in backend.library.loans
    assert backend.library.trapped["B101"] == "R001"

    returned = client.sip_checkin_response(client.get_response(client.sip_checkin_request("B001")))
    assert (returned["fixed"]["Ok"], returned["fixed"]["Alert"]) == ("1", "N")
    assert returned["variable"]["CL"] == ["SHELF"]
    assert "B001" not in backend.library.loans

    patron = client.sip_patron_status_response(
        client.get_response(client.sip_patron_status_request()))
    assert patron["fixed"]["PatronStatus"] == " " * 14
    assert patron["variable"]["AE"] == ["张三"]
    assert patron["variable"]["BL"] == ["Y"]

    ended = client.sip_end_patron_session_response(
        client.get_response(client.sip_end_patron_session_request()))
    assert ended["fixed"]["EndSession"] == "Y"
    assert backend.library.ended_sessions == ["R001"]


def test_renew_all_and_fee_paid_work_through_the_third_party_client(
    client: Sip2, backend: FakeSip2Backend
) -> None:
    login(client)
    backend.library.loans["B001"] = FakeLoan("R003", TODAY)
    backend.library.loans["B002"] = FakeLoan("R003", TODAY)
    backend.library.holds["T2"] = ["R001"]
    backend.library.loans["B101"] = FakeLoan("R003", TODAY)
    client.patron, client.patronpwd = "R003", PIN

    everything = client.sip_renew_all_response(
        client.get_response(client.sip_renew_all_request()))
    assert everything["fixed"]["Ok"] == "1"
    assert (everything["fixed"]["RenewedItems"], everything["fixed"]["UnrenewedItems"]) == (
        "0002", "0001")
    assert sorted(everything["variable"]["BM"]) == ["B001", "B002"]
    assert everything["variable"]["BN"] == ["B101"]

    paid = client.sip_fee_paid_response(client.get_response(
        client.sip_fee_paid_request(1, 0, "12.50", currencyType="CNY")))
    assert paid["fixed"]["PaymentAccepted"] == "Y"
    assert backend.library.payments == [("R003", 1250)]
    assert backend.library.readers["R003"].fines_fen == 6750

    euros = client.sip_fee_paid_response(client.get_response(
        client.sip_fee_paid_request(1, 0, "1.00", currencyType="EUR")))
    assert euros["fixed"]["PaymentAccepted"] == "N"
    assert backend.library.payments == [("R003", 1250)]


def test_a_blocked_reader_gets_denied_flags_and_a_chinese_screen_message(
    client: Sip2, backend: FakeSip2Backend
) -> None:
    login(client)
    client.patron, client.patronpwd = "R003", PIN
    info = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("none")))
    assert info["fixed"]["PatronStatus"] == "YYYY      Y   "
    assert info["variable"]["AF"] == ["欠款超过限额。"]
    assert info["variable"]["BV"] == ["80.00"]

    refused = client.sip_checkout_response(client.get_response(client.sip_checkout_request("B002")))
    assert refused["fixed"]["Ok"] == "0"
    assert refused["variable"]["AF"] == ["您的借阅权限已暂停，请到服务台咨询。"]
    assert "B002" not in backend.library.loans


def test_an_english_speaking_reader_reads_english_screen_messages(
    client: Sip2, backend: FakeSip2Backend
) -> None:
    login(client)
    client.patron, client.patronpwd = "R002", PIN
    lent = client.sip_checkout_response(client.get_response(client.sip_checkout_request("B002")))
    assert lent["variable"]["AF"] == ["Checked out. Due 2024-03-29."]
    again = client.sip_checkout_response(client.get_response(client.sip_checkout_request("B002")))
    assert (again["fixed"]["Ok"], again["fixed"]["RenewalOk"]) == ("1", "Y")
    assert backend.library.loans["B002"].renewals == 1


def test_a_wrong_pin_is_refused_and_lends_nothing(client: Sip2, backend: FakeSip2Backend) -> None:
    login(client)
    client.patron, client.patronpwd = "R001", "not-the-pin"
    info = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("charged")))
    assert (info["variable"]["BL"], info["variable"]["CQ"]) == (["Y"], ["N"])
    assert info["variable"]["AE"] == [""]
    assert "AU" not in info["variable"]
    assert info["variable"]["AF"] == ["密码错误。"]
    refused = client.sip_checkout_response(client.get_response(client.sip_checkout_request("B001")))
    assert refused["fixed"]["Ok"] == "0"
    assert backend.library.loans == {}


def test_an_unknown_item_gets_a_clean_refusal(client: Sip2) -> None:
    login(client)
    item = client.sip_item_information_response(
        client.get_response(client.sip_item_information_request("NOPE")))
    assert item["fixed"]["CirculationStatus"] == "01"
    assert item["variable"]["AF"] == ["未找到该图书条码。"]


def test_a_gb18030_kiosk_receives_chinese_titles_in_gb18030(
    client: Sip2, server: Sip2Server
) -> None:
    client.hostEncoding = "gb18030"
    assert login(client, "kioskgb")["fixed"]["Ok"] == "1"
    item = client.sip_item_information_response(
        client.get_response(client.sip_item_information_request("B001")))
    assert item["variable"]["AJ"] == ["三体"]
    kiosk = RawKiosk(server.port)
    kiosk.login("kioskgb")
    kiosk.send(("1720240301    101500AOLECTOR|ABB001|AY1AZ" + "0000").encode() + b"\r")
    assert kiosk.reply().startswith(b"96")
    text = "1720240301    101500AOLECTOR|ABB001|AY2AZ"
    kiosk.send(text.encode() + checksum_of(text).encode() + b"\r")
    raw = kiosk.reply()
    assert "三体".encode("gb18030") in raw
    kiosk.close()


def test_everything_but_login_and_status_is_refused_before_login(
    server: Sip2Server, backend: FakeSip2Backend
) -> None:
    kiosk = RawKiosk(server.port)
    refused = kiosk.ask("11NN20240301    101500                  AOLECTOR|AAR001|ABB001|AC|AY1")
    assert refused.startswith("120NUN")
    assert "自助机未登录" in refused
    assert kiosk.ask("9900802.00AY2").startswith("98YYYYNN")
    assert backend.library.loans == {}
    kiosk.close()


def test_status_before_login_can_be_refused_too(backend: FakeSip2Backend) -> None:
    server = start_server(backend, allow_status_before_login=False)
    try:
        kiosk = RawKiosk(server.port)
        assert kiosk.ask("9900802.00AY2").startswith("98NNNNNN")
        assert kiosk.login() .startswith("941")
        assert kiosk.ask("9900802.00AY3").startswith("98YYYYNN")
        kiosk.close()
    finally:
        server.stop()


def test_a_bad_checksum_gets_a_96_and_the_kiosk_can_carry_on(server: Sip2Server) -> None:
    kiosk = RawKiosk(server.port)
    kiosk.send(f"9300CNkiosk1|CO{KIOSK_PASSWORD}|CPMAIN|AY0AZ1234\r".encode())
    assert kiosk.reply() == b"96AZFEF6\r"
    assert kiosk.login() == "941AY0AZ" + checksum_of("941AY0AZ")
    kiosk.close()


def test_replies_end_with_the_line_ending_of_the_request(server: Sip2Server) -> None:
    kiosk = RawKiosk(server.port)
    kiosk.send(b"9900802.00AY2\r\n")
    crlf = kiosk.reply()
    kiosk.send(b"9900802.00AY3\r")
    cr = kiosk.reply()
    assert crlf.endswith(b"AY2\r\n")
    assert cr.endswith(b"AY3\r")
    kiosk.close()


def test_a_request_without_a_checksum_gets_a_reply_without_one(server: Sip2Server) -> None:
    kiosk = RawKiosk(server.port)
    assert kiosk.ask("9900802.00AY4", checksum=False).endswith("AY4")
    assert kiosk.ask("9900802.00", checksum=False).endswith("|")
    kiosk.close()


def test_97_resends_the_last_reply_byte_for_byte(server: Sip2Server) -> None:
    kiosk = RawKiosk(server.port)
    kiosk.login()
    kiosk.send(b"9900802.00AY1\r")
    first = kiosk.reply()
    kiosk.send(b"97AZFEF5\r")
    assert kiosk.reply() == first
    kiosk.close()


def test_a_resent_renewal_from_a_reconnected_kiosk_has_one_effect(
    server: Sip2Server, backend: FakeSip2Backend
) -> None:
    backend.library.loans["B001"] = FakeLoan("R001", TODAY)
    request = f"29NN20240301    101500                  AOLECTOR|AAR001|AD{PIN}|ABB001|AY5"
    replies = []
    for _ in range(2):
        kiosk = RawKiosk(server.port)
        kiosk.login()
        replies.append(kiosk.ask(request))
        kiosk.close()
    assert replies[0] == replies[1]
    assert replies[0].startswith("301YUY")
    assert backend.library.loans["B001"].renewals == 1


def test_the_same_message_repeated_on_one_connection_is_answered_from_memory(
    server: Sip2Server, backend: FakeSip2Backend
) -> None:
    backend.library.loans["B001"] = FakeLoan("R001", TODAY)
    kiosk = RawKiosk(server.port)
    kiosk.login()
    # No transaction date, so no idempotency key: only the connection can spot the repeat.
    request = f"65AOLECTOR|AAR001|AD{PIN}|AY6"
    assert kiosk.ask(request) == kiosk.ask(request)
    assert backend.library.loans["B001"].renewals == 1
    kiosk.close()


def test_three_failed_logins_close_the_connection(server: Sip2Server) -> None:
    kiosk = RawKiosk(server.port)
    for attempt in range(3):
        assert kiosk.ask(f"9300CNkiosk1|COwrong|CPMAIN|AY{attempt}").startswith("940")
    with pytest.raises(ConnectionError):
        kiosk.ask("9900802.00AY3")
    kiosk.close()


def test_an_idle_kiosk_is_disconnected(backend: FakeSip2Backend) -> None:
    server = start_server(backend, idle_timeout=0.3)
    try:
        kiosk = RawKiosk(server.port)
        kiosk.login()
        time.sleep(0.8)
        with pytest.raises(ConnectionError):
            kiosk.ask("9900802.00AY1")
        kiosk.close()
    finally:
        server.stop()


def test_a_flooding_connection_is_slowed_to_the_rate_limit(backend: FakeSip2Backend) -> None:
    server = start_server(backend, rate_per_second=20.0, rate_burst=5)
    try:
        kiosk = RawKiosk(server.port)
        started = time.monotonic()
        kiosk.send(b"9900802.00\r" * 25)
        replies = [kiosk.reply() for _ in range(25)]
        elapsed = time.monotonic() - started
        assert all(reply.startswith(b"98") for reply in replies)
        assert elapsed >= 0.9  # 20 requests beyond the burst at 20 per second
        kiosk.close()
    finally:
        server.stop()


def test_twenty_kiosks_lend_and_return_at_the_same_time(
    server: Sip2Server, backend: FakeSip2Backend
) -> None:
    errors: list[str] = []

    def kiosk_run(n: int) -> None:
        kiosk = RawKiosk(server.port)
        try:
            kiosk.login()
            card, item = f"K{n:03d}", f"C{n:03d}"
            for round_ in range(5):
                date_ = f"20240301    1015{round_:02d}"
                lent = kiosk.ask(f"11NN{date_}{' ' * 18}AOLECTOR|AA{card}|AB{item}|AD{PIN}|AY1")
                back = kiosk.ask(f"09N{date_}{date_}APMAIN|AOLECTOR|AB{item}|AY2")
                if not (lent.startswith("121") and back.startswith("101")):
                    errors.append(f"{n}: {lent} / {back}")
        finally:
            kiosk.close()

    threads = [threading.Thread(target=kiosk_run, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert backend.library.loans == {}
    assert len(backend.library.returns) == 100


def test_secrets_never_reach_the_logs(
    server: Sip2Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lector.sip2")
    kiosk = RawKiosk(server.port)
    kiosk.ask("9300CNkiosk1|COwrong-Kangaroo|CPMAIN|AY0")
    kiosk.login()
    kiosk.ask(f"6300120240301    101500          AOLECTOR|AAR001|ACterm-Emu|AD{PIN}|AY1")
    kiosk.close()
    assert "R001" in caplog.text
    for secret in (KIOSK_PASSWORD, PIN, "wrong-Kangaroo", "term-Emu"):
        assert secret not in caplog.text


def test_a_tls_kiosk_talks_to_a_server_with_a_certificate(
    backend: FakeSip2Backend, tmp_path: Path
) -> None:
    cert, key = _self_signed_certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = Sip2Server(backend, port=0, ssl_context=server_context, clock=lambda: NOW)
    server.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        kiosk = RawKiosk(server.port, context=client_context)
        assert kiosk.login().startswith("941")
        assert kiosk.ask("9900802.00AY1").startswith("98Y")
        kiosk.close()
        plain = RawKiosk(server.port)
        plain.send(b"9900802.00AY1\r")
        with pytest.raises((ConnectionError, OSError)):
            plain.reply()
        plain.close()
    finally:
        server.stop()


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(SHANGHAI)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert_path, key_path


_SIP_LIKE = st.builds(
    lambda code, body, end: (code + body).encode("utf-8", "replace") + end,
    st.sampled_from(["93", "99", "63", "23", "11", "09", "29", "65", "17", "15", "35", "37",
                     "97", "01", "19", "25", "96", "00", "XX"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=120),
    st.sampled_from([b"\r", b"\r\n", b"\n", b""]),
)
_GARBAGE = st.lists(st.one_of(st.binary(max_size=300), _SIP_LIKE), min_size=1, max_size=6)


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[Sip2Server]:
    server = start_server(make_backend(), rate_per_second=0.0, max_login_failures=1000,
                          idle_timeout=5.0)
    yield server
    server.stop()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=_GARBAGE)
def test_random_bytes_never_stop_the_server_answering(
    fuzz_server: Sip2Server, garbage: list[bytes]
) -> None:
    kiosk = RawKiosk(fuzz_server.port)
    try:
        kiosk.send(b"".join(garbage) + b"\r")
        # Whatever the garbage did, a valid request on the same connection is answered.
        kiosk.send(b"9900802.00AY9AZ" + checksum_of("9900802.00AY9AZ").encode() + b"\r")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if kiosk.reply().startswith(b"98"):
                break
        else:
            pytest.fail("no 98 reply after garbage")
    finally:
        kiosk.close()
    fresh = RawKiosk(fuzz_server.port)
    assert fresh.ask("9900802.00AY1").startswith("98")
    fresh.close()
