"""Handlers for item messages: 11 checkout, 09 checkin, 29 renew, 65 renew all, 17, 15."""

from __future__ import annotations

from service.adapters.sip2.codec import Message, parse_timestamp
from service.adapters.sip2.replies import (
    Context,
    idempotency_key,
    patron_gate,
    refusal,
    reply,
)
from service.adapters.sip2.results import CheckoutResult, PatronCheck, RenewResult
from service.adapters.sip2.status import count4, format_due, format_fen
from service.adapters.sip2.texts import (
    CHECKIN_HOLD,
    CHECKIN_OK,
    CHECKOUT_OK,
    RENEW_ALL,
    RENEW_OK,
    refusal_text,
)


def refuse(ctx: Context, request: Message, code: str, language: str) -> Message:
    screen = refusal_text(code).pick(language)
    return refusal(request, screen=screen, stamp=ctx.stamp, institution=ctx.kiosk.institution_id)


def gate_patron(ctx: Context, request: Message) -> tuple[str, PatronCheck] | Message:
    card, check, refused = patron_gate(ctx, request)
    if refused or check is None:
        language = check.language if check else ctx.kiosk.language
        return refuse(ctx, request, refused or "reader_not_found", language)
    return card, check


def _loan_reply(
    ctx: Context, request: Message, result: CheckoutResult | RenewResult, language: str
) -> Message:
    """Build 12 or 30 from a checkout or renewal result."""
    due = format_due(result.due_date, ctx.settings.due_time)
    template = CHECKOUT_OK if request.code == "11" else RENEW_OK
    text = result.message or (template if result.ok else refusal_text(result.code))
    renewed = isinstance(result, RenewResult) or result.renewed
    fee = result.fee_fen if isinstance(result, CheckoutResult) else 0
    fixed = {
        "ok": "1" if result.ok else "0",
        "renewal_ok": "Y" if result.ok and renewed else "N",
        "magnetic_media": "U",
        "desensitize": "Y" if result.ok else "N",
        "transaction_date": ctx.stamp,
    }
    return reply(
        "12" if request.code == "11" else "30",
        fixed,
        ("AO", ctx.kiosk.institution_id),
        ("AA", request.get("AA") or ""),
        ("AB", request.get("AB") or ""),
        ("AJ", result.title),
        ("AH", due),
        ("BH", ctx.settings.currency if fee else None),
        ("BV", format_fen(fee) if fee else None),
        ("AF", text.pick(language).format(due=result.due_date or "")),
    )


def checkout(ctx: Context, request: Message) -> Message:
    """Answer 11 with 12."""
    return _lend(ctx, request)


def renew(ctx: Context, request: Message) -> Message:
    """Answer 29 with 30 (renewal by item barcode)."""
    return _lend(ctx, request)


def _lend(ctx: Context, request: Message) -> Message:
    """Checkout (11) and renewal (29) share their gate, refusals and reply; only the call differs."""
    gate = gate_patron(ctx, request)
    if isinstance(gate, Message):
        return gate
    card, check = gate
    barcode = request.get("AB") or ""
    if not barcode:
        return refuse(ctx, request, "copy_not_found", check.language)
    if request.code == "11" and (request.get("BI") or "N").upper() == "Y":
        # Cancelling a failed checkin by lending again is not something a kiosk may do.
        return refuse(ctx, request, "not_supported", check.language)
    key = idempotency_key(ctx.kiosk, request, barcode)
    lend = ctx.backend.checkout if request.code == "11" else ctx.backend.renew
    result = lend(ctx.kiosk, card, barcode, idempotency_key=key)
    return _loan_reply(ctx, request, result, check.language)


def renew_all(ctx: Context, request: Message) -> Message:
    """Answer 65 with 66, listing renewed (BM) and unrenewed (BN) barcodes."""
    gate = gate_patron(ctx, request)
    if isinstance(gate, Message):
        return gate
    card, check = gate
    key = idempotency_key(ctx.kiosk, request, card)
    result = ctx.backend.renew_all(ctx.kiosk, card, idempotency_key=key)
    text = result.message or (RENEW_ALL if result.ok else refusal_text(result.code))
    screen = text.pick(check.language).format(
        renewed=len(result.renewed), unrenewed=len(result.unrenewed)
    )
    fixed = {
        "ok": "1" if result.ok else "0",
        "renewed_count": count4(len(result.renewed)),
        "unrenewed_count": count4(len(result.unrenewed)),
        "transaction_date": ctx.stamp,
    }
    return reply(
        "66",
        fixed,
        ("AO", ctx.kiosk.institution_id),
        *(("BM", barcode) for barcode in result.renewed),
        *(("BN", barcode) for barcode in result.unrenewed),
        ("AF", screen),
    )


def checkin(ctx: Context, request: Message) -> Message:
    """Answer 09 with 10, raising the alert with sort bin and destination for a trapped copy."""
    barcode = request.get("AB") or ""
    if not barcode:
        return refuse(ctx, request, "copy_not_found", ctx.kiosk.language)
    zone = ctx.settings.zone
    returned_at = (
        parse_timestamp(request.fixed.get("return_date", ""), zone)
        or parse_timestamp(request.fixed.get("transaction_date", ""), zone)
        or ctx.now
    )
    result = ctx.backend.checkin(
        ctx.kiosk,
        barcode,
        returned_at=returned_at,
        location=request.get("AP") or ctx.kiosk.location,
        idempotency_key=idempotency_key(ctx.kiosk, request, barcode),
    )
    language = result.language or ctx.kiosk.language
    trapped = result.trapped_for_card is not None
    destination = result.pickup_branch if trapped else result.in_transit_to
    if not result.ok:
        text = result.message or refusal_text(result.code)
    elif trapped or destination:
        text = result.message or CHECKIN_HOLD
    else:
        text = result.message or CHECKIN_OK
    alert_type = None
    if trapped:
        alert_type = "01" if result.pickup_branch in (None, ctx.kiosk.location) else "02"
    elif destination:
        alert_type = "04"
    fixed = {
        "ok": "1" if result.ok else "0",
        "resensitize": "Y" if result.ok and alert_type is None else "N",
        "magnetic_media": "U",
        "alert": "Y" if alert_type else "N",
        "transaction_date": ctx.stamp,
    }
    return reply(
        "10",
        fixed,
        ("AO", ctx.kiosk.institution_id),
        ("AB", barcode),
        ("AQ", result.permanent_location),
        ("AJ", result.title or None),
        ("CL", result.sort_bin),
        ("AA", result.card),
        ("CT", destination),
        ("CV", alert_type),
        ("CY", result.trapped_for_card),
        ("AF", text.pick(language).format(branch=destination or "")),
    )
