"""The day before an activity, each seated reader gets one reminder (in their language)
through the notice channels; waiting and cancelled readers get none; scanning again sends
nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from service.application import engagement
from service.bootstrap import Lector, bootstrap
from service.config import Config
from tests.integration.notices_harness import DESK, Clock, Sink, register, start_smtp
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, scan_notices


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    box = Sink()
    controller, port = start_smtp(box)
    yield box, port
    controller.stop()


@pytest.fixture
def embedded(sqlite_factory: Any, tmp_path: Any, sink: tuple[Sink, int]) -> Iterator[
        tuple[Lector, Clock]]:
    url = sqlite_factory.new()
    config = Config(database_url=url, secret_key="t", instance_dir=tmp_path, testing=True,
                    smtp_host="127.0.0.1", smtp_port=sink[1],
                    smtp_sender="城东区图书馆 <noreply@lib.example.cn>", library_name="城东区图书馆")
    clock = Clock()
    lector = bootstrap(config, clock=clock)
    yield lector, clock
    lector.dispose()
    sqlite_factory.drop(url)


def test_seated_readers_are_reminded_once_the_day_before_in_their_language(
        embedded: tuple[Lector, Clock], sink: tuple[Sink, int]) -> None:
    lector, clock = embedded
    ports = lector.ports
    zh = register(ports, "A1", "王芳", "zh-CN", "wang@example.cn")
    en = register(ports, "A2", "Emily Carter", "en", "emily@example.org")
    gone = register(ports, "A3", "李雷", "zh-CN", "li@example.cn")
    waiting = register(ports, "A4", "韩梅梅", "zh-CN", "han@example.cn")
    starts = clock.now + timedelta(days=3)
    activity = engagement.publish_activity(
        ports, DESK, "storytime", "亲子故事会", "Family storytime", "", "", "main", starts,
        starts + timedelta(hours=1), 3, None, None).result["activity_id"]
    for reader_id in (zh, en, gone, waiting):
        engagement.sign_up(ports, DESK, activity, reader_id, None)
    engagement.cancel_sign_up(ports, DESK, activity, gone, None)  # promotes the waiting one
    engagement.sign_up(ports, DESK, activity, gone, None)  # back, but now on the waiting list

    assert scan_notices(lector, clock.now)["scheduled"] == 0  # three days before: nothing
    clock.now = starts - timedelta(days=1)
    assert scan_notices(lector, clock.now)["scheduled"] == 3
    assert scan_notices(lector, clock.now)["scheduled"] == 0  # one key per reader and activity
    dispatch_pending(lector, enqueuer(lector, None))
    mails = {m.to: m for m in sink[0].snapshot()}
    assert set(mails) == {"wang@example.cn", "emily@example.org", "han@example.cn"}
    assert "亲子故事会" in mails["wang@example.cn"].subject
    assert "Family storytime" in mails["emily@example.org"].text
    assert mails["han@example.cn"].key == f"activity_reminder:{activity}.{waiting}"
