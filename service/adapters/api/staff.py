"""Staff accounts over the API (admin only): list, create, deactivate, reactivate, reset, role."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.adapters.api.auth import current_actor, require
from service.adapters.api.common import lector, ports
from service.adapters.api.openapi import PROBLEM_BODY
from service.adapters.api.schemas.staff import (
    ChangeRoleSchema,
    CreateStaffSchema,
    ResetPasswordSchema,
    StaffSchema,
)
from service.adapters.login_security import token_versions
from service.application import staff

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
        return staff.create_staff_account(ports(), current_actor(), **data)


@blp.route("/<username>/deactivate")
class Deactivate(MethodView):
    @blp.response(200, StaffSchema)
    @blp.alt_response(409, **PROBLEM_BODY,
                      description="The last active admin (last_admin).")
    @require("admin")
    def post(self, username: str) -> dict[str, Any]:
        """Deactivate: logins are refused and its tokens stop working at once."""
        row = staff.set_active(ports(), current_actor(), username, False)
        _revoked(username)
        return row


@blp.route("/<username>/reactivate")
class Reactivate(MethodView):
    @blp.response(200, StaffSchema)
    @require("admin")
    def post(self, username: str) -> dict[str, Any]:
        """Reactivate; tokens from before the deactivation stay dead."""
        row = staff.set_active(ports(), current_actor(), username, True)
        _revoked(username)
        return row


@blp.route("/<username>/password")
class Password(MethodView):
    @blp.arguments(ResetPasswordSchema)
    @blp.response(200, StaffSchema)
    @require("admin")
    def post(self, data: dict[str, Any], username: str) -> dict[str, Any]:
        """Set a new password; the account's old tokens stop working."""
        row = staff.reset_password(ports(), current_actor(), username, data["password"])
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
        row = staff.change_role(ports(), current_actor(), username, data["role"])
        _revoked(username)
        return row
