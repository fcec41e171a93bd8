"""`lector import ...` and `lector export ...`: bring data in and take it out from the shell."""

from __future__ import annotations

import getpass
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from service.config import Config
from service.domain.locale import EN, ZH, negotiate_lang


def _lector() -> Any:
    from service.adapters.database import upgrade
    from service.bootstrap import bootstrap

    config = Config.from_env()
    upgrade(config.database_url)
    return bootstrap(config)


def _actor() -> Any:
    from service.application.context import Actor, Principal

    # Re-runs by the same operator replay per-record idempotency keys (crash recovery).
    return Actor(Principal("system", f"cli:{getpass.getuser()}", "system"), "cli")


def _zh(lang: str) -> bool:
    return negotiate_lang(lang, EN) == ZH


LANG = click.option("--lang", type=click.Choice(["zh-CN", "en"]), default="zh-CN",
                    show_default=True, help="Language of messages and column names.")


@click.group("import")
def import_() -> None:
    """Import MARC records or a reader list."""


@import_.command("marc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--branch", default="main", show_default=True,
              help="Branch for copies whose 852/952 names none.")
@click.option("--format", "dialect", type=click.Choice(["auto", "marc21", "cnmarc"]),
              default="auto", show_default=True,
              help="Record format; auto: 200 without 245 is CNMARC/UNIMARC, else MARC 21.")
@click.option("--encoding", type=click.Choice(["utf-8", "gb18030", "marc8"]), default=None,
              help="Character set of ISO 2709 files (GB2312/GBK: gb18030); default: detected.")
@LANG
def import_marc_cmd(files: tuple[str, ...], branch: str, dialect: str, encoding: str | None,
                    lang: str) -> None:
    """Import MARC 21 or CNMARC (UNIMARC) files: ISO 2709 (MARC-8, UTF-8, GB18030) or MARCXML."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from service.data.importing import MarcImportSummary, MarcRun, import_marc

    lector, actor, run, total = _lector(), _actor(), MarcRun(), MarcImportSummary()
    console = Console(stderr=True)
    try:
        with Progress("[progress.description]{task.description}", BarColumn(),
                      DownloadColumn(), "{task.fields[records]} records",
                      TimeRemainingColumn(), console=console) as progress:
            for path in files:
                task = progress.add_task(Path(path).name, total=None, records=0)

                def show(records: int, done: int, size: int, task: Any = task) -> None:
                    progress.update(task, completed=done, total=size, records=records)

                with open(path, "rb") as stream:
                    total.merge(import_marc(lector.ports, actor, stream, name=Path(path).name,
                                            default_branch=branch, progress=show, run=run,
                                            dialect=dialect, encoding=encoding))
    finally:
        lector.dispose()
    _print_marc_summary(total, lang)
    if total.errors:
        sys.exit(1)


def _print_marc_summary(summary: Any, lang: str) -> None:
    zh = _zh(lang)
    for kind, items in (("错误" if zh else "error", summary.errors),
                        ("提示" if zh else "note", summary.notices)):
        for p in items:
            click.echo(f"{kind}: {p.file} #{p.position} (001 {p.control_number or '-'}) "
                       f"[{p.code}] {p.message(lang)}", err=True)
    labels = (("records", "记录"), ("created", "新建"), ("updated", "更新"),
              ("unchanged", "未变"), ("skipped", "跳过"), ("copies_added", "新增馆藏"))
    parts = [f"{zh_label if zh else name}: {getattr(summary, name)}"
             for name, zh_label in labels]
    parts.append(f"{'错误' if zh else 'errors'}: {len(summary.errors)}")
    click.echo(", ".join(parts))


@import_.command("readers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--errors", "errors_out", type=click.Path(dir_okay=False),
              help="Write the row error report (CSV, UTF-8 with BOM) here.")
@click.option("--category", default="adult", show_default=True,
              help="Category of new readers whose row has none.")
@LANG
def import_readers_cmd(file: str, dry_run: bool, errors_out: str | None, category: str,
                       lang: str) -> None:
    """Create or update readers by card number from a CSV or XLSX file."""
    from service.data.importing import import_readers

    lector = _lector()
    try:
        summary = import_readers(lector.ports, _actor(), Path(file).read_bytes(),
                                 dry_run=dry_run, default_category=category)
    finally:
        lector.dispose()
    zh = _zh(lang)
    for change in summary.changes:
        if change.action != "unchanged":
            fields = ", ".join(sorted(change.changes))
            click.echo(f"{'row' if not zh else '行'} {change.row_number}: {change.card_number} "
                       f"{change.action} ({fields})")
    for e in summary.errors:
        click.echo(f"{'行' if zh else 'row'} {e.row_number} [{e.column or '-'}]: "
                   f"{e.reason_zh if zh else e.reason_en}", err=True)
    if errors_out:
        Path(errors_out).write_bytes(summary.error_report())
    prefix = ("试运行，未做任何修改。" if zh else "Dry run: nothing was changed. ") if dry_run else ""
    click.echo(f"{prefix}created {summary.created}, updated {summary.updated}, "
               f"unchanged {summary.unchanged}, rows with errors {summary.error_rows}")
    if summary.errors:
        sys.exit(1)


@click.command("export")
@click.argument("kind")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "marc21", "cnmarc"]),
              default="csv", show_default=True,
              help="csv/xlsx for reports; marc21 or cnmarc (ISO 2709, UTF-8) for titles.")
@LANG
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Output file ('-' for stdout); default: a name with kind, date and position.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Trends: first day.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Trends: last day.")
@click.option("--interval", type=click.Choice(["day", "week", "month"]), default="month")
@click.option("--group-by", type=click.Choice(["class", "branch", "category"]), default=None)
def export(kind: str, fmt: str, lang: str, output: str | None, start: Any, end: Any,
           interval: str, group_by: str | None) -> None:
    """Export KIND (readers, loans, overdue, holds, fines, feedback, suggestions, history,
    trends) as CSV or XLSX, streamed; `titles` as MARC 21 or CNMARC records."""
    if kind == "titles" or fmt in ("marc21", "cnmarc"):
        _export_titles(kind, fmt, output)
        return
    from service.application.settings import library_today
    from service.data.exporting import ExportParams, export_filename, kind_named, open_export
    from service.domain.errors import DomainError

    try:
        chosen = kind_named(kind)
    except DomainError as exc:
        raise click.ClickException(exc.message(lang)) from None
    lector = _lector()
    try:
        today: date = library_today(lector.ports.clock(), lector.config.timezone)
        params = ExportParams(today, lector.config.timezone, start and start.date(),
                              end and end.date(), interval, group_by)
        opened = open_export(lector.engine, chosen, params, lang)
        name = output or export_filename(chosen, lang, fmt, opened.position, today)[1]
        sink = sys.stdout.buffer if name == "-" else open(name, "wb")  # noqa: SIM115
        try:
            for chunk in opened.stream(fmt):
                sink.write(chunk)
        finally:
            if sink is not sys.stdout.buffer:
                sink.close()
    finally:
        lector.dispose()
    click.echo(f"{name} (position {opened.position})", err=True)


def _export_titles(kind: str, fmt: str, output: str | None) -> None:
    """Every catalogued title as ISO 2709 records (re-importable: same titles back)."""
    from sqlalchemy import select

    from projections.catalogue import titles
    from service.data.exporting.marc_writer import iso2709

    if kind != "titles" or fmt not in ("marc21", "cnmarc"):
        raise click.UsageError("MARC export is `lector export titles --format marc21|cnmarc`.")
    lector = _lector()
    name = output or f"titles-{fmt}.mrc"
    count = 0
    try:
        sink = sys.stdout.buffer if name == "-" else open(name, "wb")  # noqa: SIM115
        try:
            with lector.engine.connect() as conn:
                rows = conn.execute(select(titles).order_by(titles.c.title_id)).mappings()
                for chunk in iso2709((dict(r) for r in rows), fmt):
                    sink.write(chunk)
                    count += 1
        finally:
            if sink is not sys.stdout.buffer:
                sink.close()
    finally:
        lector.dispose()
    click.echo(f"{name} ({count} titles, {fmt})", err=True)
