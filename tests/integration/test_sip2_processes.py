"""`lector sip2 --processes 2`: real server processes sharing one port (SO_REUSEPORT).

The server runs as a subprocess over a real PostgreSQL database; kiosks are raw sockets.
Which child served a connection is read from the server's log, where every line carries the
process id and the kiosk's address.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.loans import LoanOpened
from service.application.catalogue import AddCopy, CatalogueTitle, add_copy, catalogue_title
from service.application.context import SYSTEM, Actor
from service.application.kiosks import create_kiosk
from service.application.readers import RegisterReader, register_reader
from service.bootstrap import bootstrap
from service.config import Config
from tests.integration.test_sip2_server import RawKiosk

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="Linux only")

PIN, PASSWORD, KIOSKS, COPIES = "2468", "kiosk-pw-Quokka", 16, 6
LOGGED_IN = re.compile(r"\[pid (\d+)\] sip2 127\.0\.0\.1:(\d+): kiosk \S+ logged in")


@dataclass
class Server:
    """The supervising parent process, its log file and the port its children share."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int
    url: str

    def children(self) -> set[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in path.read_text().split()} if path.exists() else set()

    def served_by(self, kiosk: RawKiosk) -> int:
        """The pid of the child that logged this kiosk's login."""
        port = kiosk.sock.getsockname()[1]
        for _ in range(50):
            for pid, peer_port in LOGGED_IN.findall(self.log.read_text()):
                if int(peer_port) == port:
                    return int(pid)
            time.sleep(0.05)
        raise AssertionError(f"no login logged for local port {port}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(url: str, tmp_path: Path) -> None:
    lector = bootstrap(Config(database_url=url, secret_key="test-secret", instance_dir=tmp_path))
    actor = Actor(SYSTEM, "api")
    for n in range(max(KIOSKS, 2 * COPIES)):
        register_reader(lector.ports, actor,
                        RegisterReader(f"R{n:03d}", f"读者{n}", "adult", pin=PIN), None)
    title = catalogue_title(lector.ports, actor, CatalogueTitle("三体", clc_class="I247"), None)
    for n in range(COPIES + 2):
        add_copy(lector.ports, actor, AddCopy(f"B{n:03d}", str(title.result["title_id"]), "MAIN"),
                 None)
    for n in range(KIOSKS):
        create_kiosk(lector.engine, kiosk_id=f"kiosk-{n}", login_user=f"kiosk{n}",
                     password=PASSWORD, institution_id="LECTOR", location="MAIN",
                     now=datetime.now(UTC))
    lector.dispose()


def wait_for_children(server: Server, count: int, *, besides: set[int] = frozenset()) -> set[int]:
    for _ in range(300):
        children = server.children() - besides
        if len(children) >= count and children <= listening(server):
            return children
        time.sleep(0.05)
    raise AssertionError(f"{count} children did not start: {server.log.read_text()[-2000:]}")


def listening(server: Server) -> set[int]:
    """The pids that logged that they listen."""
    return {int(pid) for pid in re.findall(r"\[pid (\d+)\] sip2 listening",
                                           server.log.read_text())}


def connect(server: Server, number: int) -> RawKiosk:
    for _ in range(100):
        try:
            kiosk = RawKiosk(server.port)
            break
        except OSError:
            time.sleep(0.05)
    reply = kiosk.ask(f"9300CNkiosk{number}|CO{PASSWORD}|CPMAIN|AY0")
    assert reply.startswith("941"), reply
    return kiosk


def checkout(kiosk: RawKiosk, card: str, barcode: str, sequence: int) -> str:
    stamp = time.strftime("%Y%m%d    %H%M%S")
    return kiosk.ask(f"11NN{stamp}{' ' * 18}AOLECTOR|AA{card}|AB{barcode}|AC|AD{PIN}"
                     f"|AY{sequence % 10}")


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[Server]:
    seed(postgres_url, tmp_path)
    port, log = free_port(), tmp_path / "sip2.log"
    env = {**os.environ, "DATABASE_URL": postgres_url, "LECTOR_SECRET_KEY": "test-secret",
           "LECTOR_INSTANCE_DIR": str(tmp_path), "LECTOR_LOGIN_RATE_LIMIT": "1000 per minute"}
    env.pop("REDIS_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "sip2", "--port", str(port),
             "--processes", "2"], env=env, stdout=out, stderr=subprocess.STDOUT)
    running = Server(process, log, port, postgres_url)
    try:
        wait_for_children(running, 2)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            for child in running.children():
                os.kill(child, signal.SIGKILL)
            process.wait(10)


def test_connections_are_served_by_more_than_one_process(server: Server) -> None:
    kiosks = [connect(server, n) for n in range(KIOSKS)]
    pids = {server.served_by(kiosk) for kiosk in kiosks}
    for kiosk in kiosks:
        kiosk.close()
    assert len(pids) == 2
    assert pids == server.children()
    assert server.process.pid not in pids  # the parent serves nobody


def test_two_kiosks_on_different_processes_racing_for_one_copy_lend_it_once(
    server: Server,
) -> None:
    by_pid: dict[int, list[RawKiosk]] = {}
    for n in range(KIOSKS):
        kiosk = connect(server, n)
        by_pid.setdefault(server.served_by(kiosk), []).append(kiosk)
    first, second = (kiosks[0] for kiosks in by_pid.values())
    replies: dict[str, list[str]] = {}
    for n in range(COPIES):
        barcode, gate = f"B{n:03d}", threading.Barrier(2)
        answers: list[str] = []

        def lend(kiosk: RawKiosk, card: str, barcode: str = barcode,
                 gate: threading.Barrier = gate, answers: list[str] = answers,
                 n: int = n) -> None:
            gate.wait()
            answers.append(checkout(kiosk, card, barcode, n))

        racers = [threading.Thread(target=lend, args=(first, f"R{2 * n:03d}")),
                  threading.Thread(target=lend, args=(second, f"R{2 * n + 1:03d}"))]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(30)
        replies[barcode] = answers
    for kiosks in by_pid.values():
        for kiosk in kiosks:
            kiosk.close()
    assert {b: sorted(a[:3] for a in answers) for b, answers in replies.items()} == {
        f"B{n:03d}": ["120", "121"] for n in range(COPIES)}
    lector = bootstrap(Config(database_url=server.url, secret_key="test-secret"))
    opened = [s.event.barcode for s in lector.store.iter_all()
              if isinstance(s.event, LoanOpened) and s.stream_id.startswith("copy-")]
    lector.dispose()
    assert sorted(opened) == [f"B{n:03d}" for n in range(COPIES)]


def test_a_killed_process_is_replaced_and_its_kiosks_reconnect_and_go_on(server: Server) -> None:
    kiosks = {n: connect(server, n) for n in range(KIOSKS)}
    served = {n: server.served_by(kiosk) for n, kiosk in kiosks.items()}
    victim = served[0]
    os.kill(victim, signal.SIGKILL)
    survivors = server.children() - {victim}
    replacement = wait_for_children(server, 1, besides=survivors | {victim})
    assert victim not in server.children() and len(server.children()) == 2
    lent = []
    for n, kiosk in kiosks.items():
        try:
            reply = checkout(kiosk, f"R{n:03d}", f"B{n % COPIES:03d}", 1)
            assert served[n] != victim  # a kiosk of a living process carries on as it was
        except (ConnectionError, OSError):
            assert served[n] == victim
            kiosk.close()
            kiosks[n] = connect(server, n)  # the kiosk reconnects, as kiosks do
            assert server.served_by(kiosks[n]) in survivors | replacement
            reply = checkout(kiosks[n], f"R{n:03d}", f"B{n % COPIES:03d}", 2)
        lent.append(reply[:3])
    for kiosk in kiosks.values():
        kiosk.close()
    assert len(lent) == KIOSKS and lent.count("121") == COPIES  # each copy lent exactly once


def test_sigterm_stops_every_process(server: Server) -> None:
    kiosk = connect(server, 0)
    children = server.children()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(20) == 0
    kiosk.close()
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert "sip2 process" in server.log.read_text()
