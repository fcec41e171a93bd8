"""The shapes of SIP2 2.00 messages: fixed-length fields per message code, and replies."""

from __future__ import annotations

from dataclasses import dataclass

SIP_DATE_LENGTH = 18


@dataclass(frozen=True)
class FixedField:
    """One fixed-length field at the start of a message."""

    name: str
    length: int
    is_date: bool = False


@dataclass(frozen=True)
class MessageSpec:
    """A message code, its name, its fixed fields in order, and the code of its reply."""

    code: str
    name: str
    fixed: tuple[FixedField, ...]
    reply: str | None = None


def _f(name: str, length: int) -> FixedField:
    return FixedField(name, length)


def _date(name: str = "transaction_date") -> FixedField:
    return FixedField(name, SIP_DATE_LENGTH, is_date=True)


_PATRON_STATUS = (_f("patron_status", 14), _f("language", 3), _date())
_CIRC_REPLY = (_f("ok", 1), _f("renewal_ok", 1), _f("magnetic_media", 1), _f("desensitize", 1))

_ALL = (
    # Requests from the self-check machine (SC)
    MessageSpec("93", "login", (_f("uid_algorithm", 1), _f("pwd_algorithm", 1)), "94"),
    MessageSpec(
        "99",
        "sc_status",
        (_f("status_code", 1), _f("max_print_width", 3), _f("protocol_version", 4)),
        "98",
    ),
    MessageSpec("97", "request_acs_resend", ()),
    MessageSpec(
        "63", "patron_information", (_f("language", 3), _date(), _f("summary", 10)), "64"
    ),
    MessageSpec("23", "patron_status", (_f("language", 3), _date()), "24"),
    MessageSpec(
        "11",
        "checkout",
        (_f("sc_renewal_policy", 1), _f("no_block", 1), _date(), _date("nb_due_date")),
        "12",
    ),
    MessageSpec("09", "checkin", (_f("no_block", 1), _date(), _date("return_date")), "10"),
    MessageSpec(
        "29",
        "renew",
        (_f("third_party_allowed", 1), _f("no_block", 1), _date(), _date("nb_due_date")),
        "30",
    ),
    MessageSpec("65", "renew_all", (_date(),), "66"),
    MessageSpec("17", "item_information", (_date(),), "18"),
    MessageSpec("15", "hold", (_f("hold_mode", 1), _date()), "16"),
    MessageSpec("35", "end_patron_session", (_date(),), "36"),
    MessageSpec(
        "37",
        "fee_paid",
        (_date(), _f("fee_type", 2), _f("payment_type", 2), _f("currency_type", 3)),
        "38",
    ),
    MessageSpec("01", "block_patron", (_f("card_retained", 1), _date()), "24"),
    MessageSpec("19", "item_status_update", (_date(),), "20"),
    MessageSpec("25", "patron_enable", (_date(),), "26"),
    # Replies from the library system (ACS)
    MessageSpec("94", "login_response", (_f("ok", 1),)),
    MessageSpec(
        "98",
        "acs_status",
        (
            _f("online_status", 1),
            _f("checkin_ok", 1),
            _f("checkout_ok", 1),
            _f("acs_renewal_policy", 1),
            _f("status_update_ok", 1),
            _f("offline_ok", 1),
            _f("timeout_period", 3),
            _f("retries_allowed", 3),
            _date("date_time_sync"),
            _f("protocol_version", 4),
        ),
    ),
    MessageSpec("96", "request_sc_resend", ()),
    MessageSpec(
        "64",
        "patron_information_response",
        (
            *_PATRON_STATUS,
            _f("hold_items_count", 4),
            _f("overdue_items_count", 4),
            _f("charged_items_count", 4),
            _f("fine_items_count", 4),
            _f("recall_items_count", 4),
            _f("unavailable_holds_count", 4),
        ),
    ),
    MessageSpec("24", "patron_status_response", _PATRON_STATUS),
    MessageSpec("26", "patron_enable_response", _PATRON_STATUS),
    MessageSpec("12", "checkout_response", (*_CIRC_REPLY, _date())),
    MessageSpec("30", "renew_response", (*_CIRC_REPLY, _date())),
    MessageSpec(
        "10",
        "checkin_response",
        (_f("ok", 1), _f("resensitize", 1), _f("magnetic_media", 1), _f("alert", 1), _date()),
    ),
    MessageSpec(
        "66",
        "renew_all_response",
        (_f("ok", 1), _f("renewed_count", 4), _f("unrenewed_count", 4), _date()),
    ),
    MessageSpec(
        "18",
        "item_information_response",
        (_f("circulation_status", 2), _f("security_marker", 2), _f("fee_type", 2), _date()),
    ),
    MessageSpec("16", "hold_response", (_f("ok", 1), _f("available", 1), _date())),
    MessageSpec("36", "end_session_response", (_f("end_session", 1), _date())),
    MessageSpec("38", "fee_paid_response", (_f("payment_accepted", 1), _date())),
    MessageSpec("20", "item_status_update_response", (_f("item_properties_ok", 1), _date())),
)

SPECS: dict[str, MessageSpec] = {spec.code: spec for spec in _ALL}
REQUEST_CODES: frozenset[str] = frozenset(
    ("93", "99", "97", "63", "23", "11", "09", "29", "65", "17", "15", "35", "37", "01", "19", "25")
)

# The 16 positions of the BX "supported messages" field, in the order SIP2 2.00 defines them.
_BITMAP_ORDER = ("23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25",
                 "15", "29", "65")
SUPPORTED_REQUESTS: frozenset[str] = frozenset(
    ("23", "11", "09", "99", "97", "93", "63", "35", "37", "17", "15", "29", "65")
)


def supported_messages_bitmap() -> str:
    """Return the 16-character Y/N BX field announcing which requests Lector handles."""
    return "".join("Y" if code in SUPPORTED_REQUESTS else "N" for code in _BITMAP_ORDER)
