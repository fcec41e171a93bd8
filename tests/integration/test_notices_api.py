"""The notices API: outbox for staff and readers, resend, staff-edited templates with preview."""

from __future__ import annotations

from typing import Any

from service.application import circulation
from service.application.readers import RegisterReader, register_reader
from service.bootstrap import Lector
from tests.integration.notices_harness import DESK, give_back, lend, title_with_copies

TEMPLATE = "/api/v1/notice-templates/reservation_ready/en"


def _trapped_notice(lector: Lector) -> str:
    """A reader waits, a return traps the copy for them: one reservation-ready notice."""
    ports = lector.ports
    register_reader(ports, DESK, RegisterReader("A1", "王芳", "adult", email="w@example.cn"), None)
    waiting = register_reader(ports, DESK, RegisterReader(
        "A2", "Emily Carter", "adult", language="en", email="e@example.org", pin="1234"),
        None).result["reader_id"]
    title_id = title_with_copies(ports, "三体", ["T1"])
    lend(ports, "A1", "T1")
    circulation.place_hold(ports, DESK, waiting, title_id, "main", None)
    give_back(ports, "T1")
    return str(waiting)


def test_staff_list_notices_by_kind_and_status_and_readers_see_only_their_own(
        client: Any, auth: Any, lector: Lector) -> None:
    reader_id = _trapped_notice(lector)
    listed = client.get("/api/v1/notices?kind=reservation_ready&status=pending",
                        headers=auth("librarian"))
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [(i["reader_id"], i["status"]) for i in items] == [(reader_id, "pending")]
    assert client.get("/api/v1/notices", headers=auth("desk")).status_code == 403
    assert client.get("/api/v1/notices?status=lost", headers=auth("librarian")).status_code == 422

    token = client.post("/api/v1/auth/token", json={"card_number": "A2", "pin": "1234"})
    mine = {"Authorization": f"Bearer {token.get_json()['token']}"}
    own = client.get(f"/api/v1/readers/{reader_id}/notices", headers=mine)
    assert own.status_code == 200 and own.get_json()["total"] == 1
    other = client.get("/api/v1/readers/someone-else/notices", headers=mine)
    assert other.status_code == 403


def test_a_resend_is_a_new_explicit_notice_and_the_original_stays_as_it_was(
        client: Any, auth: Any, lector: Lector) -> None:
    _trapped_notice(lector)
    original = client.get("/api/v1/notices", headers=auth("librarian")).get_json()["items"][0]
    reply = client.post(f"/api/v1/notices/{original['notice_id']}/resend",
                        headers={**auth("librarian"), "Idempotency-Key": "r1"})
    again = client.post(f"/api/v1/notices/{original['notice_id']}/resend",
                        headers={**auth("librarian"), "Idempotency-Key": "r1"})
    assert reply.status_code == 202
    assert reply.get_json()["notice_key"].startswith(original["notice_key"] + ":resend:")
    assert again.get_json()["replayed"] is True
    keys = {i["notice_key"] for i in
            client.get("/api/v1/notices", headers=auth("librarian")).get_json()["items"]}
    assert keys == {original["notice_key"], reply.get_json()["notice_key"]}
    assert client.post("/api/v1/notices/nope/resend", headers=auth("librarian")).status_code == 404
    assert client.post(f"/api/v1/notices/{original['notice_id']}/resend",
                       headers=auth("desk")).status_code == 403


def test_admins_edit_validate_preview_and_restore_a_template(client: Any, auth: Any) -> None:
    shipped = client.get(f"{TEMPLATE}/subject", headers=auth("admin")).get_json()
    assert shipped["customised"] is False and "items" in shipped["source"]

    edited = "Ready for you, {{ reader_name }}: {{ items[0].title }}"
    put = client.put(f"{TEMPLATE}/subject", json={"source": edited}, headers=auth("admin"))
    assert put.status_code == 200
    now = client.get(f"{TEMPLATE}/subject", headers=auth("admin")).get_json()
    assert (now["source"], now["customised"]) == (edited, True)

    preview = client.post(f"{TEMPLATE}/preview", json={}, headers=auth("admin")).get_json()
    assert preview["subject"] == "Ready for you, Emily Carter: The Three-Body Problem"
    draft = client.post(f"{TEMPLATE}/preview", json={"subject": "Draft {{ library_name }}"},
                        headers=auth("admin")).get_json()
    assert draft["subject"] == "Draft Chengdong District Library"

    bad = client.put(f"{TEMPLATE}/subject", json={"source": "{{ reader_nmae }}"},
                     headers=auth("admin"))
    assert bad.status_code == 422 and "reader_nmae" in str(bad.get_json()["errors"])
    assert client.put(f"{TEMPLATE}/subject", json={"source": edited},
                      headers=auth("librarian")).status_code == 403
    assert client.get("/api/v1/notice-templates/nonsense/en/subject",
                      headers=auth("admin")).status_code == 404

    restored = client.put(f"{TEMPLATE}/subject", json={"source": None}, headers=auth("admin"))
    assert restored.status_code == 200
    back = client.get(f"{TEMPLATE}/subject", headers=auth("admin")).get_json()
    assert back == shipped
