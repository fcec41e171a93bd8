"""Access logs name the path, never the query: searches are readers' personal data."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.serving import make_server

from service.adapters.access_log import PathOnlyRequestHandler

SECRET_SEARCH = "抑郁症自助手册"


def test_the_development_server_logs_a_search_without_its_terms(
        app: Any, caplog: pytest.LogCaptureFixture) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=PathOnlyRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            url = (f"http://127.0.0.1:{server.server_port}/api/v1/titles"
                   f"?q={quote(SECRET_SEARCH)}&pin=4321")
            with pytest.raises(urllib.request.HTTPError):  # 401 without a token: still logged
                urllib.request.urlopen(url, timeout=10)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    assert "GET /api/v1/titles HTTP/1.1" in logged and "401" in logged
    assert "q=" not in logged and quote(SECRET_SEARCH) not in logged and "4321" not in logged


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_with_our_settings_logs_a_search_without_its_terms(
        database_url: str, tmp_path: Path) -> None:
    port, log_file = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": database_url, "LECTOR_SECRET_KEY": "s" * 32,
           "LECTOR_INSTANCE_DIR": str(tmp_path)}
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "python:service.gunicorn_conf", "-w", "1", "-b",
         f"127.0.0.1:{port}", "--access-logfile", str(log_file), "service.wsgi:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/titles?q={quote(SECRET_SEARCH)}&token=abc123"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
            except urllib.request.HTTPError as answered:
                assert answered.code == 401
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        while time.monotonic() < deadline and "/api/v1/titles" not in log_file.read_text():
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    logged = log_file.read_text()
    assert '"GET /api/v1/titles HTTP/1.1" 401' in logged
    assert "q=" not in logged and quote(SECRET_SEARCH) not in logged and "abc123" not in logged
