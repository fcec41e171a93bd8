"""`lector staff ...`: staff accounts for operators (each change is an audit event)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from service.config import Config

ROLE = click.Choice(["admin", "librarian", "desk", "teacher"])


@contextmanager
def _ports() -> Iterator[Any]:
    from service.adapters.database import upgrade
    from service.bootstrap import bootstrap
    from service.domain.errors import DomainError

    config = Config.from_env()
    upgrade(config.database_url)
    lector = bootstrap(config)
    try:
        yield lector.ports
    except DomainError as exc:
        raise click.ClickException(f"{exc.en} ({exc.code})") from None
    finally:
        lector.dispose()


def _operator() -> Any:
    from service.application.context import Actor, Principal

    return Actor(Principal("system", "cli", "system"), "cli")


def _change(do: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    with _ports() as ports:
        return do(ports, _operator(), *args)


@click.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("list")
def staff_list() -> None:
    """List staff accounts."""
    from service.application.staff import list_staff

    with _ports() as ports:
        rows = list_staff(ports.engine)
    for row in rows:
        state = "active" if row["active"] else "deactivated"
        click.echo(f"{row['username']}\t{row['role']}\t{state}\t{row['display_name']}")


@staff.command("create")
@click.argument("username")
@click.option("--role", type=ROLE, required=True)
@click.option("--name", "display_name", default=None)
@click.password_option(envvar="LECTOR_STAFF_PASSWORD")
def staff_create(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create a staff account (password prompted, or LECTOR_STAFF_PASSWORD)."""
    from service.application.staff import create_staff_account

    _change(create_staff_account, username, password, role, display_name)
    click.echo(f"created {role} {username}")


@staff.command("deactivate")
@click.argument("username")
def staff_deactivate(username: str) -> None:
    """Refuse the account's logins and revoke its tokens (the last admin stays)."""
    from service.application.staff import set_active

    _change(set_active, username, False)
    click.echo(f"deactivated {username}; its tokens no longer work")


@staff.command("reactivate")
@click.argument("username")
def staff_reactivate(username: str) -> None:
    """Allow the account to log in again (old tokens stay revoked)."""
    from service.application.staff import set_active

    _change(set_active, username, True)
    click.echo(f"reactivated {username}")


@staff.command("reset-password")
@click.argument("username")
@click.password_option(envvar="LECTOR_STAFF_PASSWORD")
def staff_reset_password(username: str, password: str) -> None:
    """Set a new password (prompted, or LECTOR_STAFF_PASSWORD); old tokens stop working."""
    from service.application.staff import reset_password

    _change(reset_password, username, password)
    click.echo(f"password of {username} reset; its old tokens no longer work")


@staff.command("role")
@click.argument("username")
@click.argument("role", type=ROLE)
def staff_role(username: str, role: str) -> None:
    """Change the account's role (the last admin cannot be demoted)."""
    from service.application.staff import change_role

    row = _change(change_role, username, role)
    click.echo(f"{username} is now {row['role']}")
