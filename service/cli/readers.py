"""`lector readers erase`: erase a reader for good from the operator's shell (PIPL Art. 47)."""

from __future__ import annotations

import getpass

import click

from service.config import Config


@click.group()
def readers() -> None:
    """Readers."""


@readers.command("erase")
@click.argument("reader")
@click.option("--reason", required=True, help="Why (a request or ticket number; no personal "
              "data: the reason stays in the log).")
@click.option("--force", is_flag=True, help="Erase although loans or unpaid fines are open.")
def erase(reader: str, reason: str, force: bool) -> None:
    """Erase READER (a reader id or a card number): key, PIN and personal data go for good."""
    from service.application import erasure
    from service.application.context import Actor, Principal
    from service.application.readers import reader_id_for_card
    from service.bootstrap import bootstrap
    from service.domain.errors import DomainError

    lector = bootstrap(Config.from_env())
    # The operator at the shell acts with the system's rights; the log names who it was.
    actor = Actor(Principal("system", f"cli:{getpass.getuser()}", "system"), "cli")
    try:
        reader_id = reader_id_for_card(lector.ports, reader) or reader
        outcome = erasure.erase_reader(lector.ports, actor, reader_id, reason, force, None)
        settled = erasure.settle(lector.engine, outcome.position, timeout_s=30)
    except DomainError as exc:
        raise click.ClickException(f"{exc.code}: {exc.en}") from None
    finally:
        lector.dispose()
    result = outcome.result
    click.echo(f"erased reader {reader_id} at position {outcome.position}"
               + (f" (forced: {result['open_loans']} loans open, {result['owed_fen']} fen owed)"
                  if result.get("forced") else ""))
    if not settled:
        click.echo("note: some read models had not folded the erase yet; they drop the data "
                   "when the workers catch up", err=True)
