"""A query may ask to reflect a command's position: it waits briefly, else says it is behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from projections.runner import catch_up_together
from service.adapters.app import build_app
from service.application.accounts import create_staff
from service.bootstrap import bootstrap
from service.config import Config


def test_a_query_behind_the_requested_position_answers_503_then_catches_up(
    database_url: str, tmp_path: Path,
) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path,
                    min_position_wait_s=0.2)
    lector = bootstrap(config, after_commit=lambda position: None)  # nobody folds the log
    client: Any = build_app(lector).test_client()
    create_staff(lector.engine, "desk1", "desk-pass-1", "desk")
    token = client.post("/api/v1/auth/token", json={"username": "desk1",
                                                    "password": "desk-pass-1"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    made = client.post("/api/v1/readers", json={"card_number": "RY1", "name": "读写一致",
                                                "category": "adult"}, headers=headers).get_json()
    url = f"/api/v1/readers/{made['reader_id']}"
    behind = client.get(url, headers={**headers, "Lector-Min-Position": str(made["position"])})
    assert behind.status_code == 503
    assert behind.get_json()["code"] == "projection_behind"
    assert behind.headers["Retry-After"] == "1"
    catch_up_together(lector.engine, lector.store, lector.projections)
    ready = client.get(f"{url}?min_position={made['position']}", headers=headers)
    assert ready.status_code == 200 and ready.get_json()["name"] == "读写一致"
    lector.dispose()
