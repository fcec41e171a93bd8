"""Administration pages (/admin/...): managed lists, policy, calendars, staff, kiosks, notices.

The routes only render a template in the request's language (``?lang=``, else
Accept-Language, else zh-CN); every piece of data comes from the token-guarded API, which
lets admins write and librarians read.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from service.adapters.api.translations import request_lang
from service.domain.locale import ZH
from service.domain.notices.kinds import NoticeKind

blp = Blueprint("admin", __name__, template_folder="templates")

SECTIONS = ("lists", "policy", "calendars", "staff", "kiosks", "notices")


def section_titles() -> dict[str, str]:
    return {"lists": _("Managed lists"), "policy": _("Circulation policy"),
            "calendars": _("Calendars"), "staff": _("Staff accounts"),
            "kiosks": _("Self-check kiosks"), "notices": _("Notice templates")}


def js_texts() -> dict[str, str]:
    """The texts the page scripts show, from the same catalogue as the templates."""
    return {
        "saved": _("Saved."), "retired": _("Retired."), "confirm_retire": _("Retire this code?"),
        "edit": _("Edit"), "retire": _("Retire"), "active": _("In use"),
        "inactive": _("Retired"), "any": _("(any)"), "remove": _("Remove"),
        "applies": _("Rule {n} applies."), "version": _("Version {n}"),
        "rules_count": _("{n} rules"), "by": _("by {actor}"),
        "deactivate": _("Deactivate"), "reactivate": _("Reactivate"),
        "reset_password": _("Reset password"), "new_password": _("New password"),
        "change_role": _("Change role"), "closed": _("Closed"), "open": _("Open"),
        "signed_in_as": _("Signed in as {name} ({role})"), "read_only": _(
            "You can read this page; only an admin can change it."),
        "no_rows": _("Nothing here yet."), "error": _("Something went wrong."),
        "network": _("The server cannot be reached."),
        "session": _("Your session has ended; please sign in again."),
        "preview_failed": _("The draft does not render:"),
    }


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@blp.get("/admin")
def index() -> str:
    """The administration start page: one link per section and to the mailbox."""
    return _render("index")


@blp.get("/admin/<section>")
def section(section: str) -> str:
    if section not in SECTIONS:
        abort(404)
    return _render(section)


def _render(section: str) -> str:
    lang = request_lang(ZH)
    return render_template(
        f"admin/{section}.html", section=section, lang=lang, sections=SECTIONS,
        server_lang=lang, staff_page="admin",
        titles=section_titles(), texts=js_texts(), weekdays=weekday_names(),
        notice_kinds=[k.value for k in NoticeKind], other_lang="en" if lang == ZH else ZH)
