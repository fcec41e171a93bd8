"""Administrators manage staff accounts; the last active admin stays an active admin."""

from __future__ import annotations

from typing import Any


def test_an_admin_creates_lists_and_manages_staff_and_each_change_is_audited(
    client: Any, auth: Any, lector: Any
) -> None:
    made = client.post("/api/v1/staff", json={"username": "wang.fang", "password": "first-pass-1",
                                              "role": "desk", "display_name": "王芳"},
                       headers=auth("admin"))
    assert made.status_code == 201, made.get_json()
    assert made.get_json() == {**made.get_json(), "username": "wang.fang", "role": "desk",
                               "display_name": "王芳", "active": True}
    assert "password" not in made.get_json() and "password_hash" not in made.get_json()
    taken = client.post("/api/v1/staff", json={"username": "wang.fang",
                                               "password": "first-pass-1", "role": "desk"},
                        headers=auth("admin"))
    assert (taken.status_code, taken.get_json()["code"]) == (409, "staff_exists")

    listed = client.get("/api/v1/staff", headers=auth("admin")).get_json()
    assert [(s["username"], s["role"], s["active"]) for s in listed] == [
        ("admin1", "admin", True), ("desk1", "desk", True), ("librarian1", "librarian", True),
        ("wang.fang", "desk", True)]

    client.post("/api/v1/staff/wang.fang/role", json={"role": "librarian"}, headers=auth("admin"))
    client.post("/api/v1/staff/wang.fang/password", json={"password": "second-pass-2"},
                headers=auth("admin"))
    client.post("/api/v1/staff/wang.fang/deactivate", headers=auth("admin"))
    client.post("/api/v1/staff/wang.fang/deactivate", headers=auth("admin"))  # no second event
    client.post("/api/v1/staff/wang.fang/reactivate", headers=auth("admin"))
    audit = [(e.type, e.meta["actor"]) for e in lector.store.read_all()
             if e.stream_id == "staff-wang.fang"]
    assert audit == [("staff.created", "staff:admin1"), ("staff.role_changed", "staff:admin1"),
                     ("staff.password_reset", "staff:admin1"),
                     ("staff.deactivated", "staff:admin1"), ("staff.reactivated", "staff:admin1")]
    login = client.post("/api/v1/auth/token", json={"username": "wang.fang",
                                                    "password": "second-pass-2"})
    assert login.get_json()["role"] == "librarian"


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(
    client: Any, auth: Any
) -> None:
    for attempt in (client.post("/api/v1/staff/admin1/deactivate", headers=auth("admin")),
                    client.post("/api/v1/staff/admin1/role", json={"role": "librarian"},
                                headers=auth("admin"))):
        assert attempt.status_code == 409
        assert attempt.get_json()["code"] == "last_admin"
        assert attempt.get_json()["message_zh"] == "最后一名在职管理员不能被停用或降级。"
    listed = client.get("/api/v1/staff", headers=auth("admin")).get_json()
    assert [(s["role"], s["active"]) for s in listed if s["username"] == "admin1"] == [
        ("admin", True)]

    client.post("/api/v1/staff", json={"username": "admin2", "password": "admin-pass-2",
                                       "role": "admin"}, headers=auth("admin"))
    assert client.post("/api/v1/staff/admin1/role", json={"role": "librarian"},
                       headers=auth("admin")).status_code == 200
    token = client.post("/api/v1/auth/token", json={"username": "admin2",
                                                    "password": "admin-pass-2"}).get_json()
    second = {"Authorization": f"Bearer {token['token']}"}
    refused = client.post("/api/v1/staff/admin2/deactivate", headers=second)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "last_admin")


def test_staff_management_is_for_admins_only_and_unknown_accounts_are_404(
    client: Any, auth: Any
) -> None:
    assert client.get("/api/v1/staff", headers=auth("librarian")).status_code == 403
    assert client.post("/api/v1/staff/desk1/deactivate", headers=auth("librarian")).status_code \
        == 403
    missing = client.post("/api/v1/staff/nobody/deactivate", headers=auth("admin"))
    assert (missing.status_code, missing.get_json()["code"]) == (404, "staff_not_found")
    weak = client.post("/api/v1/staff/desk1/password", json={"password": "short"},
                       headers=auth("admin"))
    assert weak.status_code == 422
