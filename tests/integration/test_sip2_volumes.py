"""SIP2 item information (17 -> 18) names the volume of a multi-volume or serial copy."""

from __future__ import annotations

from collections.abc import Callable

from Sip2.sip2 import Sip2

from tests.integration import test_sip2_lector as sip2_lector
from tests.integration.test_sip2_lector import Library, ask, login

library, open_client = sip2_lector.library, sip2_lector.open_client  # the same fixtures


def test_item_information_shows_the_volume_and_counts_only_holds_it_can_fill(
    library: Library, open_client: Callable[[int], Sip2]
) -> None:
    library.reader("R001", "张三")
    title_id = str(library.post("/api/v1/titles", {"title": "资治通鉴"})["title_id"])
    for barcode, volume in (("Z001", "v.1"), ("Z003", "v.3")):
        library.post("/api/v1/copies", {"barcode": barcode, "title_id": title_id,
                                        "branch": "MAIN", "enumeration": volume,
                                        "chronology": "1956"})
    library.post("/api/v1/checkouts", {"card_number": "R001", "barcode": "Z003"})
    library.reader("R002", "李四")
    library.post("/api/v1/holds", {"card_number": "R002", "title_id": title_id,
                                   "pickup_branch": "MAIN", "enumeration": "v.3"})
    sip = open_client(library.server.port)
    assert login(sip)["fixed"]["Ok"] == "1"
    item = ask(sip, "item_information", "Z003")
    assert item["variable"]["AJ"] == ["资治通鉴 v.3 1956"]
    assert item["variable"]["CH"] == ["v.3 1956"]
    assert item["variable"]["CF"] == ["1"]
    other = ask(sip, "item_information", "Z001")
    assert (other["variable"]["AJ"], other["variable"]["CF"]) == (["资治通鉴 v.1 1956"], ["0"])
    holds = library.get(f"/api/v1/holds?title_id={title_id}")
    assert [(h["enumeration"], h["queue_position"]) for h in holds] == [("v.3", 1)]
    loans = library.get("/api/v1/loans?barcode=Z003")
    assert [(loan["enumeration"], loan["chronology"]) for loan in loans] == [("v.3", "1956")]
