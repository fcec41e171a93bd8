"""The `lector` group and its operating commands: serve, worker, beat, db, rebuild."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

import click

from service.config import Config


def _config() -> Config:
    return Config.from_env()


@click.group()
def main() -> None:
    """Lector: library reader-relationship and circulation service."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from service.adapters.database import upgrade

    config = _config()
    upgrade(config.database_url, months_ahead=config.event_partition_months_ahead)
    click.echo(f"database is up to date ({_safe_url(config.database_url)})")


@db.command("partitions")
@click.option("--months-ahead", type=int, default=None,
              help="Months to have partitions for after this one (default from config).")
def db_partitions(months_ahead: int | None) -> None:
    """Create the event log's missing monthly partitions and list them with row counts."""
    from events.engine import make_engine
    from events.partitions import ensure_partitions, list_partitions

    config = _config()
    engine = make_engine(config.database_url)
    try:
        ahead = config.event_partition_months_ahead if months_ahead is None else months_ahead
        for name in ensure_partitions(engine, ahead):
            click.echo(f"created {name}")
        with engine.connect() as conn:
            found = list_partitions(conn)
        if not found:
            click.echo("the event log is not partitioned (SQLite, or before migration 0025)")
        for part in found:
            month = part.month.strftime("%Y-%m") if part.month else "default"
            click.echo(f"{part.name:<16} {month:<8} {part.rows:>12} rows")
    finally:
        engine.dispose()


def _safe_url(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def run_server(config: Config, host: str, port: int, banner: list[str] | None = None) -> None:
    """Serve the app; embedded mode also runs the periodic jobs in a thread."""
    from werkzeug.serving import run_simple

    from service.adapters.access_log import PathOnlyRequestHandler
    from service.adapters.app import build_app
    from service.adapters.database import upgrade
    from service.bootstrap import bootstrap

    upgrade(config.database_url)
    lector = bootstrap(config)
    app = build_app(lector)
    scheduler = None
    if config.embedded:
        from workers.embedded import EmbeddedScheduler

        scheduler = EmbeddedScheduler(lector)
        scheduler.start()
    for line in banner or []:
        click.echo(line)
    click.echo(f"Lector is serving on http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False,
                   request_handler=PathOnlyRequestHandler)
    finally:
        if scheduler is not None:
            scheduler.stop()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the API and web pages (use gunicorn 'service.wsgi:app' in production)."""
    run_server(_config(), host, port)


def _exec_celery(*args: str) -> None:
    celery = shutil.which("celery") or os.path.join(os.path.dirname(sys.executable), "celery")
    os.execv(celery, [celery, "-A", "workers.main", *args])


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def worker(args: tuple[str, ...]) -> None:
    """Run a Celery worker (needs REDIS_URL); extra arguments go to celery."""
    if _config().embedded:
        raise click.ClickException("set REDIS_URL: the embedded mode runs tasks in-process")
    _exec_celery("worker", "--loglevel=INFO", *args)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def beat(args: tuple[str, ...]) -> None:
    """Run celery beat, the scheduler of periodic jobs (needs REDIS_URL)."""
    if _config().embedded:
        raise click.ClickException("set REDIS_URL: the embedded mode schedules in-process")
    _exec_celery("beat", "--loglevel=INFO", *args)


@main.command()
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Rebuild every projection.")
@click.option("--batch", default=2000, show_default=True)
def rebuild(name: str | None, all_: bool, batch: int) -> None:
    """Refold projections beside their live tables (which keep answering), then swap."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from projections.failures import stuck_in
    from projections.rebuilding import RebuildFailed, RebuildSuperseded
    from projections.runner import rebuild as rebuild_projection
    from projections.runner import rebuild_all as rebuild_every
    from service.bootstrap import bootstrap

    if not name and not all_:
        raise click.UsageError("name a projection or pass --all")
    lector = bootstrap(_config())
    # The Lector's projections are built with the configured LECTOR_TIMEZONE.
    known = {p.name: p for p in lector.projections}
    if not all_ and name not in known:
        lector.dispose()
        raise click.ClickException(f"unknown projection {name!r}; known: {', '.join(known)}")
    chosen = list(known.values()) if all_ else [known[name or ""]]
    head = lector.store.last_position()
    problems: list[str] = []
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn()) as progress:
        if all_:  # one pass over the log folds every projection, then each swaps in
            task = progress.add_task("all projections", total=max(head, 1))

            def show_all(reached: int, last: int) -> None:
                progress.update(task, completed=reached, total=max(last, 1))

            try:
                _reached, failures = rebuild_every(lector.engine, lector.store, chosen, batch,
                                                   show_all)
            except RebuildSuperseded as superseded:
                failures = [superseded]
            problems += [str(f) for f in failures]
            progress.update(task, completed=max(head, 1))
            chosen_one: list[Any] = []
        else:
            chosen_one = chosen
        for projection in chosen_one:
            task = progress.add_task(projection.name, total=max(head, 1))

            def show(reached: int, last: int, task: Any = task) -> None:
                progress.update(task, completed=reached, total=max(last, 1))

            try:
                reached = rebuild_projection(lector.engine, lector.store, projection, batch, show)
            except (RebuildFailed, RebuildSuperseded) as failed:  # the others still rebuild
                problems.append(str(failed))
                continue
            progress.update(task, completed=max(reached, 1), total=max(reached, 1))
    failed = {n: f for n, f in stuck_in(lector.engine).items() if n in {p.name for p in chosen}}
    lector.dispose()
    problems += [f"projection {n} is stuck at position {f.position} ({f.event_type}): {f.error}"
                 for n, f in failed.items()]
    if problems:  # the others are rebuilt; say plainly which one is not, and fail the command
        raise click.ClickException("; ".join(problems))

