"""Collection reports (librarian): use per class x branch, copies and titles, dead stock,
weeding candidates, holds pressure and the buy list; each also a CSV/XLSX export
(``/api/v1/exports/collection-<report>``). Read from the 'collection' read model only."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema

from projections.collection_stock import dead_stock_cutoff
from projections.runner import checkpoint
from service.adapters.api.auth import require
from service.adapters.api.common import offset, page, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.collection import (
    ClassUseSchema,
    CollectionArgsSchema,
    CopiesSchema,
    DeadStockArgsSchema,
    DeadStockSchema,
    HoldsPressureSchema,
    TitlesSchema,
    WeedingArgsSchema,
    WeedingSchema,
)
from service.application.collection_reports import definitions, query_from, run_report
from service.application.report_settings import current_report_settings
from service.application.settings import library_today

blp = Blueprint("collection_reports", __name__, url_prefix="/api/v1/reports/collection",
                description="Collection reports, live from the log (definitions in each "
                            "answer and in docs/reports.md).")
def answer_report(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one report in a snapshot that also gives the position it reflects; page its rows."""
    query = query_from(args)
    settings = current_report_settings(ports())
    today = library_today(ports().clock(), ports().timezone)
    with read_model("collection") as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            position = checkpoint(conn, "collection")
            result = run_report(conn, name, query, settings, today, ports().timezone)
    extra: dict[str, Any] = {}
    rows = result
    if isinstance(result, dict):  # the class report: rows with months, window and totals
        rows, extra = result["rows"], {k: v for k, v in result.items() if k != "rows"}
    if name == "dead-stock":
        months = query.months or settings.dead_stock_months
        extra = {"months": months,
                 "cutoff": dead_stock_cutoff(query.scope(today, ports().timezone), months)}
    start = offset(args)
    return {**page(rows[start:start + args["page_size"]], len(rows), args), **extra,
            "position": position, "as_of": query.as_of or today, "scheme": query.scheme,
            "definitions": [{"en": m.en, "zh": m.zh} for m in definitions(name)]}


def _view(name: str, path: str, args_schema: type[Schema], answer_schema: type[Schema],
          doc: str) -> None:
    described = doc + "\n\nDefinitions: " + " ".join(m.en for m in definitions(name))

    class View(MethodView):
        @blp.arguments(args_schema, location="query")
        @blp.response(200, answer_schema)
        @require("librarian")
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            return answer_report(name, args)

    View.get.__doc__ = described
    View.__name__ = f"Collection{name.title().replace('-', '')}"
    blp.route(path)(View)


REPORT_VIEWS: tuple[tuple[str, str, type[Schema], type[Schema], str], ...] = (
    ("classes", "/classes", CollectionArgsSchema, ClassUseSchema,
     "Use per class x branch: holdings, checkouts per month over a rolling 12 months, "
     "turnover, % circulated, relative use, stock age."),
    ("copies", "/copies", CollectionArgsSchema, CopiesSchema,
     "Every copy in the holdings: lifetime circulations and renewals, last circulated, days "
     "on shelf."),
    ("titles", "/titles", CollectionArgsSchema, TitlesSchema,
     "Every title in the holdings: copies, circulations, renewals, last circulated."),
    ("dead-stock", "/dead-stock", DeadStockArgsSchema, DeadStockSchema,
     "Copies with no checkout in N months (or never since added N months ago)."),
    ("weeding", "/weeding", WeedingArgsSchema, WeedingSchema,
     "Weeding candidates by age since publication (X) and years since last use (Y) per class."),
    ("holds", "/holds", CollectionArgsSchema, HoldsPressureSchema,
     "Holds pressure per title: active holds, holdable copies, holds ratio, copies needed."),
    ("buy-list", "/buy-list", CollectionArgsSchema, HoldsPressureSchema,
     "Titles to buy more copies of: ceil(holds / R) - copies, R per item type."),
)
for _entry in REPORT_VIEWS:
    _view(*_entry)
