"""`lector notices ...`: run the notice scan on demand, and send what is pending."""

from __future__ import annotations

from datetime import datetime

import click

from service.config import Config


@click.group()
def notices() -> None:
    """Notices to readers (e-mail, webhook)."""


@notices.command("scan")
@click.option("--now", "now_text", default=None,
              help="Scan as of this ISO instant (default: the clock).")
def scan(now_text: str | None) -> None:
    """Schedule today's due-soon, overdue and pickup notices, then queue the sends.

    Safe to run while beat runs the same scan: every notice key is scheduled once.
    """
    from service.bootstrap import bootstrap
    from workers.notices.queueing import enqueuer
    from workers.notices.scanning import dispatch_pending, notice_now, scan_notices

    lector = bootstrap(Config.from_env())
    try:
        now = datetime.fromisoformat(now_text) if now_text else notice_now(lector)
        counts = scan_notices(lector, now)
        queued = dispatch_pending(lector, enqueuer(lector, lector.celery))
    finally:
        lector.dispose()
    click.echo(f"found {counts['found']} due, scheduled {counts['scheduled']} notices and "
               f"{counts['digests']} digests; queued {queued} sends")


@notices.command("send-pending")
def send_pending() -> None:
    """Queue (or, embedded, send) every pending notice now."""
    from service.bootstrap import bootstrap
    from workers.notices.queueing import enqueuer
    from workers.notices.scanning import dispatch_pending

    lector = bootstrap(Config.from_env())
    try:
        queued = dispatch_pending(lector, enqueuer(lector, lector.celery))
    finally:
        lector.dispose()
    click.echo(f"queued {queued} sends")
