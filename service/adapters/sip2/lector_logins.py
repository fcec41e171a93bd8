"""Kiosk logins and reader PIN checks under the same attempt limits as the API's logins.

The per-account state is in the shared store (Redis or the database), so guesses spread over
many kiosk connections, or over SIP2 and the API, count together.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from service.adapters.login_security import login_guard
from service.adapters.sip2.pin_cache import PinCache
from service.adapters.sip2.results import KioskAccount
from service.application.address_limits import AddressLimit
from service.application.kiosks import authenticate_kiosk
from service.application.login_guard import TooManyAttempts
from service.bootstrap import Lector

log = logging.getLogger("lector.sip2")


class LoginChecks:
    """Mixed into LectorSip2Backend: authenticate_kiosk, login_allowed_from, PIN checks."""

    lector: Lector
    engine: Engine
    pins: PinCache

    def init_logins(self, lector: Lector) -> None:
        self.guard = login_guard(lector)
        self.addresses = AddressLimit(lector.config.redis_url or "memory://",
                                      lector.config.login_rate_limit, "sip2-login")

    def login_allowed_from(self, address: str) -> bool:
        """Count a kiosk login from ``address`` (host) against the per-address limit."""
        return self.addresses.allow(address)

    def authenticate_kiosk(
        self, user_id: str, password: str, location: str | None
    ) -> KioskAccount | None:
        """Return the active kiosk account for these credentials (its own location wins).

        None also while the login user is locked out after too many wrong passwords.
        """
        try:
            attempt = self.guard.attempt(f"kiosk:{user_id[:100]}", "sip2")
        except TooManyAttempts:
            log.warning("sip2: kiosk login %r is locked out", user_id)
            return None
        row = authenticate_kiosk(self.engine, user_id, password)
        if row is None:
            return None
        self.guard.succeeded(attempt)
        return KioskAccount(kiosk_id=row["kiosk_id"], institution_id=row["institution_id"],
                            location=row["location"], charset=row["charset"],
                            language=row["language"],
                            library_name=self.lector.config.library_name)

    def _pin_ok(self, reader_id: str, pin: str) -> bool:
        """Verify a PIN under the reader's attempt limit (shared with the API's logins)."""
        account = f"reader:{reader_id}"
        try:
            if self.pins.remembers(reader_id, pin):
                self.guard.refuse_if_locked(account)  # a lockout beats a remembered PIN
                return True
            attempt = self.guard.attempt(account, "sip2")
        except TooManyAttempts:
            log.warning("sip2: PIN checks for reader %s are locked out", reader_id)
            return False
        if not self.pins.check(reader_id, pin):
            return False
        self.guard.succeeded(attempt)
        return True

