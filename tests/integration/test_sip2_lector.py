"""The SIP2 server over the real Lector, driven by the third-party `sip2` client and raw kiosks.

Effects are checked through the API (a Flask test client over the same Lector): loans,
renewals, holds, returns, payments, and who acted through which channel.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from Sip2.sip2 import Sip2

from service.adapters.app import build_app
from service.adapters.sip2.codec import checksum_of
from service.adapters.sip2.lector_backend import LectorSip2Backend
from service.adapters.sip2.server import Sip2Server
from service.adapters.sip2.settings import Sip2Settings
from service.application.accounts import create_staff
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.integration.test_sip2_server import RawKiosk

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 3, 1, 10, 15, tzinfo=SHANGHAI)
KIOSK_PASSWORD = "kiosk-pw-Quokka"
PIN = "2468"
ADMIN_PASSWORD = "admin-pass-1"


@dataclass
class Library:
    """A Lector with an API client (as admin), a movable clock and a running SIP2 server."""

    lector: Lector
    api: Any
    headers: dict[str, str]
    clock: list[datetime]
    server: Sip2Server

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        reply = self.api.post(path, json=body or {}, headers=self.headers)
        assert reply.status_code in (200, 201), (path, reply.get_json())
        return reply.get_json()

    def get(self, path: str) -> Any:
        reply = self.api.get(path, headers=self.headers)
        assert reply.status_code == 200, (path, reply.get_json())
        return reply.get_json()

    def reader(self, card: str, name: str, language: str = "zh-CN") -> str:
        body = {"card_number": card, "name": name, "category": "adult", "language": language,
                "pin": PIN, "email": f"{card.lower()}@example.cn"}
        return str(self.post("/api/v1/readers", body)["reader_id"])

    def title(self, name: str, *barcodes: str) -> str:
        title_id = str(self.post("/api/v1/titles", {"title": name, "clc_class": "I247"})["title_id"])
        for barcode in barcodes:
            self.post("/api/v1/copies", {"barcode": barcode, "title_id": title_id, "branch": "MAIN"})
        return title_id

    def history(self, barcode: str) -> list[dict[str, Any]]:
        return list(self.get(f"/api/v1/copies/{barcode}/history")["items"])


def start_library(config: Config, **bootstrap_args: Any) -> Library:
    clock = [NOW]
    lector = bootstrap(config, clock=lambda: clock[0], **bootstrap_args)
    api = build_app(lector).test_client()
    create_staff(lector.engine, "admin1", ADMIN_PASSWORD, "admin")
    token = api.post("/api/v1/auth/token", json={"username": "admin1",
                                                 "password": ADMIN_PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    kiosk = {"kiosk_id": "kiosk-1", "login_user": "kiosk1", "password": KIOSK_PASSWORD,
             "institution_id": "LECTOR", "location": "MAIN"}
    assert api.post("/api/v1/kiosks", json=kiosk, headers=headers).status_code == 201
    server = Sip2Server(LectorSip2Backend(lector), host="127.0.0.1", port=0,
                        clock=lambda: clock[0], settings=Sip2Settings(zone=SHANGHAI))
    server.start()
    return Library(lector, api, headers, clock, server)


@pytest.fixture
def library(config: Config) -> Iterator[Library]:
    lib = start_library(config)
    yield lib
    lib.server.stop()
    lib.lector.dispose()


@pytest.fixture
def open_client(tmp_path: Path) -> Iterator[Callable[[int], Sip2]]:
    opened: list[Sip2] = []

    def connect(port: int) -> Sip2:
        sip = Sip2()
        sip.tlsEnable = False
        sip.hostName, sip.hostPort = "127.0.0.1", port
        sip.logfile_path = str(tmp_path)  # the client writes a sip2.log of its own
        sip.institutionId, sip.scLocation = "LECTOR", "MAIN"
        sip.connect()
        opened.append(sip)
        return sip

    yield connect
    for sip in opened:
        sip.disconnect()
    client_log = logging.getLogger("Sip2")
    for handler in list(client_log.handlers):
        client_log.removeHandler(handler)
        handler.close()


def login(sip: Sip2, password: str = KIOSK_PASSWORD) -> dict[str, Any]:
    return dict(sip.sip_login_response(sip.get_response(sip.sip_login_request("kiosk1", password))))


def ask(sip: Sip2, kind: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Send one request with the client's builder for ``kind`` and parse the reply."""
    request = getattr(sip, f"sip_{kind}_request")(*args, **kwargs)
    return dict(getattr(sip, f"sip_{kind}_response")(sip.get_response(request)))


def test_a_kiosk_lends_renews_reserves_and_returns_through_lector(
    library: Library, open_client: Callable[[int], Sip2]
) -> None:
    reader_id = library.reader("R001", "张三")
    library.reader("R002", "Li Si", language="en")
    library.title("三体", "B001")
    red_chamber = library.title("红楼梦", "B101")
    sip = open_client(library.server.port)
    assert login(sip)["fixed"]["Ok"] == "1"
    status = ask(sip, "sc_status")
    assert (status["fixed"]["OnlineStatus"], status["variable"]["AO"]) == ("Y", ["LECTOR"])

    sip.patron, sip.patronpwd = "R001", PIN
    info = ask(sip, "patron_information", "none")
    assert info["fixed"]["PatronStatus"] == " " * 14
    assert info["fixed"]["Language"] == "019"
    assert info["variable"]["AE"] == ["张三"]
    assert (info["variable"]["BL"], info["variable"]["CQ"]) == (["Y"], ["Y"])
    assert info["variable"]["CB"] == ["0010"]  # the adult loan limit of the default policy

    item = ask(sip, "item_information", "B001")
    assert (item["fixed"]["CirculationStatus"], item["variable"]["AJ"]) == ("03", ["三体"])

    lent = ask(sip, "checkout", "B001")
    assert (lent["fixed"]["Ok"], lent["variable"]["AH"]) == ("1", ["20240331    235959"])
    loans = library.get("/api/v1/loans?barcode=B001")
    assert [(loan["reader_id"], loan["due_on"]) for loan in loans] == [(reader_id, "2024-03-31")]
    charged = ask(sip, "patron_information", "charged")
    assert (charged["fixed"]["ChargedItemsCount"], charged["variable"]["AU"]) == ("0001", ["B001"])
    assert ask(sip, "item_information", "B001")["fixed"]["CirculationStatus"] == "04"

    library.clock[0] = NOW + timedelta(days=10)  # a renewal on the day of lending is too early
    renewed = ask(sip, "renew", "B001")
    assert (renewed["fixed"]["Ok"], renewed["fixed"]["RenewalOk"]) == ("1", "Y")
    assert library.get("/api/v1/loans?barcode=B001")[0]["renewals_used"] == 1

    library.post("/api/v1/checkouts", {"card_number": "R002", "barcode": "B101"})
    held = ask(sip, "hold", "+", itemIdentifier="B101")
    assert (held["fixed"]["Ok"], held["variable"]["BR"], held["variable"]["AJ"]) == (
        "1", ["1"], ["红楼梦"])
    holds = library.get(f"/api/v1/holds?title_id={red_chamber}")
    assert [(h["reader_id"], h["status"]) for h in holds] == [(reader_id, "waiting")]
    assert ask(sip, "patron_information", "unavail")["variable"]["CD"] == ["红楼梦"]
    assert ask(sip, "item_information", "B101")["variable"]["CF"] == ["1"]

    trapped = ask(sip, "checkin", "B101")
    assert (trapped["fixed"]["Ok"], trapped["fixed"]["Alert"]) == ("1", "Y")
    assert (trapped["variable"]["CL"], trapped["variable"]["CY"]) == (["HOLDS"], ["R001"])
    assert (trapped["variable"]["CT"], trapped["variable"]["CV"]) == (["MAIN"], ["01"])
    assert trapped["variable"]["AA"] == ["R002"]  # who returned it
    assert library.get(f"/api/v1/holds?title_id={red_chamber}")[0]["status"] == "trapped"
    assert ask(sip, "patron_information", "hold")["variable"]["AS"] == ["B101"]

    returned = ask(sip, "checkin", "B001")
    assert (returned["fixed"]["Ok"], returned["fixed"]["Alert"]) == ("1", "N")
    assert returned["variable"]["CL"] == ["SHELF"]
    assert library.get(f"/api/v1/loans?reader={reader_id}") == []

    patron = ask(sip, "patron_status")
    assert (patron["fixed"]["PatronStatus"], patron["variable"]["AE"]) == (" " * 14, ["张三"])
    assert ask(sip, "end_patron_session")["fixed"]["EndSession"] == "Y"

    kiosk_events = [(e["type"], e["actor"], e["channel"]) for e in library.history("B001")
                    if e["type"].startswith("loan.")]
    assert kiosk_events == [("loan.opened", "kiosk:kiosk-1", "sip2"),
                            ("loan.renewed", "kiosk:kiosk-1", "sip2"),
                            ("loan.closed", "kiosk:kiosk-1", "sip2")]


def test_a_reader_blocked_for_fines_sees_flags_and_a_chinese_message_then_pays_at_the_kiosk(
    library: Library, open_client: Callable[[int], Sip2]
) -> None:
    reader_id = library.reader("R003", "王五")
    library.title("围城", "B201", "B202")
    library.clock[0] = NOW - timedelta(days=150)
    library.post("/api/v1/checkouts", {"card_number": "R003", "barcode": "B201"})
    library.clock[0] = NOW
    library.post("/api/v1/checkins", {"barcode": "B201"})
    owed = library.get(f"/api/v1/readers/{reader_id}/fines")["balance_fen"]
    assert owed >= 1000  # the default policy blocks from 10 yuan

    sip = open_client(library.server.port)
    login(sip)
    sip.patron, sip.patronpwd = "R003", PIN
    info = ask(sip, "patron_information", "fine")
    assert info["fixed"]["PatronStatus"] == "YYYY      Y   "
    assert info["variable"]["AF"] == ["欠款超过限额。"]
    assert info["variable"]["BV"] == [f"{owed // 100}.{owed % 100:02d}"]
    assert info["variable"]["AV"] == [f"B201 {owed // 100}.{owed % 100:02d}"]

    refused = ask(sip, "checkout", "B202")
    assert refused["fixed"]["Ok"] == "0"
    assert refused["variable"]["AF"][0].startswith("读者证已被停用")
    assert library.get(f"/api/v1/loans?reader={reader_id}") == []

    paid = ask(sip, "fee_paid", 1, 0, f"{owed // 100}.{owed % 100:02d}", currencyType="CNY")
    assert paid["fixed"]["PaymentAccepted"] == "Y"
    assert library.get(f"/api/v1/readers/{reader_id}/fines")["balance_fen"] == 0
    assert ask(sip, "patron_status")["fixed"]["PatronStatus"] == " " * 14
    assert ask(sip, "checkout", "B202")["fixed"]["Ok"] == "1"


def test_a_kiosk_resending_a_checkout_on_a_new_connection_lends_once(library: Library) -> None:
    library.reader("R001", "张三")
    library.title("三体", "B001")
    request = f"11NN20240301    101500                  AOLECTOR|AAR001|ABB001|AC|AD{PIN}|AY3"
    replies = []
    for _ in range(2):  # the kiosk lost the first reply, reconnected and sent it again
        kiosk = RawKiosk(library.server.port)
        assert kiosk.ask(f"9300CNkiosk1|CO{KIOSK_PASSWORD}|CPMAIN|AY0").startswith("941")
        replies.append(kiosk.ask(request))
        kiosk.close()
    assert [r[:6] for r in replies] == ["121NUY", "121NUY"]  # lent, not renewed
    assert len(library.get("/api/v1/loans?barcode=B001")) == 1
    opened = [e for e in library.history("B001") if e["type"] == "loan.opened"]
    assert len(opened) == 1


def test_a_drop_box_return_keeps_its_own_time_but_never_one_before_the_loan(
    library: Library,
) -> None:
    library.reader("R001", "张三")
    library.title("三体", "B001", "B002")
    library.clock[0] = datetime(2024, 2, 20, 9, 0, tzinfo=SHANGHAI)
    library.post("/api/v1/checkouts", {"card_number": "R001", "barcode": "B001"})
    library.post("/api/v1/checkouts", {"card_number": "R001", "barcode": "B002"})
    library.clock[0] = NOW
    kiosk = RawKiosk(library.server.port)
    kiosk.login()
    dropped = kiosk.ask("09N20240301    101600" "20240229    180000" "APMAIN|AOLECTOR|ABB001|AY1")
    too_early = kiosk.ask("09N20240301    101600" "20240219    180000" "APMAIN|AOLECTOR|ABB002|AY2")
    kiosk.close()
    assert dropped.startswith("101YUN") and too_early.startswith("101YUN")
    closed = {barcode: [e["data"]["closed_at"] for e in library.history(barcode)
                        if e["type"] == "loan.closed"] for barcode in ("B001", "B002")}
    assert datetime.fromisoformat(closed["B001"][0]) == datetime(2024, 2, 29, 18, tzinfo=SHANGHAI)
    assert datetime.fromisoformat(closed["B002"][0]) == NOW


def test_patron_counts_follow_the_kiosks_own_checkout_even_when_projections_lag(
    config: Config, tmp_path: Path
) -> None:
    # No catch-up after commits: the read models stay behind, as with a busy Celery worker.
    lib = start_library(config, after_commit=lambda position: None)
    try:
        lib.reader("R001", "张三")
        lib.title("三体", "B001")
        kiosk = RawKiosk(lib.server.port)
        kiosk.login()
        stamp = "20240301    101500"
        assert kiosk.ask(f"11NN{stamp}{' ' * 18}AOLECTOR|AAR001|ABB001|AC|AD{PIN}|AY1")[:3] == "121"
        info = kiosk.ask(f"63019{stamp}  Y       AOLECTOR|AAR001|AD{PIN}|AY2")
        kiosk.close()
        assert info[41:49] == "00000001"  # overdue 0000, charged 0001
        assert "|AUB001|" in info
    finally:
        lib.server.stop()
        lib.lector.dispose()


def test_kiosk_accounts_are_admin_only_and_a_disabled_kiosk_cannot_log_in(
    library: Library, open_client: Callable[[int], Sip2]
) -> None:
    kiosks = library.get("/api/v1/kiosks")
    assert [(k["kiosk_id"], k["login_user"], k["active"]) for k in kiosks] == [
        ("kiosk-1", "kiosk1", True)]
    assert "password" not in kiosks[0] and "password_hash" not in kiosks[0]
    again = library.api.post("/api/v1/kiosks", headers=library.headers, json={
        "kiosk_id": "kiosk-2", "login_user": "kiosk1", "password": KIOSK_PASSWORD,
        "institution_id": "LECTOR", "location": "EAST"})
    assert (again.status_code, again.get_json()["code"]) == (409, "kiosk_exists")
    create_staff(library.lector.engine, "desk1", "desk-pass-1", "desk")
    desk = library.api.post("/api/v1/auth/token", json={"username": "desk1",
                                                        "password": "desk-pass-1"}).get_json()
    listed = library.api.get("/api/v1/kiosks", headers={"Authorization": f"Bearer {desk['token']}"})
    assert listed.status_code == 403

    assert login(open_client(library.server.port), "wrong-password")["fixed"]["Ok"] == "0"
    assert library.post("/api/v1/kiosks/kiosk-1/deactivate")["active"] is False
    assert login(open_client(library.server.port))["fixed"]["Ok"] == "0"


def test_an_english_reader_gets_english_messages_and_a_kiosk_checksum_is_verified(
    library: Library,
) -> None:
    library.reader("R002", "Li Si", language="en")
    library.title("Fortress Besieged", "B301")
    kiosk = RawKiosk(library.server.port)
    kiosk.login()
    text = f"11NN20240301    101500{' ' * 18}AOLECTOR|AAR002|ABB301|AC|AD{PIN}|AY1AZ"
    kiosk.send((text + checksum_of(text)).encode() + b"\r")
    reply = kiosk.reply().decode()
    kiosk.close()
    assert "|AFChecked out. Due 2024-03-31.|" in reply
    body, checksum = reply.rstrip("\r").rsplit("AZ", 1)
    assert checksum == checksum_of(body + "AZ")
    assert date(2024, 3, 31).strftime("%Y%m%d") in reply


def test_a_changed_pin_takes_effect_at_the_kiosk_at_once(
    library: Library, open_client: Callable[[int], Sip2]
) -> None:
    reader_id = library.reader("R001", "张三")
    sip = open_client(library.server.port)
    login(sip)
    sip.patron, sip.patronpwd = "R001", PIN
    assert ask(sip, "patron_status")["variable"]["CQ"] == ["Y"]
    assert ask(sip, "patron_status")["variable"]["CQ"] == ["Y"]  # the remembered check
    reply = library.api.patch(f"/api/v1/readers/{reader_id}", json={"pin": "1357"},
                              headers=library.headers)
    assert reply.status_code == 200, reply.get_json()
    assert ask(sip, "patron_status")["variable"]["CQ"] == ["N"]
    sip.patronpwd = "1357"
    assert ask(sip, "patron_status")["variable"]["CQ"] == ["Y"]


def test_a_copy_returned_at_another_branch_is_sent_home(library: Library) -> None:
    library.reader("R001", "张三")
    library.title("三体", "B001")
    library.post("/api/v1/checkouts", {"card_number": "R001", "barcode": "B001"})
    kiosk = RawKiosk(library.server.port)
    kiosk.login()
    reply = kiosk.ask(f"09N20240301    101600{' ' * 18}APEAST|AOLECTOR|ABB001|AY1")
    kiosk.close()
    assert reply.startswith("101NUY")  # returned, not resensitised, alert
    assert "|CLTRANSIT|" in reply and "|CTMAIN|" in reply and "|CV04|" in reply
    assert library.get("/api/v1/loans?barcode=B001") == []


def test_a_kiosk_message_holding_nul_is_refused_cleanly_and_records_nothing(
    library: Library,
) -> None:
    reader_id = library.reader("R009", "赵六")
    library.title("围城", "B901", "B902")
    library.clock[0] = NOW - timedelta(days=150)
    library.post("/api/v1/checkouts", {"card_number": "R009", "barcode": "B901"})
    library.clock[0] = NOW
    library.post("/api/v1/checkins", {"barcode": "B901"})
    owed = library.get(f"/api/v1/readers/{reader_id}/fines")["balance_fen"]
    amount = f"{owed // 100}.{owed % 100:02d}"
    before = library.lector.store.last_position()
    kiosk = RawKiosk(library.server.port)
    assert kiosk.login().startswith("941")

    pay = f"3720240301    1015000100CNYBV{amount}|AOLECTOR|AAR009|AD{PIN}|BKtx\u00001|AY1"
    refused = kiosk.ask(pay)
    assert refused.startswith("38N") and "信息含有无法识别的字符" in refused
    lend = f"11NN20240301    101500                  AOLECTOR|AAR009|ABB9\u000002|AD{PIN}|AY2"
    assert kiosk.ask(lend).startswith("120")
    assert library.lector.store.last_position() == before
    assert library.get(f"/api/v1/readers/{reader_id}/fines")["balance_fen"] == owed

    assert kiosk.ask(pay.replace("\u0000", "").replace("AY1", "AY3")).startswith("38Y")
    kiosk.close()


def test_a_kiosk_accepts_the_portal_e_card_code_for_a_day_and_not_after(
    library: Library, open_client: Callable[[int], Sip2]
) -> None:
    reader_id = library.reader("R001", "张三")
    library.title("三体", "B001")
    code = library.get(f"/api/v1/readers/{reader_id}/ecard")["code"]
    sip = open_client(library.server.port)
    login(sip)
    sip.patron, sip.patronpwd = code, PIN
    info = ask(sip, "patron_information", "none")
    assert (info["variable"]["AE"], info["variable"]["BL"], info["variable"]["CQ"]) == (
        ["张三"], ["Y"], ["Y"])
    assert ask(sip, "checkout", "B001")["fixed"]["Ok"] == "1"  # lent on the e-card
    assert [loan["reader_id"] for loan in library.get("/api/v1/loans?barcode=B001")] == [reader_id]

    library.clock[0] = NOW + timedelta(hours=25)
    expired = ask(sip, "patron_information", "none")
    assert expired["variable"]["BL"] == ["N"]
    sip.patron = code[:-1] + ("A" if code[-1] != "A" else "B")  # a forged signature
    assert ask(sip, "patron_information", "none")["variable"]["BL"] == ["N"]
