"""Lector's service: command handlers (core), the Flask API, SIP2, pages and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Any = None) -> Flask:
    """Build the Flask app (imported lazily: workers use the domain and application layers
    without Flask)."""
    from service.adapters.app import build_app

    return build_app(config)
