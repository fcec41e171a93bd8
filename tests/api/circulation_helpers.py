"""Small builders for circulation tests: a library with readers, titles and copies."""

from __future__ import annotations

from typing import Any


class Library:
    """Drives the API like a front desk does."""

    def __init__(self, client: Any, auth: Any) -> None:
        self.client, self.auth = client, auth

    def reader(self, card: str, category: str = "adult", **extra: Any) -> str:
        body = {"card_number": card, "name": f"读者{card}", "category": category,
                "email": f"{card.lower()}@example.cn", "pin": "1234", **extra}
        reply = self.client.post("/api/v1/readers", json=body, headers=self.auth("desk"))
        assert reply.status_code == 201, reply.get_json()
        return str(reply.get_json()["reader_id"])

    def title(self, name: str, clc: str = "I247.5") -> str:
        reply = self.client.post("/api/v1/titles", json={"title": name, "clc_class": clc},
                                 headers=self.auth("librarian"))
        assert reply.status_code == 201, reply.get_json()
        return str(reply.get_json()["title_id"])

    def copy(self, title_id: str, barcode: str, branch: str = "main", **extra: Any) -> None:
        reply = self.client.post("/api/v1/copies", json={"barcode": barcode, "title_id": title_id,
                                                         "branch": branch, **extra},
                                 headers=self.auth("librarian"))
        assert reply.status_code == 201, reply.get_json()

    def post(self, path: str, body: dict[str, Any] | None = None, role: str = "desk",
             **headers: str) -> Any:
        return self.client.post(path, json=body or {}, headers={**self.auth(role), **headers})

    def get(self, path: str, role: str = "desk") -> Any:
        return self.client.get(path, headers=self.auth(role))

    def checkout(self, card: str, barcode: str, **headers: str) -> Any:
        return self.post("/api/v1/checkouts", {"card_number": card, "barcode": barcode}, **headers)

    def checkin(self, barcode: str) -> Any:
        return self.post("/api/v1/checkins", {"barcode": barcode})

    def hold(self, card: str, title_id: str, branch: str = "main") -> Any:
        return self.post("/api/v1/holds", {"card_number": card, "title_id": title_id,
                                           "pickup_branch": branch})
