"""`lector demo`: a living demo library on the embedded default (or the configured database)."""

from __future__ import annotations

import click

from service.config import Config


@click.command()
@click.option("--seed", default=2025, show_default=True, help="Same seed, same library.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day of the simulated year (default: a year ago today).")
@click.option("--loans", "target_loans", default=15000, show_default=True,
              help="About how many loans the simulated year makes.")
@click.option("--no-serve", is_flag=True, help="Build the library and exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(seed: int, start: object, target_loans: int, no_serve: bool, host: str,
         port: int) -> None:
    """Build a demo library (2 branches, 1,000 titles, 3,000 copies, 500 readers and a year
    of circulation through the real command handlers), then serve it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from events.engine import make_engine
    from events.sqlalchemy_store import SqlEventStore
    from service.adapters.database import upgrade
    from service.cli.ops import run_server
    from service.data.demo.executor import STAFF, build_demo

    config = Config.from_env()
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    existing = SqlEventStore(engine).last_position()
    engine.dispose()
    lines = []
    if existing:
        click.echo(f"The library already holds {existing} events; serving it as it is.")
    else:
        first_day = start.date() if start is not None else None  # type: ignore[attr-defined]
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn()) as bar:
            tasks: dict[str, object] = {}

            def show(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

            report = build_demo(config, seed=seed, start=first_day, progress=show,
                                target_loans=target_loans)
        refused = sum(report.refused.values())
        click.echo(f"Demo library built in {report.seconds:.0f} s: {report.titles} titles, "
                   f"{report.copies} copies, {report.readers} readers, {report.actions} "
                   f"circulation actions from {report.start} ({refused} refused by the rules).")
        stats = report.plan
        click.echo(f"Popularity: top 1% of titles take {stats.top1_share:.1%} of loans, "
                   f"top 10% take {stats.top10_share:.1%}; monthly variation "
                   f"{stats.monthly_cv:.2f}, peak/trough {stats.peak_trough:.2f}.")
        click.echo(f"Notices of the simulated year: {report.mailbox} delivered to the local "
                   "mailbox (/mailbox), none queued for sending.")
        if report.demo_reader:
            card, pin = report.demo_reader
            lines.append(f"  reader portal: card {card}, PIN {pin}")
        if report.demo_child:
            card, pin = report.demo_child
            lines.append(f"  linked child of that reader: card {card}, PIN {pin}")
            lines.append("  teacher page /classes: teacher / lector-teacher")
    lines = [*(f"  staff {role}: {user} / {password}" for user, role, password in STAFF), *lines]
    banner = ["Demo credentials:", *lines]
    if no_serve:
        for line in banner:
            click.echo(line)
        return
    run_server(config, host, port, banner)

