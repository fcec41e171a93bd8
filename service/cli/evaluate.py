"""`lector evaluate lapse` and `lector segments refresh`: knowing readers, from the shell."""

from __future__ import annotations

from datetime import date, datetime

import click

from service.application import commands as c
from service.application.handlers import handle
from service.config import Config


@click.group()
def evaluate() -> None:
    """Offline evaluations on the library's own log (the demo library by default)."""


@evaluate.command("lapse")
@click.option("--horizon", "horizon_days", default=180, show_default=True, type=click.IntRange(
    30, 730), help="Lapsed: no loan in this many days after a cut-off.")
@click.option("--step", "step_days", default=30, show_default=True,
              type=click.IntRange(7, 365), help="Days between rolling cut-offs.")
@click.option("--ship", is_flag=True, help="Record what is served from now on (the model "
              "only if it beats the recency rule).")
def lapse(horizon_days: int, step_days: int, ship: bool) -> None:
    """Recency rule against logistic regression: PR-AUC, top-decile lift and Brier score."""
    from service.application.context import SYSTEM, Actor
    from service.application.relationships import lapse_eval
    from service.application.relationships.lapse_data import evaluate_library
    from service.bootstrap import bootstrap

    lector = bootstrap(Config.from_env())
    try:
        try:
            result, _ = evaluate_library(lector.engine, horizon_days, step_days)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        for line in lapse_eval.table(result, horizon_days):
            click.echo(line)
        if ship:
            outcome = handle(lector.ports, Actor(SYSTEM, "cli"), c.ChooseLapseModel(horizon_days))
            click.echo(f"recorded: serving the {outcome.result['served']} "
                       f"(position {outcome.position})")
    finally:
        lector.dispose()


@click.group()
def segments() -> None:
    """Reader segments (RFV)."""


@segments.command("refresh")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The library day to segment as of (default: yesterday).")
@click.option("--months", default=0, show_default=True, type=click.IntRange(0, 60),
              help="Also segment as of the last day of each of this many months before.")
def refresh(as_of: datetime | None, months: int) -> None:
    """Segment every reader (once per date: a repeat appends nothing)."""
    from service.application.context import SYSTEM, Actor
    from service.application.relationships.segments import month_ends_between
    from service.application.settings import library_today
    from service.bootstrap import bootstrap

    lector = bootstrap(Config.from_env())
    try:
        actor = Actor(SYSTEM, "cli")
        last = as_of.date() if as_of else None
        days: list[date | None] = [last]
        if months:
            end = last or library_today(lector.ports.clock(), lector.ports.timezone)
            first = date(end.year - (1 if end.month <= months % 12 else 0) - months // 12,
                         (end.month - months - 1) % 12 + 1, 1)
            days = [*month_ends_between(first, end)[:-1], last]
        for day in days:
            outcome = handle(lector.ports, actor, c.RefreshSegments(day))
            state = "segmented" if outcome.result["refreshed"] else "already segmented"
            click.echo(f"{outcome.result['as_of']}: {state}")
    finally:
        lector.dispose()


@evaluate.command("recommendations")
@click.option("--loans", "loans_file", type=click.Path(exists=True, dir_okay=False),
              default=None, help="A CSV with columns reader, title, date (default: the "
              "library's own log, readers who keep a history only).")
@click.option("--per-reader", is_flag=True, help="Split each reader's last 20 % of loans "
              "off as the test (for logs whose time is only the row order).")
def recommendations(loans_file: str | None, per_reader: bool) -> None:
    """Item-kNN against all-time and 30-day popularity: Recall@10, NDCG@10 (bootstrap 95 %
    intervals) and catalogue coverage, on a time split."""
    from pathlib import Path

    from service.application.relationships import rec_eval
    from service.application.relationships.rec_data import loans_from_csv, loans_from_library

    try:
        if loans_file:
            loans, catalogue, source = loans_from_csv(Path(loans_file)), [], loans_file
        else:
            from service.bootstrap import bootstrap

            lector = bootstrap(Config.from_env())
            try:
                loans, catalogue = loans_from_library(lector.engine)
            finally:
                lector.dispose()
            source = "the library's own log"
        scored, facts = rec_eval.evaluate(loans, catalogue, per_reader=per_reader)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    for line in rec_eval.table(scored, facts, source):
        click.echo(line)
