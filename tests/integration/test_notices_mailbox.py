"""With no SMTP relay in embedded mode, notices land in the local mailbox staff can read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from events.schema import events
from projections.notice_outbox import list_notices
from service.application import circulation
from service.application.readers import RegisterReader, register_reader
from service.bootstrap import Lector
from tests.integration.notices_harness import DESK, give_back, lend, title_with_copies
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending


def _trap_for_emily(lector: Lector) -> str:
    ports = lector.ports
    register_reader(ports, DESK, RegisterReader("A1", "王芳", "adult", email="w@example.cn"), None)
    waiting = str(register_reader(ports, DESK, RegisterReader(
        "A2", "Emily Carter", "adult", language="en", email="e@example.org"),
        None).result["reader_id"])
    title_id = title_with_copies(ports, "三体", ["T1"])
    lend(ports, "A1", "T1")
    circulation.place_hold(ports, DESK, waiting, title_id, "main", None)
    give_back(ports, "T1")
    return waiting


def test_a_trapped_holds_notice_lands_in_the_mailbox_and_staff_read_it_through_the_api(
        client: Any, auth: Any, lector: Lector) -> None:
    assert lector.config.embedded and not lector.config.smtp_host
    reader_id = _trap_for_emily(lector)
    assert dispatch_pending(lector, enqueuer(lector, None)) == 1
    assert dispatch_pending(lector, enqueuer(lector, None)) == 0  # delivered once

    reply = client.get("/api/v1/notices/mailbox", headers=auth("librarian"))
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["total"] == 1 and body["page"] == 1
    message = body["items"][0]
    assert message["reader_id"] == reader_id and message["lang"] == "en"
    assert message["kind"] == "reservation_ready"
    assert (message["card_number"], message["reader_name"]) == ("A2", "Emily Carter")
    assert "ready" in message["subject"].lower()
    assert "Emily Carter" in message["text"] and "三体" in message["text"]
    assert client.get("/api/v1/notices/mailbox", headers=auth("admin")).status_code == 200
    assert client.get("/api/v1/notices/mailbox", headers=auth("desk")).status_code == 403
    assert client.get("/api/v1/notices/mailbox").status_code == 401
    other = client.get("/api/v1/notices/mailbox?reader=someone-else", headers=auth("librarian"))
    assert other.get_json()["total"] == 0
    by_card = client.get("/api/v1/notices/mailbox?reader=A2", headers=auth("librarian"))
    assert by_card.get_json()["total"] == 1
    assert client.get("/api/v1/notices/mailbox?page_size=0",
                      headers=auth("librarian")).status_code == 422

    with lector.engine.connect() as conn:
        rows = list_notices(conn, kind="reservation_ready")[0]
        sent = conn.execute(select(events.c.data).where(events.c.type == "notice.sent")).all()
    assert [(r["status"], r["channel"]) for r in rows] == [("sent", "mailbox")]
    assert [s[0]["channel"] for s in sent] == ["mailbox"]


def test_the_mailbox_pages_through_messages_newest_first(client: Any, auth: Any,
                                                        lector: Lector) -> None:
    ports = lector.ports
    title_id = title_with_copies(ports, "活着", ["L1"])
    register_reader(ports, DESK, RegisterReader("H0", "持有人", "adult"), None)
    lend(ports, "H0", "L1")
    for i in range(3):  # three readers wait; each return traps the copy for the next
        rid = register_reader(ports, DESK, RegisterReader(f"W{i}", f"读者{i}", "adult"),
                              None).result["reader_id"]
        circulation.place_hold(ports, DESK, str(rid), title_id, "main", None)
    for i in range(3):
        give_back(ports, "L1")
        dispatch_pending(lector, enqueuer(lector, None))
        lend(ports, f"W{i}", "L1")
    first = client.get("/api/v1/notices/mailbox?page_size=2", headers=auth("librarian"))
    second = client.get("/api/v1/notices/mailbox?page_size=2&page=2", headers=auth("librarian"))
    items = first.get_json()["items"] + second.get_json()["items"]
    assert first.get_json()["total"] == 3 and len(items) == 3
    stamps = [m["delivered_at"] for m in items]
    assert stamps == sorted(stamps, reverse=True)
    assert all(m["lang"] == "zh-CN" and "预约" in m["subject"] for m in items)


def test_the_mailbox_page_is_served_in_both_languages_without_inline_scripts(
        client: Any) -> None:
    reply = client.get("/mailbox")
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    assert 'src="/web/static/mailbox.js"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file
    assert "http://" not in html and "https://" not in html  # no external resources
    script = client.get("/web/static/mailbox.js")
    assert script.status_code == 200 and b"/notices/mailbox" in script.data
    words = client.get("/web/static/i18n.js").get_data(as_text=True)
    script.close()
    assert "本地信箱" in words and "Local mailbox" in words
