"""Self-check kiosk accounts: an administrator creates, lists and disables SIP2 logins."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from service.adapters.api.auth import require
from service.adapters.api.common import lector, ports
from service.adapters.api.schemas.kiosks import CreateKioskSchema, KioskSchema
from service.application import kiosks

blp = Blueprint("kiosks", __name__, url_prefix="/api/v1/kiosks",
                description="Self-check kiosk accounts (SIP2 logins); admin only.")


@blp.route("")
class Kiosks(MethodView):
    @blp.arguments(CreateKioskSchema)
    @blp.response(201, KioskSchema)
    @require("admin")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a kiosk account (refusals: kiosk_exists, weak_password)."""
        return kiosks.create_kiosk(lector().engine, now=ports().clock(), **data)

    @blp.response(200, KioskSchema(many=True))
    @require("admin")
    def get(self) -> list[dict[str, Any]]:
        """Every kiosk account (passwords are never shown)."""
        return kiosks.list_kiosks(lector().engine)


@blp.route("/<kiosk_id>/deactivate")
class Deactivate(MethodView):
    @blp.response(200, KioskSchema)
    @require("admin")
    def post(self, kiosk_id: str) -> dict[str, Any]:
        """Disable a kiosk account: its next SIP2 login is refused."""
        return kiosks.deactivate_kiosk(lector().engine, kiosk_id)
