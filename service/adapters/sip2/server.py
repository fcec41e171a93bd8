"""A threaded TCP (optionally TLS) server speaking SIP2 to self-check kiosks."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from service.adapters.sip2.backend import Sip2Backend
from service.adapters.sip2.framing import FrameReader
from service.adapters.sip2.ratelimit import TokenBucket
from service.adapters.sip2.session import Sip2Session
from service.adapters.sip2.settings import Sip2Settings

log = logging.getLogger("lector.sip2")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Sip2Server:
    """Accept kiosk connections and serve each one in its own thread.

    ``port=0`` binds an ephemeral port; read the bound one from ``port`` after ``start()``.
    Backend calls block (they run database commands), so one thread per kiosk keeps a slow
    command on one kiosk from delaying the others.
    """

    def __init__(
        self,
        backend: Sip2Backend,
        *,
        host: str = "127.0.0.1",
        port: int = 6001,
        settings: Sip2Settings | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] = _utc_now,
        login_gate: Callable[[str], bool] | None = None,
        reuse_port: bool = False,
    ) -> None:
        self.backend, self.host, self._port = backend, host, port
        self.login_gate = login_gate  # address -> may it try another login (shared counts)
        # Several server processes bind the same port and the kernel spreads the
        # connections over them (SO_REUSEPORT, Linux): see service.adapters.sip2.processes.
        self.reuse_port = reuse_port
        self.settings = settings or Sip2Settings()
        self.ssl_context, self.clock = ssl_context, clock
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._connections: dict[int, socket.socket] = {}
        self._threads: set[threading.Thread] = set()
        self._accept_thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the bound port (the requested one before ``start``)."""
        return self._listener.getsockname()[1] if self._listener else self._port

    @property
    def connection_count(self) -> int:
        """Return how many kiosks are connected now."""
        with self._lock:
            return len(self._connections)

    def start(self) -> None:
        """Bind, listen and accept connections in a background thread."""
        listener = socket.create_server((self.host, self._port),
                                          reuse_port=self.reuse_port)
        listener.settimeout(0.2)
        self._listener = listener
        self._stopping.clear()
        self._stopped.clear()
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="sip2-accept", daemon=True
        )
        self._accept_thread.start()
        log.info("sip2 listening on %s:%s (tls=%s)", self.host, self.port,
                 self.ssl_context is not None)

    def serve_forever(self) -> None:
        """Start and block until ``stop()`` is called from another thread."""
        self.start()
        self._stopped.wait()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close every connection and wait for their threads."""
        self._stopping.set()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            connections = list(self._connections.values())
            threads = list(self._threads)
        for connection in connections:
            _shutdown(connection)
        for thread in threads:
            thread.join(timeout)
        self._stopped.set()

    def __enter__(self) -> Sip2Server:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                connection, address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with self._lock:
                full = len(self._threads) >= self.settings.max_connections
            if full:
                log.warning("sip2: refusing %s, %d connections open", address[0],
                            self.settings.max_connections)
                connection.close()
                continue
            peer = f"{address[0]}:{address[1]}"
            thread = threading.Thread(
                target=self._serve, args=(connection, peer), name=f"sip2-{peer}", daemon=True
            )
            with self._lock:
                self._threads.add(thread)
            thread.start()

    def _track(self, connection: socket.socket | None) -> None:
        ident = threading.get_ident()
        with self._lock:
            if connection is None:
                self._connections.pop(ident, None)
                self._threads.discard(threading.current_thread())
            else:
                self._connections[ident] = connection

    def _serve(self, connection: socket.socket, peer: str) -> None:
        self._track(connection)
        try:
            if self.ssl_context is not None:
                connection.settimeout(self.settings.tls_handshake_timeout)
                connection = self.ssl_context.wrap_socket(connection, server_side=True)
                self._track(connection)
            connection.settimeout(self.settings.idle_timeout or None)
            self._converse(connection, peer)
        except (OSError, ValueError) as error:
            log.info("sip2 %s: connection ended (%s)", peer, type(error).__name__)
        except Exception:
            log.exception("sip2 %s: connection failed", peer)
        finally:
            self._track(None)
            _shutdown(connection)
            connection.close()

    def _converse(self, connection: socket.socket, peer: str) -> None:
        settings = self.settings
        session = Sip2Session(self.backend, settings, self.clock, peer, self.login_gate)
        reader = FrameReader(settings.max_line_bytes)
        bucket = TokenBucket(settings.rate_per_second, settings.rate_burst)
        while not self._stopping.is_set() and not session.closed:
            try:
                data = connection.recv(4096)
            except TimeoutError:
                log.info("sip2 %s: idle for %ss, closing", peer, settings.idle_timeout)
                return
            if not data:
                return
            for frame in reader.feed(data):
                delay = bucket.take()
                if delay and self._stopping.wait(delay):
                    return
                # One sendall per reply: some kiosks read exactly one recv() per answer.
                connection.sendall(session.handle(frame))
                if session.closed:
                    log.warning("sip2 %s: too many failed logins, closing", peer)
                    return


def _shutdown(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
