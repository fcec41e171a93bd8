"""Handlers for 17 item information and 15 hold (place and cancel)."""

from __future__ import annotations

from service.adapters.sip2.codec import Message
from service.adapters.sip2.handlers_items import gate_patron, refuse
from service.adapters.sip2.replies import BLANK_DATE, Context, idempotency_key, reply
from service.adapters.sip2.status import CIRCULATION_CODES, format_day, format_due
from service.adapters.sip2.texts import HOLD_CANCELLED, HOLD_PLACED, refusal_text


def item_information(ctx: Context, request: Message) -> Message:
    """Answer 17 with 18: circulation status, hold queue, due date, locations."""
    barcode = request.get("AB") or ""
    item = ctx.backend.item_information(ctx.kiosk, barcode) if barcode else None
    if item is None:
        return refuse(ctx, request, "copy_not_found", ctx.kiosk.language)
    fixed = {
        "circulation_status": CIRCULATION_CODES[item.status],
        "security_marker": "00",
        "fee_type": "01",
        "transaction_date": ctx.stamp,
    }
    return reply(
        "18",
        fixed,
        ("CF", str(item.hold_queue_length)),
        ("AH", format_due(item.due_date, ctx.settings.due_time) or None),
        ("CM", format_day(item.hold_pickup_date) if item.hold_pickup_date else None),
        ("AB", item.barcode),
        # The volume goes with the title (what a kiosk shows) and in item properties.
        ("AJ", f"{item.title} {item.volume}" if item.volume else item.title),
        ("CH", item.volume),
        ("BG", item.owner or None),
        ("AQ", item.permanent_location or None),
        ("AP", item.current_location or None),
    )


def hold(ctx: Context, request: Message) -> Message:
    """Answer 15 with 16: '+' places, '-' cancels; '*' (modify) is refused."""
    gate = gate_patron(ctx, request)
    if isinstance(gate, Message):
        return gate
    card, check = gate
    mode = request.fixed.get("hold_mode", "")
    barcode, title_id = request.get("AB") or None, request.get("AJ") or None
    if mode not in ("+", "-"):
        return refuse(ctx, request, "not_supported", check.language)
    if barcode is None and title_id is None:
        return refuse(ctx, request, "copy_not_found", check.language)
    key = idempotency_key(ctx.kiosk, request, barcode or title_id or "")
    if mode == "+":
        result = ctx.backend.place_hold(
            ctx.kiosk, card, barcode=barcode, title_id=title_id,
            pickup_location=request.get("BS") or None, idempotency_key=key,
        )
    else:
        result = ctx.backend.cancel_hold(
            ctx.kiosk, card, barcode=barcode, title_id=title_id, idempotency_key=key
        )
    done = HOLD_PLACED if mode == "+" else HOLD_CANCELLED
    text = result.message or (done if result.ok else refusal_text(result.code))
    return reply(
        "16",
        {"ok": "1" if result.ok else "0", "available": "Y" if result.available else "N",
         "transaction_date": ctx.stamp},
        # BW first: it is an 18-character field and some clients read it at a fixed offset.
        ("BW", format_day(result.expires_on) if result.expires_on else BLANK_DATE),
        ("BR", None if result.queue_position is None else str(result.queue_position)),
        ("BS", result.pickup_location or None),
        ("AO", ctx.kiosk.institution_id),
        ("AA", card),
        ("AB", barcode),
        ("AJ", result.title or title_id),
        ("AF", text.pick(check.language).format(position=result.queue_position or "")),
    )
