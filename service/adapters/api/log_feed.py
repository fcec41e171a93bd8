"""The log as a feed, for administrators and integrations."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from events.codec import to_data
from service.adapters.api.auth import require
from service.adapters.api.common import lector

blp = Blueprint("events", __name__, url_prefix="/api/v1/events",
                description="The event log, in position order (admin only).")


class FeedArgsSchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class StoredEventSchema(Schema):
    position = fields.Integer()
    event_id = fields.String()
    stream_id = fields.String()
    version = fields.Integer()
    type = fields.String()
    schema_version = fields.Integer()
    data = fields.Dict()
    meta = fields.Dict()
    recorded_at = fields.DateTime()
    erased_fields = fields.List(fields.String())


class FeedSchema(Schema):
    items = fields.List(fields.Nested(StoredEventSchema))
    next_after = fields.Integer()
    head = fields.Integer()


@blp.route("")
class Feed(MethodView):
    @blp.arguments(FeedArgsSchema, location="query")
    @blp.response(200, FeedSchema)
    @require("admin")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Events after a position (personal fields decrypted, or null once erased)."""
        store = lector().store
        batch = store.read_all(args["after"], args["limit"])
        items = [{
            "position": e.position, "event_id": e.event_id, "stream_id": e.stream_id,
            "version": e.version, "type": e.type, "schema_version": e.schema_version,
            "data": to_data(e.event), "meta": dict(e.meta), "recorded_at": e.recorded_at,
            "erased_fields": sorted(e.erased_fields),
        } for e in batch]
        next_after = batch[-1].position if batch else args["after"]
        return {"items": items, "next_after": next_after, "head": store.last_position()}
