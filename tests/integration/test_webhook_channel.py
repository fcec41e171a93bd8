"""The webhook channel against a real HTTP server on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from workers.notices.delivery import PermanentDeliveryError, TransientDeliveryError
from workers.notices.webhook_channel import (
    WebhookSettings,
    encode_payload,
    send_webhook,
    verify_signature,
)

SECRET = "gateway-shared-secret"
PAYLOAD = {
    "key": "reservation_ready:7:1042",
    "kind": "reservation_ready",
    "lang": "zh-CN",
    "reader": {"id": 88, "name": "李晓明", "phone": "+8613800000000"},
    "subject": "【城东区图书馆】您预约的《三体》已到馆",
}


@dataclass
class Gateway:
    """What the fake gateway answers and what it received."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.requests.append((self.path, dict(self.headers.items()), body))
            time.sleep(gateway.delay)
            self.send_response(gateway.status)
            for name, value in gateway.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_GET(self) -> None:  # only reached if a redirect were followed
            gateway.requests.append((self.path, dict(self.headers.items()), b""))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/lector"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _settings(url: str, timeout: float = 5.0) -> WebhookSettings:
    return WebhookSettings(url=url, secret=SECRET, timeout=timeout)


def test_the_gateway_receives_signed_utf8_json(gateway: Gateway) -> None:
    send_webhook(_settings(gateway.url), PAYLOAD, "reservation_ready:7:1042", timestamp=1796000000)
    [(path, headers, body)] = gateway.requests
    assert path == "/hooks/lector"
    assert json.loads(body.decode("utf-8")) == PAYLOAD
    assert "李晓明".encode() in body  # real UTF-8, not \\u escapes
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Idempotency-Key"] == "reservation_ready:7:1042"
    assert headers["X-Lector-Timestamp"] == "1796000000"
    assert verify_signature(SECRET, body, headers["X-Lector-Signature"])


def test_the_signature_fails_for_a_tampered_body_or_another_secret(gateway: Gateway) -> None:
    send_webhook(_settings(gateway.url), PAYLOAD, "k1")
    _, headers, body = gateway.requests[0]
    signature = headers["X-Lector-Signature"]
    assert signature.startswith("sha256=")
    assert not verify_signature(SECRET, body.replace("三体".encode(), "活着".encode()), signature)
    assert not verify_signature("another-secret", body, signature)
    assert not verify_signature(SECRET, body, None)
    assert not verify_signature(SECRET, body, "sha256=" + "0" * 64)


def test_the_same_payload_is_always_the_same_bytes() -> None:
    reordered = dict(reversed(list(PAYLOAD.items())))
    assert encode_payload(reordered) == encode_payload(PAYLOAD)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_transient(gateway: Gateway, status: int) -> None:
    gateway.status = status
    with pytest.raises(TransientDeliveryError) as caught:
        send_webhook(_settings(gateway.url), PAYLOAD, "k1")
    assert (caught.value.reason, caught.value.code) == ("http_server_error", status)


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_client_error_is_permanent(gateway: Gateway, status: int) -> None:
    gateway.status = status
    with pytest.raises(PermanentDeliveryError) as caught:
        send_webhook(_settings(gateway.url), PAYLOAD, "k1")
    assert (caught.value.reason, caught.value.code) == ("http_client_error", status)


def test_too_many_requests_is_transient_and_carries_retry_after(gateway: Gateway) -> None:
    gateway.status, gateway.headers = 429, {"Retry-After": "120"}
    with pytest.raises(TransientDeliveryError) as caught:
        send_webhook(_settings(gateway.url), PAYLOAD, "k1")
    assert (caught.value.reason, caught.value.retry_after) == ("http_rate_limited", 120.0)


def test_a_redirect_is_not_followed(gateway: Gateway) -> None:
    gateway.status, gateway.headers = 302, {"Location": gateway.url + "/elsewhere"}
    with pytest.raises(PermanentDeliveryError) as caught:
        send_webhook(_settings(gateway.url), PAYLOAD, "k1")
    assert (caught.value.reason, caught.value.code) == ("http_redirect", 302)
    assert [path for path, _, _ in gateway.requests] == ["/hooks/lector"]


def test_a_slow_gateway_is_a_transient_timeout(gateway: Gateway) -> None:
    gateway.delay = 1.0
    with pytest.raises(TransientDeliveryError) as caught:
        send_webhook(_settings(gateway.url, timeout=0.3), PAYLOAD, "k1")
    assert caught.value.reason == "timeout"


def test_a_closed_port_is_a_transient_connection_failure() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientDeliveryError) as caught:
        send_webhook(_settings(f"http://127.0.0.1:{port}/hook"), PAYLOAD, "k1")
    assert caught.value.reason == "connection_failed"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "http:///nohost"])
def test_only_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        WebhookSettings(url=url, secret=SECRET)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookSettings(url="https://gateway.example.cn/hook", secret="")
