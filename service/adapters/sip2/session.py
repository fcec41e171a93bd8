"""One kiosk connection's conversation: decode, verify, gate, dispatch, frame the reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from events.text_safety import describe, first_unstorable
from service.adapters.sip2 import handlers_holds, handlers_items, handlers_patron
from service.adapters.sip2.backend import KioskAccount, Sip2Backend
from service.adapters.sip2.charset import normalise_charset
from service.adapters.sip2.codec import (
    Message,
    Sip2FormatError,
    checksum_ok,
    encode,
    format_timestamp,
    has_checksum,
    parse,
)
from service.adapters.sip2.framing import Frame
from service.adapters.sip2.messages import REQUEST_CODES, supported_messages_bitmap
from service.adapters.sip2.replies import Context, refusal, reply
from service.adapters.sip2.settings import Sip2Settings
from service.adapters.sip2.texts import refusal_text

log = logging.getLogger("lector.sip2")

Handler = Callable[[Context, Message], Message]
HANDLERS: dict[str, Handler] = {
    "63": handlers_patron.patron_information,
    "23": handlers_patron.patron_status,
    "01": handlers_patron.patron_status,
    "25": handlers_patron.patron_status,
    "35": handlers_patron.end_session,
    "37": handlers_patron.fee_paid,
    "11": handlers_items.checkout,
    "09": handlers_items.checkin,
    "29": handlers_items.renew,
    "65": handlers_items.renew_all,
    "17": handlers_holds.item_information,
    "15": handlers_holds.hold,
}
# Login password, patron PIN and terminal password: their values never reach a log.
SECRET_FIELDS = frozenset(("CO", "AD", "AC"))


def redact(message: Message) -> str:
    """Return a loggable form of a message with password, PIN and terminal password masked."""
    fields = "|".join(
        f"{code}{'***' if code in SECRET_FIELDS else value}" for code, value in message.fields
    )
    return f"{message.code} {fields}"


class Sip2Session:
    """The state of one kiosk connection; ``handle`` turns one frame into reply bytes."""

    def __init__(
        self,
        backend: Sip2Backend,
        settings: Sip2Settings,
        clock: Callable[[], datetime],
        peer: str = "?",
        login_gate: Callable[[str], bool] | None = None,
    ) -> None:
        self.backend, self.settings, self.clock, self.peer = backend, settings, clock, peer
        # Counts login attempts per client address across connections (see Sip2Server).
        self.login_gate = login_gate
        self.kiosk: KioskAccount | None = None
        self.closed = False
        self.encoding = normalise_charset(settings.default_charset)
        self._login_failures = 0
        self._last_request: str | None = None
        self._last_reply: bytes | None = None

    def handle(self, frame: Frame) -> bytes:
        """Answer one received line; never raises for anything a kiosk can send."""
        if frame.overflow:
            log.warning("sip2 %s: line too long, asking for a resend", self.peer)
            return self._resend_request(frame.ending, with_checksum=True)
        try:
            text = frame.payload.decode(self.encoding)
        except UnicodeDecodeError:
            log.warning("sip2 %s: undecodable line in %s", self.peer, self.encoding)
            return self._resend_request(frame.ending, with_checksum=True)
        try:
            request = parse(text)
        except Sip2FormatError as error:
            log.info("sip2 %s: unreadable message (%s)", self.peer, error)
            return self._resend_request(frame.ending, with_checksum=has_checksum(text))
        if request.code not in REQUEST_CODES:
            log.info("sip2 %s: %s is not a request", self.peer, request.code)
            return self._resend_request(frame.ending, with_checksum=has_checksum(text))
        if request.checksum is not None and not checksum_ok(text, frame.payload):
            log.info("sip2 %s: bad checksum on %s", self.peer, request.code)
            return self._resend_request(frame.ending, with_checksum=True)
        if request.code == "97":
            return self._last_reply or self._resend_request(frame.ending, with_checksum=True)
        if request.sequence is not None and text == self._last_request and self._last_reply:
            # The kiosk repeated its last message verbatim (same AY): it missed our reply.
            return self._last_reply
        log.debug("sip2 %s: <- %s", self.peer, redact(request))
        bad = first_unstorable(text)
        response = self._answer(request) if bad is None else self._invalid_text(request, bad)
        data = encode(
            replace(response, sequence=request.sequence),
            encoding=self.encoding,
            ending=frame.ending,
            with_checksum=request.checksum is not None,
            checksum_over_bytes=self.settings.checksum_over_bytes,
        )
        self._last_request, self._last_reply = text, data
        return data

    def _resend_request(self, ending: bytes, *, with_checksum: bool) -> bytes:
        return encode(Message("96"), encoding=self.encoding, ending=ending,
                      with_checksum=with_checksum)

    def _answer(self, request: Message) -> Message:
        now = self.clock()
        stamp = format_timestamp(now, self.settings.zone)
        try:
            if request.code == "93":
                return self._login(request)
            if request.code == "99":
                return self._status(request, stamp)
            if self.kiosk is None:
                screen = refusal_text("not_logged_in").pick("zh-CN")
                return refusal(request, screen=screen, stamp=stamp,
                               institution=self.settings.institution_id)
            handler = HANDLERS.get(request.code)
            if handler is None:
                screen = refusal_text("not_supported").pick(self.kiosk.language)
                return refusal(request, screen=screen, stamp=stamp,
                               institution=self.kiosk.institution_id)
            return handler(Context(self.backend, self.kiosk, self.settings, now), request)
        except Exception:
            # A backend failure must not leave the kiosk waiting: refuse cleanly instead.
            log.exception("sip2 %s: handling %s failed", self.peer, request.code)
            if request.code == "99":
                return self._offline_status(stamp)
            language = self.kiosk.language if self.kiosk else "zh-CN"
            institution = self.kiosk.institution_id if self.kiosk else ""
            return refusal(request, screen=refusal_text("internal_error").pick(language),
                           stamp=stamp, institution=institution)

    def _invalid_text(self, request: Message, char: str) -> Message:
        """Refuse a message holding NUL or another character no back end can store: it would
        otherwise reach a lookup or an event (the store refuses it too, as a last line)."""
        log.info("sip2 %s: %s holds %s; refused", self.peer, request.code, describe(char))
        stamp = format_timestamp(self.clock(), self.settings.zone)
        if request.code == "99":
            return self._status(request, stamp)  # nothing of a status request is kept
        language = self.kiosk.language if self.kiosk else "zh-CN"
        institution = self.kiosk.institution_id if self.kiosk else self.settings.institution_id
        return refusal(request, screen=refusal_text("invalid_text").pick(language), stamp=stamp,
                       institution=institution)

    def _login(self, request: Message) -> Message:
        user_id = request.get("CN") or ""
        if self.login_gate is not None and not self.login_gate(self.peer.rsplit(":", 1)[0]):
            log.warning("sip2 %s: too many logins from this address, closing", self.peer)
            self.closed = True
            return reply("94", {"ok": "0"})
        account = self.backend.authenticate_kiosk(
            user_id, request.get("CO") or "", request.get("CP") or None
        )
        if account is None:
            self._login_failures += 1
            log.warning("sip2 %s: login refused for %r", self.peer, user_id)
            if self._login_failures >= self.settings.max_login_failures:
                self.closed = True
            return reply("94", {"ok": "0"})
        try:
            self.encoding = normalise_charset(account.charset)
        except ValueError:
            log.error("sip2 kiosk %s has an unsupported charset; using %s",
                      account.kiosk_id, self.encoding)
        self.kiosk, self._login_failures = account, 0
        log.info("sip2 %s: kiosk %s logged in", self.peer, account.kiosk_id)
        return reply("94", {"ok": "1"})

    def _status(self, request: Message, stamp: str) -> Message:
        if self.kiosk is None and not self.settings.allow_status_before_login:
            return self._offline_status(stamp)
        kiosk = self.kiosk
        fixed = {
            "online_status": "Y", "checkin_ok": "Y", "checkout_ok": "Y",
            "acs_renewal_policy": "Y", "status_update_ok": "N", "offline_ok": "N",
            "timeout_period": self.settings.timeout_period,
            "retries_allowed": self.settings.retries_allowed,
            "date_time_sync": stamp, "protocol_version": "2.00",
        }
        return reply(
            "98", fixed,
            ("AO", kiosk.institution_id if kiosk else self.settings.institution_id),
            ("AM", kiosk.library_name if kiosk and kiosk.library_name else None),
            ("BX", supported_messages_bitmap()),
            ("AN", kiosk.location if kiosk else None),
        )

    def _offline_status(self, stamp: str) -> Message:
        fixed = {
            "online_status": "N", "checkin_ok": "N", "checkout_ok": "N",
            "acs_renewal_policy": "N", "status_update_ok": "N", "offline_ok": "N",
            "timeout_period": self.settings.timeout_period,
            "retries_allowed": self.settings.retries_allowed,
            "date_time_sync": stamp, "protocol_version": "2.00",
        }
        return reply("98", fixed, ("AO", self.settings.institution_id),
                     ("BX", supported_messages_bitmap()),
                     ("AF", refusal_text("not_logged_in").pick("zh-CN")))
