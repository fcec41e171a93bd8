"""A PostgreSQL cluster of our own, for tests that stop the server (never the shared one)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def server_bin() -> Path:
    """Debian's server binaries (15 in CI): the newest version installed."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    if not found:
        raise RuntimeError("PostgreSQL server binaries are missing under /usr/lib/postgresql")
    return max(found, key=lambda b: int(b.parent.name) if b.parent.name.isdigit() else 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayCluster:
    """initdb'd as the postgres user in a temporary folder, on a free port, trust auth."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lector-pg-"))
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.port = _free_port()
        self.bin = server_bin()
        owner = pwd.getpwnam("postgres")
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self._as_postgres(self.bin / "initdb", "-D", str(self.data), "--no-sync", "-A", "trust",
                          "-U", "postgres", "-E", "UTF8", "--locale", "C.UTF-8")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: object) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=60)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                   "-c fsync=off -c max_connections=100")
        self._as_postgres(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options,
                          "-w", "-t", "30", "start")

    def stop(self) -> None:
        """A normal fast shutdown: open sessions are cut off, new ones refused."""
        self._as_postgres(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30",
                          "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayReplica(ThrowawayCluster):
    """A hot-standby streaming replica of a running throwaway cluster (pg_basebackup -R)."""

    def __init__(self, primary: ThrowawayCluster) -> None:  # no super().__init__: no initdb here
        self.folder = Path(tempfile.mkdtemp(prefix="lector-pg-replica-"))
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.port = _free_port()
        self.bin = server_bin()
        owner = pwd.getpwnam("postgres")
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        # -R writes primary_conninfo and standby.signal: started, it follows the primary.
        self._as_postgres(self.bin / "pg_basebackup", "-D", self.data, "-R", "-X", "stream",
                          "--no-sync", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres")
