"""Title endpoints: catalogue, update, search (Chinese included), availability."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.catalogue import availability_counts, get_title
from projections.hold_queue import waiting_counts as holds_waiting
from projections.title_query import TitleFilters, search_titles, volumes_of
from service.adapters.api.auth import current_actor, idempotency_key, require
from service.adapters.api.common import answer, offset, page, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.catalogue import (
    CatalogueTitleSchema,
    TitleCommandResultSchema,
    TitleFieldsSchema,
    TitleListArgsSchema,
    TitlePageSchema,
    TitleSchema,
)
from service.adapters.api.schemas.common import MinPositionArgsSchema
from service.application import catalogue as handlers
from service.domain.errors import NotFound

blp = Blueprint("titles", __name__, url_prefix="/api/v1/titles",
                description="Titles: cataloguing, search and availability.")


def _with_availability(conn: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r["title_id"] for r in rows]
    counts = availability_counts(conn, ids)
    waiting = holds_waiting(conn, ids)
    volumes = volumes_of(conn, ids)
    return [{**r, "availability": counts[r["title_id"]], "volumes": volumes[r["title_id"]],
             "holds_waiting": waiting.get(r["title_id"], 0)} for r in rows]


@blp.route("")
class Titles(MethodView):
    @blp.arguments(CatalogueTitleSchema)
    @blp.response(201, TitleCommandResultSchema)
    @require("librarian")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Catalogue a title (ISBN validated and normalised to ISBN-13)."""
        for name in handlers.LIST_FIELDS:
            data[name] = tuple(data.get(name) or ())
        cmd = handlers.CatalogueTitle(**data)
        return answer(handlers.catalogue_title(ports(), current_actor(), cmd, idempotency_key()))

    @blp.arguments(TitleListArgsSchema, location="query")
    @blp.response(200, TitlePageSchema)
    @require("reader")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search titles, ranked (title words before names, subjects and the rest), with facets."""
        isbn = handlers.clean_isbn(args["isbn"]) if args["isbn"] else None
        filters = TitleFilters(isbn=isbn, clc_class=args["clc_class"], cls=args["cls"],
                               format=args["format"], language=args["language"],
                               year=args["year"], branch=args["branch"])
        with read_model("catalogue", "title_search") as conn:
            found = search_titles(conn, q=args["q"], filters=filters, offset=offset(args),
                                  limit=args["page_size"], with_facets=args["facets"])
            items = _with_availability(conn, found.rows)
        facets = {name: [{"value": v, "count": n} for v, n in counts]
                  for name, counts in found.facets.items()} if args["facets"] else None
        return {**page(items, total=found.total, args=args), "facets": facets}


@blp.route("/<title_id>")
class Title(MethodView):
    @blp.arguments(MinPositionArgsSchema, location="query")
    @blp.response(200, TitleSchema)
    @require("reader")
    def get(self, _args: dict[str, Any], title_id: str) -> dict[str, Any]:
        """A title with copies by status and the length of its hold queue."""
        with read_model("catalogue") as conn:
            row = get_title(conn, title_id)
            if row is None:
                raise NotFound("title_not_found", "Title not found.", "未找到该书目。")
            return _with_availability(conn, [row])[0]

    @blp.arguments(TitleFieldsSchema)
    @blp.response(200, TitleCommandResultSchema)
    @require("librarian")
    def patch(self, data: dict[str, Any], title_id: str) -> dict[str, Any]:
        """Correct a title's description."""
        return answer(handlers.update_title(
            ports(), current_actor(), title_id, data, idempotency_key()
        ))
