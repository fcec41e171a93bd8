"""Lending at the desk, the kiosk and the phone: check out, check in, renew, lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.views import MethodView
from flask_smorest import Blueprint

from projections.current_loans import list_loans
from projections.reader_profiles import get_reader
from service.adapters.api.auth import current_principal, require
from service.adapters.api.common import lector, perform_answer, ports
from service.adapters.api.consistency import read_model
from service.adapters.api.schemas.circulation import (
    CheckInResultSchema,
    CheckInSchema,
    CheckOutResultSchema,
    CheckOutSchema,
    CommandResultSchema,
    LoanListArgsSchema,
    LoanSchema,
    LostSchema,
    RenewResultSchema,
    RenewSchema,
)
from service.application.commands import CheckIn, CheckOut, MarkLost, Renew
from service.application.ecard import resolve_card
from service.application.history import loans_as_of
from service.application.settings import library_today

blp = Blueprint("circulation", __name__, url_prefix="/api/v1",
                description="Check out, check in, renew, lost; open loans and loans at a past time.")


@blp.route("/checkouts")
class CheckOuts(MethodView):
    @blp.arguments(CheckOutSchema)
    @blp.response(201, CheckOutResultSchema)
    @require("desk")
    def post(self, command: CheckOut) -> dict[str, Any]:
        """Lend a copy (refusals: copy_not_available, copy_not_found, reader_not_found,
        reader_blocked, loan_limit_reached, hold_for_other_reader; for an e-card code in
        card_number: ecard_expired, ecard_invalid)."""
        card = resolve_card(lector().config.secret_key, command.card_number, ports().clock())
        return perform_answer(replace(command, card_number=card))


@blp.route("/checkins")
class CheckIns(MethodView):
    @blp.arguments(CheckInSchema)
    @blp.response(200, CheckInResultSchema)
    @require("desk")
    def post(self, command: CheckIn) -> dict[str, Any]:
        """Return a copy (with returned_at: a book drop, back-dated); the answer says whether
        it goes to the shelf, the hold shelf (naming the reader) or in transit."""
        return name_hold_reader(perform_answer(command))


@blp.route("/renewals")
class Renewals(MethodView):
    @blp.arguments(RenewSchema)
    @blp.response(200, RenewResultSchema)
    @require("reader")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Renew a loan (readers may renew only their own)."""
        principal = current_principal()
        only = principal.reader_id if principal.kind == "reader" else None
        return perform_answer(Renew(data["barcode"], only_reader=only,
                                    override_reason=data["override_reason"]))


@blp.route("/loans/lost")
class Lost(MethodView):
    @blp.arguments(LostSchema)
    @blp.response(200, CommandResultSchema)
    @require("desk")
    def post(self, command: MarkLost) -> dict[str, Any]:
        """Mark a loaned copy lost: the loan ends and the replacement cost is charged.
        Checking the copy in later marks it found."""
        return perform_answer(command)


@blp.route("/loans")
class Loans(MethodView):
    @blp.arguments(LoanListArgsSchema, location="query")
    @blp.response(200, LoanSchema(many=True))
    @require("desk")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Open loans (overdue=true for the overdue list); with as_of, loans at that instant,
        computed from the log."""
        if args["as_of"] is not None:
            return loans_as_of(ports(), instant(args["as_of"]), barcode=args["barcode"],
                               reader_id=args["reader"])
        return loans_query(reader=args["reader"], barcode=args["barcode"],
                           overdue=args["overdue"], page=args["page"],
                           page_size=args["page_size"])


def name_hold_reader(answer: dict[str, Any]) -> dict[str, Any]:
    """Name the reader a copy was set aside for (name and card, never the internal id)."""
    reader_id = answer.get("hold_reader_id")
    if not reader_id:
        return answer
    with lector().engine.connect() as conn:
        profile = get_reader(conn, reader_id) or {}
    name, card = profile.get("name") or "", profile.get("card_number") or ""
    until, at = answer.get("pickup_by"), answer.get("pickup_branch")
    answer = {**answer, "hold_reader_name": name, "hold_reader_card": card}
    if answer.get("route") == "hold_shelf":
        answer["message_en"] = f"Hold shelf: for {name} ({card}), pickup at {at} by {until}."
        answer["message_zh"] = f"请放到预约架：为读者 {name}（{card}）保留，{at} 取书，截止 {until}。"
    elif answer.get("route") == "transit":
        answer["message_en"] = (f"Send in transit to {at}: on hold for {name} ({card}), "
                                f"pickup by {until}.")
        answer["message_zh"] = f"请转运至 {at}：为读者 {name}（{card}）预约，取书截止 {until}。"
    return answer


def instant(value: datetime | date) -> datetime:
    """An instant as given, or the end of a local day (the first instant of the next)."""
    if isinstance(value, datetime):
        return value
    zone = ZoneInfo(ports().timezone)
    return datetime.combine(value + timedelta(days=1), time(), zone) - timedelta(microseconds=1)


def loans_query(*, reader: str | None = None, barcode: str | None = None, overdue: bool = False,
                page: int = 1, page_size: int = 500) -> list[dict[str, Any]]:
    """Open loans from the read model (once it reflects ``min_position``), days overdue added."""
    today = library_today(ports().clock(), ports().timezone)
    with read_model("current_loans") as conn:
        rows = list_loans(conn, reader_id=reader, barcode=barcode,
                          overdue_on=today if overdue else None,
                          offset=(page - 1) * page_size, limit=page_size)
    return overdue_days(rows)


def overdue_days(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    today = library_today(ports().clock(), ports().timezone)
    return [{**r, "days_overdue": max(0, (today - r["due_on"]).days)} for r in rows]
