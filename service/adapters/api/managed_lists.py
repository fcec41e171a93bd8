"""Managed lists (branches, reader categories, item types, collections) and policy lookups."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from service.adapters.api.auth import require
from service.adapters.api.common import perform_answer, ports
from service.adapters.api.schemas.circulation import CommandResultSchema
from service.application import commands as c
from service.application import managed_lists, settings
from service.domain.errors import Invalid, NotFound
from service.domain.i18n import Message
from service.domain.library.policy import PolicyRule

blp = Blueprint("managed_lists", __name__, url_prefix="/api/v1",
                description="Managed lists of codes, with zh-CN and en names; policy lookups.")

CODE = validate.Regexp(r"^[A-Za-z0-9_\-]{1,64}$", error="Letters, digits, '_' and '-'.")
KIND = validate.OneOf(managed_lists.KINDS)


class ListEntrySchema(Schema):
    kind = fields.String()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    clc_prefixes = fields.List(fields.String())
    retired = fields.Boolean()
    builtin = fields.Boolean(metadata={"description": "Part of the built-in seed."})


class ListsSchema(Schema):
    branch = fields.List(fields.Nested(ListEntrySchema))
    reader_category = fields.List(fields.Nested(ListEntrySchema))
    item_type = fields.List(fields.Nested(ListEntrySchema))
    collection = fields.List(fields.Nested(ListEntrySchema))


class ListArgsSchema(Schema):
    include_retired = fields.Boolean(load_default=False)


class DefineEntrySchema(Schema):
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=100))
    clc_prefixes = fields.List(fields.String(validate=validate.Regexp(
        r"^[A-Z][A-Z0-9.\-/]{0,15}$", error="A CLC class such as I or TP3.")),
        load_default=list, validate=validate.Length(max=50))


class ResolveArgsSchema(Schema):
    reader_category = fields.String(load_default=None, validate=validate.Length(max=64))
    item_type = fields.String(load_default=None, validate=validate.Length(max=64))
    branch = fields.String(load_default=None, validate=validate.Length(max=64))


class ResolvedSchema(Schema):
    index = fields.Integer(metadata={"description": "Position of the rule in the matrix."})
    rule = fields.Dict()
    version = fields.Integer()


class PolicyVersionSchema(Schema):
    version = fields.Integer()
    position = fields.Integer()
    recorded_at = fields.DateTime()
    actor = fields.String(allow_none=True)
    matrix = fields.Dict()


def _check_kind(kind: str) -> None:
    if kind not in managed_lists.KINDS:
        raise NotFound("unknown_list", f"There is no list '{kind}'.", f"没有名为“{kind}”的列表。")


def _check_code(code: str) -> None:
    try:
        CODE(code)
    except ValidationError:
        raise Invalid("invalid_code", "Not a valid code.", "代码无效。", fields={"code": [
            Message(en="letters, digits, '_' and '-', at most 64",
                    zh="只能包含字母、数字、“_”和“-”，最多 64 位")]}) from None


@blp.route("/lists")
class Lists(MethodView):
    @blp.arguments(ListArgsSchema, location="query")
    @blp.response(200, ListsSchema)
    @require("desk")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every managed list with each code's zh-CN and en names (the desk shows them)."""
        lists = managed_lists.current_lists(ports())
        return {kind: [e.to_dict() for e in lists.of_kind(kind, args["include_retired"])]
                for kind in managed_lists.KINDS}


@blp.route("/lists/<kind>/<code>")
class ListEntry(MethodView):
    @blp.arguments(DefineEntrySchema)
    @blp.response(200, CommandResultSchema)
    @require("admin")
    def put(self, data: dict[str, Any], kind: str, code: str) -> dict[str, Any]:
        """Define a code or change its names (and a collection's CLC classes)."""
        _check_kind(kind)
        _check_code(code)
        return perform_answer(c.DefineListEntry(kind, code, data["name_zh"], data["name_en"],
                                                tuple(data["clc_prefixes"])))


@blp.route("/lists/<kind>/<code>/retire")
class RetireEntry(MethodView):
    @blp.response(200, CommandResultSchema)
    @require("admin")
    def post(self, kind: str, code: str) -> dict[str, Any]:
        """Retire a code: new commands refuse it, existing records keep it."""
        _check_kind(kind)
        return perform_answer(c.RetireListEntry(kind, code))


@blp.route("/policy/resolve")
class ResolvePolicy(MethodView):
    @blp.arguments(ResolveArgsSchema, location="query")
    @blp.response(200, ResolvedSchema)
    @require("desk")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Which rule applies to a reader category x item type x branch (omitted = any)."""
        matrix = settings.current_rules(ports()).matrix
        rule: PolicyRule = matrix.resolve(args["reader_category"], args["item_type"],
                                          args["branch"])
        return {"index": matrix.rules.index(rule), "rule": rule.to_dict(),
                "version": len(settings.policy_history(ports()))}


@blp.route("/policy/history")
class PolicyHistory(MethodView):
    @blp.response(200, PolicyVersionSchema(many=True))
    @require("librarian")
    def get(self) -> list[dict[str, Any]]:
        """Every version of the policy matrix from the log, newest first, with who changed it."""
        out = []
        for version, stored in settings.policy_history(ports()):
            out.append({"version": version, "position": stored.position,
                        "recorded_at": stored.recorded_at,
                        "actor": (stored.meta or {}).get("actor"),
                        "matrix": stored.event.matrix})  # type: ignore[attr-defined]
        return out[::-1]
