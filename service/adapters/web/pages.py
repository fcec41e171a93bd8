"""Routes that render the desk and portal pages; all data comes from the token-guarded API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, render_template, send_from_directory
from flask_babel import gettext as _

from service.adapters.api.translations import request_lang
from service.domain.locale import ZH

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/web/static")


@dataclass(frozen=True)
class StaffPage:
    """One staff page, named once for both the shell's navigation and the landing page:
    its navigation key, where it goes, its name in the navigation (with the browser-side word
    key for client-rendered pages) and, if it is a door of the landing page, one line about it
    there (and a longer name, where the navigation's is short)."""

    key: str
    href: str
    word: str
    nav: str
    about: str | None = None
    long_name: str | None = None

    @property
    def name(self) -> str:
        """Its name on the landing page."""
        return self.long_name or self.nav


def staff_pages() -> list[StaffPage]:
    """Every staff page in navigation order (built per request: the names are translated)."""
    return [
        StaffPage("desk", "/desk", "nav.desk", _("Front desk"),
                  _("Lend, return, renew and reserve with a scanner.")),
        StaffPage("reports", "/reports", "nav.reports", _("Reports"),
                  _("Collection, readers and service: what to buy, what to weed, who is lapsing.")),
        StaffPage("activities", "/activities", "nav.activities", _("Activities"),
                  _("Reading clubs, lectures and storytimes: sign-ups, attendance; reader surveys.")),
        StaffPage("campaigns", "/campaigns", "nav.campaigns", _("Campaigns"),
                  _("Reach a segment of readers and measure the effect against a hold-out group.")),
        StaffPage("classes", "/classes", "nav.classes", _("Classes"),
                  _("Teachers: class reading lists and each pupil's progress.")),
        StaffPage("readers", "/desk#readers", "nav.readers", _("Readers")),
        StaffPage("admin", "/admin", "nav.admin", _("Administration"),
                  _("Branches, categories, circulation policy, calendars, staff, kiosks, notices.")),
        StaffPage("mailbox", "/mailbox", "nav.mailbox", _("Mailbox"),
                  _("Notices delivered here while no mail server is set.")),
        StaffPage("api", "/api/v1/docs", "nav.api", _("API docs"),
                  _("Every command and query of the HTTP API."), _("API documentation")),
        StaffPage("portal", "/portal", "nav.portal", _("Reader portal")),
    ]


def staff_doors() -> list[StaffPage]:
    """The staff pages the landing page opens a door to."""
    return [page for page in staff_pages() if page.about is not None]


@blp.get("/")
def landing() -> str:
    """The first page: the library's name and a door to every part of Lector."""
    lang = request_lang(ZH)
    return render_template("web/landing.html", lang=lang, other_lang="en" if lang == ZH else ZH,
                           library_name=current_app.extensions["lector"].config.library_name,
                           staff_doors=staff_doors())

@blp.app_context_processor
def staff_shell() -> dict[str, Any]:
    """What the staff shell shows on every page: the library's name and the staff pages."""
    lector = current_app.extensions.get("lector")
    return {"library_name": lector.config.library_name if lector else "Lector",
            "staff_pages": staff_pages()}


@blp.get("/desk")
def desk() -> str:
    """The front desk: sign in, scan a card, lend, return, renew."""
    return render_template("web/desk.html", staff_page="desk")


@blp.get("/portal")
def portal() -> str:
    """The reader portal: loans, holds, search and reserve, feedback, history."""
    return render_template("web/portal.html")


@blp.get("/campaigns")
def campaigns() -> str:
    """Campaigns (librarian, admin): create with an audience preview, launch, uplift report."""
    return render_template("web/campaigns.html", staff_page="campaigns")


@blp.get("/reports")
def reports() -> str:
    """The reports dashboard (librarian, admin): KPI tiles and charts over the report API."""
    return render_template("web/reports.html", staff_page="reports")


@blp.get("/activities")
def activities() -> str:
    """Activities and surveys (staff): publish, sign-ups, attendance at the door, report,
    survey building and results; all data from the token-guarded API."""
    return render_template("web/activities.html", staff_page="activities")
@blp.get("/classes")
def classes_page() -> str:
    """Teachers' page: their classes, each pupil's progress on the list, batch reserve."""
    return render_template("web/classes.html", staff_page="classes")


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
    return render_template("web/mailbox.html", staff_page="mailbox")


@blp.get("/readers/<reader_id>")
def reader_360(reader_id: str) -> str:
    """Reader 360 (staff): everything the library knows of one reader, from the API."""
    return render_template("web/reader.html", reader_id=reader_id, staff_page="readers")
