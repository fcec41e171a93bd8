"""Staff accounts over the API (admin only): list, create, deactivate, reactivate, reset, role."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.adapters.api.auth import require
from service.adapters.api.common import lector, perform
from service.adapters.api.openapi import PROBLEM_BODY
from service.adapters.api.schemas.staff import (
    ChangeRoleSchema,
    CreateStaffSchema,
    ResetPasswordSchema,
    StaffSchema,
)
from service.adapters.login_security import token_versions
from service.application import staff
from service.application.commands import (
    ChangeStaffRole,
    CreateStaffAccount,
    ResetStaffPassword,
    SetStaffActive,
)

blp = Blueprint("staff", __name__, url_prefix="/api/v1/staff",
                description="Staff accounts; admin only. Changes revoke the account's tokens.")


def _revoked(username: str) -> None:
    # This process sees the new version at once; other workers within the cache TTL.
    token_versions(lector()).forget(f"staff:{username}")


@blp.route("")
class StaffAccounts(MethodView):
    @blp.response(200, StaffSchema(many=True))
    @require("admin")
    def get(self) -> list[dict[str, Any]]:
        """Every staff account (passwords are never shown)."""
        return staff.list_staff(lector().engine)

    @blp.arguments(CreateStaffSchema)
    @blp.response(201, StaffSchema)
    @require("admin")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create an account (refusals: staff_exists, weak_password)."""
        return dict(perform(CreateStaffAccount(**data)).result)


@blp.route("/<username>/deactivate")
class Deactivate(MethodView):
    @blp.response(200, StaffSchema)
    @blp.alt_response(409, **PROBLEM_BODY,
                      description="The last active admin (last_admin).")
    @require("admin")
    def post(self, username: str) -> dict[str, Any]:
        """Deactivate: logins are refused and its tokens stop working at once."""
        row = dict(perform(SetStaffActive(username, False)).result)
        _revoked(username)
        return row


@blp.route("/<username>/reactivate")
class Reactivate(MethodView):
    @blp.response(200, StaffSchema)
    @require("admin")
    def post(self, username: str) -> dict[str, Any]:
        """Reactivate; tokens from before the deactivation stay dead."""
        row = dict(perform(SetStaffActive(username, True)).result)
        _revoked(username)
        return row


@blp.route("/<username>/password")
class Password(MethodView):
    @blp.arguments(ResetPasswordSchema)
    @blp.response(200, StaffSchema)
    @require("admin")
    def post(self, data: dict[str, Any], username: str) -> dict[str, Any]:
        """Set a new password; the account's old tokens stop working."""
        row = dict(perform(ResetStaffPassword(username, data["password"])).result)
        _revoked(username)
        return row


@blp.route("/<username>/role")
class Role(MethodView):
    @blp.arguments(ChangeRoleSchema)
    @blp.response(200, StaffSchema)
    @blp.alt_response(409, **PROBLEM_BODY,
                      description="Demoting the last active admin (last_admin).")
    @require("admin")
    def post(self, data: dict[str, Any], username: str) -> dict[str, Any]:
        """Change the role; the account's old tokens stop working."""
        row = dict(perform(ChangeStaffRole(username, data["role"])).result)
        _revoked(username)
        return row
