"""Handlers for reader-facing messages: 63 patron information, 23 status, 35 end, 37 fee."""

from __future__ import annotations

from service.adapters.sip2.codec import Message
from service.adapters.sip2.replies import Context, Field, idempotency_key, patron_gate, refusal, reply
from service.adapters.sip2.results import PatronCheck, PatronInfo, Text
from service.adapters.sip2.status import (
    count4,
    format_fen,
    parse_fen,
    patron_status_flags,
    sip_language,
)
from service.adapters.sip2.texts import FEE_PAID, GOODBYE, block_text, refusal_text
from service.domain.locale import EN, ZH, negotiate_lang

# Summary position in a 63 request -> (field code, attribute of PatronInfo).
_ITEM_LISTS = (
    ("AS", "hold_items"),
    ("AT", "overdue_items"),
    ("AU", "charged_items"),
    ("AV", "fine_items"),
    ("BU", None),
    ("CD", "unavailable_hold_items"),
)


def _refuse(ctx: Context, request: Message, code: str, check: PatronCheck | None) -> Message:
    language = check.language if check else ctx.kiosk.language
    screen = refusal_text(code).pick(language)
    return refusal(request, screen=screen, stamp=ctx.stamp, institution=ctx.kiosk.institution_id)


def _screen(info: PatronInfo, refused: str | None) -> str | None:
    texts: list[Text] = [refusal_text(refused)] if refused == "invalid_pin" else []
    texts += [block_text(reason) for reason in info.block_reasons]
    if info.message is not None:
        texts.append(info.message)
    if not texts:
        return None
    separator = " " if negotiate_lang(info.language, ZH) == EN else ""
    return separator.join(text.pick(info.language) for text in texts)


def _lookup(ctx: Context, request: Message) -> tuple[PatronInfo, PatronCheck, str | None] | Message:
    """Return (info, check, refusal code of the PIN check) or a refusal reply."""
    card, check, refused = patron_gate(ctx, request)
    if refused == "reader_not_found" or check is None:
        return _refuse(ctx, request, "reader_not_found", check)
    info = ctx.backend.patron_information(ctx.kiosk, card)
    if info is None:
        return _refuse(ctx, request, "reader_not_found", check)
    return info, check, refused


def _common_fields(ctx: Context, info: PatronInfo, refused: str | None) -> list[Field]:
    # A wrong PIN still gets the card's status (CQ=N tells the kiosk why) but not the name.
    return [
        ("AO", ctx.kiosk.institution_id),
        ("AA", info.card),
        ("AE", "" if refused == "invalid_pin" else info.name),
    ]


def _validity(ctx: Context, check: PatronCheck, info: PatronInfo) -> list[Field]:
    return [
        ("BL", "Y"),
        ("CQ", None if check.pin_ok is None else "Y" if check.pin_ok else "N"),
        ("BH", ctx.settings.currency),
        ("BV", format_fen(info.fines_fen)),
    ]


def patron_information(ctx: Context, request: Message) -> Message:
    """Answer 63 with 64: flags, counts, limits, fines and one page of one item list."""
    found = _lookup(ctx, request)
    if isinstance(found, Message):
        return found
    info, check, refused = found
    fixed = {
        "patron_status": patron_status_flags(info),
        "language": sip_language(info.language),
        "transaction_date": ctx.stamp,
        "hold_items_count": count4(info.holds_ready_count),
        "overdue_items_count": count4(info.overdue_count),
        "charged_items_count": count4(info.loan_count),
        "fine_items_count": count4(info.fine_item_count),
        "recall_items_count": count4(0),
        "unavailable_holds_count": count4(info.holds_waiting_count),
    }
    fields = _common_fields(ctx, info, refused)
    fields += [
        ("BZ", None if info.hold_limit is None else count4(info.hold_limit)),
        ("CA", None if info.overdue_limit is None else count4(info.overdue_limit)),
        ("CB", None if info.loan_limit is None else count4(info.loan_limit)),
        *_validity(ctx, check, info),
        ("CC", None if info.fine_limit_fen is None else format_fen(info.fine_limit_fen)),
    ]
    if refused is None:
        # Titles a reader borrowed are shown only once the PIN is checked (or not required).
        fields += _item_page(ctx, request, info)
    fields.append(("AF", _screen(info, refused)))
    return reply("64", fixed, *fields)


def _item_page(ctx: Context, request: Message, info: PatronInfo) -> list[Field]:
    summary = request.fixed.get("summary", "").upper()
    position = summary.find("Y")
    if position < 0 or position >= len(_ITEM_LISTS):
        return []
    code, attribute = _ITEM_LISTS[position]
    items: tuple[str, ...] = getattr(info, attribute) if attribute else ()
    start = _positive(request.get("BP"), 1)
    end = _positive(request.get("BQ"), start + ctx.settings.max_items - 1)
    end = min(end, start + ctx.settings.max_items - 1)
    return [(code, item) for item in items[start - 1 : end]]


def _positive(text: str | None, default: int) -> int:
    value = (text or "").strip()
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else default


def patron_status(ctx: Context, request: Message) -> Message:
    """Answer 23 (and 01 block, 25 enable, which Lector does not act on) with 24 or 26."""
    found = _lookup(ctx, request)
    if isinstance(found, Message):
        return found
    info, check, refused = found
    fixed = {
        "patron_status": patron_status_flags(info),
        "language": sip_language(info.language),
        "transaction_date": ctx.stamp,
    }
    fields = [
        *_common_fields(ctx, info, refused),
        *_validity(ctx, check, info),
        ("AF", _screen(info, refused)),
    ]
    return reply("26" if request.code == "25" else "24", fixed, *fields)


def end_session(ctx: Context, request: Message) -> Message:
    """Answer 35 with 36 after telling the backend the reader has finished."""
    card = request.get("AA") or ""
    if card:
        ctx.backend.end_session(ctx.kiosk, card)
    return reply(
        "36",
        {"end_session": "Y", "transaction_date": ctx.stamp},
        ("AO", ctx.kiosk.institution_id),
        ("AA", card),
        ("AF", GOODBYE.pick(ctx.kiosk.language)),
    )


def fee_paid(ctx: Context, request: Message) -> Message:
    """Answer 37 with 38 after recording the payment in fen."""
    card, check, refused = patron_gate(ctx, request)
    if refused:
        return _refuse(ctx, request, refused, check)
    assert check is not None
    currency = request.fixed.get("currency_type", "").strip().upper()
    amount = parse_fen(request.get("BV") or "")
    if currency and currency != ctx.settings.currency:
        return _refuse(ctx, request, "currency_mismatch", check)
    if amount is None or amount <= 0:
        return _refuse(ctx, request, "invalid_amount", check)
    transaction_id = request.get("BK") or None
    result = ctx.backend.fee_paid(
        ctx.kiosk,
        card,
        amount,
        fee_type=request.fixed.get("fee_type", "01"),
        payment_type=request.fixed.get("payment_type", "00"),
        fee_id=request.get("CG") or None,
        transaction_id=transaction_id,
        idempotency_key=idempotency_key(ctx.kiosk, request, transaction_id or card),
    )
    text = result.message or (FEE_PAID if result.ok else refusal_text(result.code))
    return reply(
        "38",
        {"payment_accepted": "Y" if result.ok else "N", "transaction_date": ctx.stamp},
        ("AO", ctx.kiosk.institution_id),
        ("AA", card),
        ("BK", result.transaction_id or transaction_id),
        ("AF", text.pick(check.language)),
    )
