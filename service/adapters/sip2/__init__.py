"""SIP2 (3M Standard Interchange Protocol 2.00) server for self-check kiosks."""

from __future__ import annotations

from service.adapters.sip2.backend import Sip2Backend
from service.adapters.sip2.server import Sip2Server
from service.adapters.sip2.settings import Sip2Settings

__all__ = ["Sip2Backend", "Sip2Server", "Sip2Settings"]
