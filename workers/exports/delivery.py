"""Deliver every scheduled export that is due, exactly once per period.

Per due period: ask the log whether it was delivered; take the period's lease (one row per
schedule and period, so of two schedulers racing only one builds the file); ask the log
again; build the export in one snapshot; write it into the folder (temporary name, then an
atomic rename) or send it by e-mail; then append ScheduledExportDelivered to the period's
own stream, which the store accepts once. A failure gives the lease back and the next tick
tries again; a scheduler that died holding one loses it when it lapses.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from events.exports import ScheduledExportDelivered
from projections.export_schedules import list_schedules
from projections.registry import by_name
from projections.runner import catch_up
from service.application.context import SYSTEM, Actor
from service.application.settings import library_today
from service.bootstrap import Lector
from service.data.exporting import KINDS, ExportParams, open_export
from service.data.exporting.schedule_rules import ScheduleSettings, due_period, settings_from_row
from service.data.exporting.scheduling import (
    already_delivered,
    claim_period,
    record_delivery,
    release_period,
)
from service.domain.errors import Conflict
from workers.notices.channels import smtp_settings
from workers.notices.smtp_channel import send_prepared, sender_address

log = logging.getLogger(__name__)
SCHEDULER = Actor(SYSTEM, "worker")


@dataclass(frozen=True)
class Delivered:
    schedule_id: str
    period: str
    file_name: str
    target: str
    position: int


class FolderEscape(ValueError):
    """A schedule's folder resolves outside the configured base (a symlink, say)."""


def folder_for(base: Path, relative: str | None) -> Path:
    """The delivery folder under ``base``; refuses anything that resolves outside it."""
    root = base.resolve()
    target = (root / (relative or "")).resolve()
    if target != root and root not in target.parents:
        raise FolderEscape(f"{relative!r} leaves {root}")
    return target


def _build(lector: Lector, s: ScheduleSettings, period: str, now: datetime,
           into: Path) -> tuple[int, str, str, int]:
    """Write the export into a temporary file in ``into``: (position, temp, name, size)."""
    kind = KINDS[s.kind]
    today = library_today(now, lector.config.timezone)
    opened = open_export(lector.engine, kind, ExportParams(today, lector.config.timezone),
                         s.lang)
    # Named by period and position (ASCII: safe on every file system and mail client).
    name = f"lector-{kind.name}-{period}-pos{opened.position}.{s.format}"
    handle, temp = tempfile.mkstemp(prefix=".lector-", suffix="." + s.format, dir=into)
    size = 0
    with os.fdopen(handle, "wb") as sink:
        for chunk in opened.stream(s.format):
            sink.write(chunk)
            size += len(chunk)
    return opened.position, temp, name, size


def _mail(lector: Lector, s: ScheduleSettings, period: str, path: str, name: str,
          position: int, now: datetime) -> None:
    kind = KINDS[s.kind]
    settings = smtp_settings(lector.config)
    msg = EmailMessage()
    msg["From"] = sender_address(settings)
    msg["To"] = ", ".join(s.recipients)
    msg["Subject"] = (f"定期导出：{s.name}（{kind.title_zh}，{period}）" if s.lang == "zh-CN"
                      else f"Scheduled export: {s.name} ({kind.title_en}, {period})")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=settings.sender_domain or "lector.local")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"附件是定期导出“{s.name}”（{kind.title_zh}）{period} 期的文件 {name}，"
        f"反映事件日志位置 {position} 及之前的全部事件。\n\n"
        f"Attached is {name}, the {period} file of the scheduled export \"{s.name}\" "
        f"({kind.title_en}); it reflects every event up to log position {position}.\n",
        charset="utf-8")
    subtype = "csv" if s.format == "csv" else "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    maintype = "text" if s.format == "csv" else "application"
    with open(path, "rb") as stream:
        data = stream.read()
    if maintype == "text":
        msg.add_attachment(data, maintype="text", subtype=subtype, filename=name)
    else:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    send_prepared(settings, msg, list(s.recipients))


def deliver_one(lector: Lector, schedule_id: str, s: ScheduleSettings, period: str,
                now: datetime) -> Delivered:
    """Build and deliver one period's file, then record it (raises on any failure)."""
    base = lector.config.export_base
    if s.delivery == "folder":
        into = folder_for(base, s.folder)
        into.mkdir(parents=True, exist_ok=True)
    else:
        into = Path(tempfile.gettempdir())
    position, temp, name, size = _build(lector, s, period, now, into)
    try:
        if s.delivery == "folder":
            os.replace(temp, into / name)  # atomic: a reader never sees half a file
            target = str((into / name).relative_to(base.resolve()))
        else:
            _mail(lector, s, period, temp, name, position, now)
            target = ", ".join(s.recipients)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    record_delivery(lector.ports, SCHEDULER, ScheduledExportDelivered(
        schedule_id=schedule_id, period_key=period, kind=s.kind, format=s.format,
        delivered_at=now, position=position, file_name=name, target=target, size_bytes=size))
    return Delivered(schedule_id, period, name, target, position)


def deliver_due(lector: Lector, now: datetime) -> list[Delivered]:
    """Deliver every schedule whose period is due at ``now`` and not yet delivered."""
    now = now.astimezone(UTC)
    catch_up(lector.engine, lector.store, by_name("export_schedules", lector.config.timezone))
    with lector.engine.connect() as conn:
        rows = list_schedules(conn)
    done: list[Delivered] = []
    for row in rows:
        s = settings_from_row(row)
        period = due_period(s, now, lector.config.timezone)
        sid = row["schedule_id"]
        if period is None or row["last_period"] == period or s.kind not in KINDS:
            continue
        if already_delivered(lector.ports, sid, period):
            continue
        token = claim_period(lector.ports, sid, period, now)
        if token is None:
            continue  # another scheduler is delivering this period right now
        try:
            if already_delivered(lector.ports, sid, period):
                continue  # it finished while we were claiming
            done.append(deliver_one(lector, sid, s, period, now))
        except Conflict:
            continue  # recorded by another scheduler after all: nothing more to do
        except Exception:
            log.exception("scheduled export %s (%s) failed; retried next tick", sid, period)
            release_period(lector.ports, sid, period, token)
    return done
