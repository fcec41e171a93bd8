"""Small helpers every API module uses."""

from __future__ import annotations

from typing import Any

from flask import current_app

from service.application.context import Ports
from service.application.execute import Outcome
from service.bootstrap import Lector


def lector() -> Lector:
    return current_app.extensions["lector"]  # type: ignore[no-any-return]


def ports() -> Ports:
    return lector().ports


def answer(outcome: Outcome) -> dict[str, Any]:
    """A command's result plus the position the caller can ask queries to reflect."""
    return {**outcome.result, "position": outcome.position, "replayed": outcome.replayed}


def page(items: list[Any], total: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "page": args["page"], "page_size": args["page_size"]}


def offset(args: dict[str, Any]) -> int:
    return (int(args["page"]) - 1) * int(args["page_size"])
