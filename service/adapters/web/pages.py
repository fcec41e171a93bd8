"""Routes that render the desk and portal pages; all data comes from the token-guarded API."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory

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
@blp.get("/classes")
def classes_page() -> str:
    """Teachers' page: their classes, each pupil's progress on the list, batch reserve."""
    return render_template("web/classes.html")


@blp.get("/portal/offline")
def portal_offline() -> str:
    """What the portal's service worker shows when there is no network."""
    return render_template("web/portal_offline.html")


@blp.get("/portal-sw.js")
def portal_service_worker() -> Response:
    """The portal's service worker, served from the root so it may control /portal."""
    reply = send_from_directory(blp.static_folder or "", "portal-sw.js", max_age=0)
    reply.headers["Cache-Control"] = "no-cache"
    return reply


@blp.get("/mailbox")
def mailbox() -> str:
    """The local mailbox (staff): notices delivered here when no SMTP relay is configured."""
    return render_template("web/mailbox.html")


@blp.get("/readers/<reader_id>")
def reader_360(reader_id: str) -> str:
    """Reader 360 (staff): everything the library knows of one reader, from the API."""
    return render_template("web/reader.html", reader_id=reader_id)
