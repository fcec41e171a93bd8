"""The channel in the log follows from who the caller is, not from a header they send."""

from __future__ import annotations

from typing import Any

from tests.api.circulation_helpers import Library


def last_meta(lector: Any) -> dict[str, Any]:
    return dict(lector.store.read_all(lector.store.last_position() - 1)[-1].meta)


def reader_headers(client: Any, card: str, **extra: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"card_number": card, "pin": "1234"})
    return {"Authorization": f"Bearer {token.get_json()['token']}", **extra}


def test_a_reader_acts_through_the_portal_whatever_channel_they_claim(
        client: Any, auth: Any, lector: Any) -> None:
    lib = Library(client, auth)
    lib.reader("R1")
    title_id = lib.title("三体")
    for claimed in ("desk", "sip2", "api", "kiosk"):
        reply = client.post("/api/v1/holds", json={"title_id": title_id, "pickup_branch": "main"},
                            headers=reader_headers(client, "R1", **{"X-Lector-Channel": claimed}))
        assert reply.status_code in (201, 409), reply.get_json()
        if reply.status_code == 201:
            meta = last_meta(lector)
            assert (meta["actor"].split(":")[0], meta["channel"]) == ("reader", "portal")
            client.delete(f"/api/v1/holds/{reply.get_json()['hold_id']}?reason=reader",
                          headers=auth("desk"))
    assert {e.meta["channel"] for e in lector.store.read_all(0)
            if e.meta["actor"].startswith("reader:")} == {"portal"}


def test_staff_act_through_the_api_unless_the_desk_page_says_desk(
        client: Any, auth: Any, lector: Any) -> None:
    lib = Library(client, auth)
    lib.title("活着")
    assert last_meta(lector)["channel"] == "api"
    client.post("/api/v1/titles", json={"title": "家", "clc_class": "I246.5"},
                headers={**auth("librarian"), "X-Lector-Channel": "desk"})
    assert last_meta(lector)["channel"] == "desk"
    for claimed in ("portal", "sip2", "kiosk", "worker"):
        client.post("/api/v1/titles", json={"title": f"春{claimed}", "clc_class": "I246.5"},
                    headers={**auth("librarian"), "X-Lector-Channel": claimed})
        assert last_meta(lector)["channel"] == "api"
