"""The dashboard's filter choices: the branches, classes and reader categories that exist."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import func, select

from projections.catalogue import copies, titles
from projections.reader_profiles import reader_profiles
from service.adapters.api.auth import require
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.common import MinPositionArgsSchema

blp = Blueprint("report_filters", __name__, url_prefix="/api/v1/reports",
                description="What the reports can be filtered by.")


class ChoiceSchema(Schema):
    code = fields.String(required=True)
    count = fields.Integer(metadata={"description": "Copies (branches, classes) or readers "
                                                    "(categories) with this code."})


class FilterChoicesSchema(Schema):
    branches = fields.List(fields.Nested(ChoiceSchema))
    classes = fields.List(fields.Nested(ChoiceSchema), metadata={
        "description": "Top-level CLC classes (two letters for T, as the class reports use)."})
    categories = fields.List(fields.Nested(ChoiceSchema))


def report_class(clc: str | None) -> str | None:
    """The class a report groups by: the first letter, two letters for T (TP, TN, ...)."""
    if not clc:
        return None
    head = clc.strip().upper()
    if not head or not head[0].isalpha():
        return None
    return head[:2] if head[0] == "T" and len(head) > 1 and head[1].isalpha() else head[0]


@blp.route("/filters")
class FilterChoices(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, FilterChoicesSchema)
    @require("librarian")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Branches, classes and reader categories present in the read models, by code."""
        with read_model("catalogue", "reader_profiles") as conn:
            branches = conn.execute(select(copies.c.branch, func.count()).group_by(
                copies.c.branch).order_by(copies.c.branch)).all()
            classes: dict[str, int] = {}
            for clc, n in conn.execute(select(titles.c.clc_class, func.count()).join(
                    copies, copies.c.title_id == titles.c.title_id).group_by(titles.c.clc_class)):
                key = report_class(clc)
                if key:
                    classes[key] = classes.get(key, 0) + n
            categories = conn.execute(select(reader_profiles.c.category, func.count()).where(
                reader_profiles.c.erased.is_(False)).group_by(reader_profiles.c.category)
                .order_by(reader_profiles.c.category)).all()
        return {"branches": [{"code": b, "count": n} for b, n in branches],
                "classes": [{"code": c, "count": n} for c, n in sorted(classes.items())],
                "categories": [{"code": c, "count": n} for c, n in categories]}
