"""`lector kiosk ...` (kiosk accounts) and `lector sip2` (the SIP2 server for kiosks)."""

from __future__ import annotations

import logging
import signal
import socket
import ssl
import threading
from typing import Any

import click

from service.config import Config


def _engine(config: Config) -> Any:
    from events.engine import make_engine
    from service.adapters.database import upgrade

    upgrade(config.database_url)
    return make_engine(config.database_url)


@click.group()
def kiosk() -> None:
    """Self-check kiosk accounts (SIP2 logins)."""


@kiosk.command("create")
@click.argument("kiosk_id")
@click.option("--user", "login_user", required=True, help="SIP2 login user id (CN).")
@click.option("--institution", "institution_id", required=True, help="Institution id (AO).")
@click.option("--location", required=True, help="Branch code where the kiosk stands.")
@click.option("--charset", default="utf-8", show_default=True,
              help="utf-8, gb18030 or ibm850, as set on the kiosk.")
@click.option("--language", default="zh-CN", show_default=True, help="zh-CN or en.")
@click.password_option(envvar="LECTOR_KIOSK_PASSWORD", help="SIP2 login password (CO).")
def kiosk_create(kiosk_id: str, login_user: str, institution_id: str, location: str,
                 charset: str, language: str, password: str) -> None:
    """Create a kiosk account (password prompted, or LECTOR_KIOSK_PASSWORD)."""
    from events.sqlalchemy_store import SqlEventStore
    from service.application.context import utc_now
    from service.application.kiosks import create_kiosk
    from service.application.managed_lists import LISTS_STREAM, fold_lists
    from service.domain.errors import DomainError

    engine = _engine(Config.from_env())
    try:
        lists = fold_lists(SqlEventStore(engine).load([LISTS_STREAM]).events)
        lists.refuse_unknown({"location": ("branch", location)})
        create_kiosk(engine, kiosk_id=kiosk_id, login_user=login_user, password=password,
                     institution_id=institution_id, location=location, charset=charset,
                     language=language, now=utc_now())
    except DomainError as exc:
        raise click.ClickException(exc.en) from None
    finally:
        engine.dispose()
    click.echo(f"created kiosk {kiosk_id} (login {login_user}, location {location}, {charset})")


@kiosk.command("list")
def kiosk_list() -> None:
    """List kiosk accounts."""
    from service.application.kiosks import list_kiosks

    engine = _engine(Config.from_env())
    try:
        for row in list_kiosks(engine):
            state = "active" if row["active"] else "disabled"
            click.echo(f"{row['kiosk_id']}\t{row['login_user']}\t{row['institution_id']}\t"
                       f"{row['location']}\t{row['charset']}\t{row['language']}\t{state}")
    finally:
        engine.dispose()


@kiosk.command("deactivate")
@click.argument("kiosk_id")
def kiosk_deactivate(kiosk_id: str) -> None:
    """Disable a kiosk account; its next login is refused."""
    from service.application.kiosks import deactivate_kiosk
    from service.domain.errors import DomainError

    engine = _engine(Config.from_env())
    try:
        deactivate_kiosk(engine, kiosk_id)
    except DomainError as exc:
        raise click.ClickException(exc.en) from None
    finally:
        engine.dispose()
    click.echo(f"kiosk {kiosk_id} disabled")


def tls_context(cert: str, key: str | None) -> ssl.SSLContext:
    """A server-side TLS context (TLS 1.2 or later) from a PEM certificate and key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


@click.command("sip2")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=6001, show_default=True, type=int)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False),
              help="PEM certificate (chain): kiosks must then connect with TLS.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False),
              help="PEM private key (if not in the certificate file).")
@click.option("--idle-timeout", default=300.0, show_default=True, type=float,
              help="Seconds of silence before a kiosk connection is closed.")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Server processes sharing the port (SO_REUSEPORT, Linux); "
                   "default LECTOR_SIP2_PROCESSES or 1.")
@click.option("--rate-per-second", default=10.0, show_default=True, type=float,
              help="Requests per second one connection may send (0: no pacing).")
@click.option("--rate-burst", default=30, show_default=True, type=int,
              help="Requests one connection may send at once before pacing starts.")
def sip2(host: str, port: int, tls_cert: str | None, tls_key: str | None,
         idle_timeout: float, processes: int | None, rate_per_second: float,
         rate_burst: int) -> None:
    """Run the SIP2 server for self-check kiosks (accounts: `lector kiosk create`)."""
    from service.adapters.sip2.processes import Supervisor

    if tls_key and not tls_cert:
        raise click.UsageError("--tls-key needs --tls-cert")
    config = Config.from_env()
    count = processes or config.sip2_processes
    if count > 1 and port == 0:
        raise click.UsageError("--processes above 1 needs a fixed --port (they share it)")
    if count > 1 and not hasattr(socket, "SO_REUSEPORT"):
        raise click.UsageError("--processes above 1 needs SO_REUSEPORT (Linux)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s "
                        "[pid %(process)d] %(message)s")
    _engine(config).dispose()  # migrations, as `lector serve` does (before any fork)
    transport = "TLS" if tls_cert else "plain TCP"
    pacing = {"idle_timeout": idle_timeout, "rate_per_second": rate_per_second,
              "rate_burst": rate_burst}
    if count == 1:
        click.echo(f"Lector SIP2 is listening on {host}:{port} ({transport}; Ctrl+C to stop)")
        _serve(config, host, port, tls_cert, tls_key, pacing, reuse_port=False)
        return
    click.echo(f"Lector SIP2 is listening on {host}:{port} with {count} processes "
               f"({transport}; Ctrl+C to stop)")
    Supervisor(count, lambda slot: _serve(config, host, port, tls_cert, tls_key, pacing,
                                          reuse_port=True)).run()


def _serve(config: Config, host: str, port: int, tls_cert: str | None, tls_key: str | None,
           pacing: dict[str, Any], *, reuse_port: bool) -> None:
    """Run one server process until SIGTERM or Ctrl+C; its engine is built here, after any
    fork, so no database connection crosses processes."""
    from zoneinfo import ZoneInfo

    from service.adapters.sip2 import Sip2Server, Sip2Settings
    from service.adapters.sip2.lector_backend import LectorSip2Backend
    from service.bootstrap import bootstrap

    lector = bootstrap(config)
    settings = Sip2Settings(zone=ZoneInfo(config.timezone), currency=config.currency,
                            **pacing)
    backend = LectorSip2Backend(lector)
    server = Sip2Server(backend, host=host, port=port, settings=settings,
                        ssl_context=tls_context(tls_cert, tls_key) if tls_cert else None,
                        clock=lector.ports.clock, login_gate=backend.login_allowed_from,
                        reuse_port=reuse_port)
    stopped = threading.Event()

    def stop() -> None:
        server.stop()
        stopped.set()

    # docker stop (or the supervising parent) sends SIGTERM: close connections cleanly
    # instead of dying mid-command.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=stop).start())
    server.start()
    try:
        stopped.wait()
    except KeyboardInterrupt:
        server.stop()
    finally:
        lector.dispose()
