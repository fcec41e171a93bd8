"""Routes that render the desk and portal pages; all data comes from the token-guarded API."""

from __future__ import annotations

from flask import Blueprint, render_template

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/web/static")


@blp.get("/desk")
def desk() -> str:
    """The front desk: sign in, scan a card, lend, return, renew."""
    return render_template("web/desk.html")


@blp.get("/portal")
def portal() -> str:
    """The reader portal: loans, holds, search and reserve, feedback, history."""
    return render_template("web/portal.html")


@blp.get("/reports")
def reports() -> str:
    """The reports dashboard (librarian, admin): KPI tiles and charts over the report API."""
    return render_template("web/reports.html")


@blp.get("/mailbox")
def mailbox() -> str:
    """The local mailbox (staff): notices delivered here when no SMTP relay is configured."""
    return render_template("web/mailbox.html")


@blp.get("/readers/<reader_id>")
def reader_360(reader_id: str) -> str:
    """Reader 360 (staff): everything the library knows of one reader, from the API."""
    return render_template("web/reader.html", reader_id=reader_id)
