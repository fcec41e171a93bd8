"""Guardians over the API: link with the child's PIN or at the desk, see and renew the child's
loans, unlink; nobody else reaches a child's data (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.application.context import Ports
from tests.api.circulation_helpers import Library
from tests.api.family_helpers import reader_headers
from tests.api.test_circulation_api import MovableClock


@pytest.fixture
def lib(client: Any, auth: Any, lector: Any) -> Library:
    ports: Ports = lector.ports
    ports.clock = MovableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    return Library(client, auth)


@pytest.fixture
def family(lib: Library) -> dict[str, Any]:
    parent, child = lib.reader("P1"), lib.reader("K1", pin="8642")
    lib.copy(lib.title("小王子"), "B1")
    assert lib.checkout("K1", "B1").status_code == 201
    return {"parent": parent, "child": child, "headers": reader_headers(lib.client, "P1")}


def link(lib: Library, family: dict[str, Any], pin: str | None = "8642") -> Any:
    body = {"card_number": "K1", **({"pin": pin} if pin else {})}
    return lib.client.post(f"/api/v1/readers/{family['parent']}/children", json=body,
                           headers=family["headers"])


def test_a_parent_links_a_child_with_the_childs_pin_and_sees_the_childs_loans(
    lib: Library, family: dict[str, Any]
) -> None:
    reply = link(lib, family)
    assert reply.status_code == 201, reply.get_json()
    base = f"/api/v1/readers/{family['parent']}/children"
    children = lib.client.get(base, headers=family["headers"]).get_json()
    assert [(c["child_id"], c["card_number"], c["via"], c["loans"]) for c in children] == [
        (family["child"], "K1", "pin", 1)]
    loans = lib.client.get(f"{base}/{family['child']}/loans", headers=family["headers"])
    assert [loan["barcode"] for loan in loans.get_json()] == ["B1"]
    assert lib.client.get(f"{base}/{family['child']}/holds",
                          headers=family["headers"]).get_json() == []


def test_a_wrong_child_pin_is_refused_in_both_languages_and_links_nothing(
    lib: Library, family: dict[str, Any]
) -> None:
    reply = link(lib, family, pin="0000")
    assert (reply.status_code, reply.get_json()["code"]) == (422, "child_pin_wrong")
    zh = lib.client.post(f"/api/v1/readers/{family['parent']}/children",
                         json={"card_number": "K1", "pin": "0000"},
                         headers={**family["headers"], "Accept-Language": "zh-CN"})
    assert zh.get_json()["detail"] == "孩子的读者证号或密码错误。"
    assert link(lib, family, pin=None).get_json()["code"] == "child_pin_required"
    base = f"/api/v1/readers/{family['parent']}/children"
    assert lib.client.get(base, headers=family["headers"]).get_json() == []


def test_the_desk_links_without_a_pin_and_the_guardian_or_staff_can_unlink(
    lib: Library, family: dict[str, Any]
) -> None:
    base = f"/api/v1/readers/{family['parent']}/children"
    reply = lib.post(base, {"card_number": "K1"})
    assert reply.status_code == 201, reply.get_json()
    again = lib.post(base, {"card_number": "K1"})
    assert (again.status_code, again.get_json()["code"]) == (409, "child_already_linked")
    gone = lib.client.delete(f"{base}/{family['child']}", headers=family["headers"])
    assert gone.status_code == 200, gone.get_json()
    assert lib.client.get(f"{base}/{family['child']}/loans",
                          headers=family["headers"]).get_json()["code"] == "child_not_linked"
    lib.post(base, {"card_number": "K1"})
    by_staff = lib.client.delete(f"{base}/{family['child']}", headers=lib.auth("desk"))
    assert by_staff.status_code == 200


def test_a_guardian_renews_for_the_child_as_the_actor_under_the_childs_rules(
    lib: Library, family: dict[str, Any], lector: Any
) -> None:
    link(lib, family)
    lector.ports.clock.advance(25)  # renewing must move the due date
    url = f"/api/v1/readers/{family['parent']}/children/{family['child']}/renewals"
    reply = lib.client.post(url, json={"barcode": "B1"}, headers=family["headers"])
    assert reply.status_code == 200, reply.get_json()
    renewed = [s for s in lector.store.read_all() if s.event.type_name == "loan.renewed"]
    assert renewed[-1].event.reader_id == family["child"]
    assert renewed[-1].meta["actor"] == "reader:P1"
    assert renewed[-1].meta["on_behalf_of"] == family["child"]


def test_an_unlinked_reader_reaches_none_of_the_childs_data(
    lib: Library, family: dict[str, Any]
) -> None:
    link(lib, family)
    stranger = lib.reader("S1")
    headers = reader_headers(lib.client, "S1")
    own = f"/api/v1/readers/{stranger}/children/{family['child']}"
    assert lib.client.get(f"{own}/loans", headers=headers).status_code == 404
    renew = lib.client.post(f"{own}/renewals", json={"barcode": "B1"}, headers=headers)
    assert (renew.status_code, renew.get_json()["code"]) == (404, "child_not_linked")
    theirs = f"/api/v1/readers/{family['parent']}/children"
    assert lib.client.get(theirs, headers=headers).status_code == 403
    assert lib.client.get(f"{theirs}/{family['child']}/loans",
                          headers=headers).status_code == 403
    # The child cannot reach the parent's account either: links go one way.
    child = reader_headers(lib.client, "K1", "8642")
    assert lib.client.get(f"/api/v1/readers/{family['child']}/children/{family['parent']}/loans",
                          headers=child).status_code == 404


def test_linking_oneself_or_ones_own_guardian_is_refused(
    lib: Library, family: dict[str, Any]
) -> None:
    link(lib, family)
    child = reader_headers(lib.client, "K1", "8642")
    back = lib.client.post(f"/api/v1/readers/{family['child']}/children",
                           json={"card_number": "P1", "pin": "1234"}, headers=child)
    assert (back.status_code, back.get_json()["code"]) == (409, "guardian_cycle")
    me = lib.client.post(f"/api/v1/readers/{family['parent']}/children",
                         json={"card_number": "P1", "pin": "1234"}, headers=family["headers"])
    assert (me.status_code, me.get_json()["code"]) == (422, "cannot_link_self")
