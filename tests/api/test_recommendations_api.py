"""Recommendations, "also borrowed" and the reading year through the API (both back ends)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select

from projections.co_borrowing import cob_pairs, cob_reader_titles
from service.application.context import SYSTEM, Actor
from service.application.relationships.recommendations import refresh_recommendations
from service.bootstrap import Lector
from tests.api.circulation_helpers import Library

LOANS = {"R1": "ABC", "R2": "ABD", "R3": "ACD", "R4": "BCE", "R5": "A", "RX": "DEF"}


@pytest.fixture
def lib(client: Any, auth: Any, lector: Lector) -> dict[str, Any]:
    lib = Library(client, auth)
    ids = {c: lib.title(f"书{c}", clc) for c, clc in zip("ABCDEFG", ["I247", "I247", "K825",
                                                                      "I247", "TP31", "O13", "H31"],
                                                          strict=True)}
    for c, title_id in ids.items():
        for n in range(4):
            lib.copy(title_id, f"B{c}{n}", branch="east" if c == "D" and n else "main")
    readers = {}
    for card, titles in LOANS.items():
        readers[card] = lib.reader(card, home_branch="main", keep_history=card != "RX")
        for c in titles:
            assert lib.checkout(card, next(f"B{c}{n}" for n in range(4)
                                           if _free(lib, f"B{c}{n}"))).status_code == 201
    refresh_recommendations(lector.ports, Actor(SYSTEM, "worker"))
    return {"lib": lib, "titles": ids, "readers": readers, "lector": lector}


def _free(lib: Library, barcode: str) -> bool:
    return bool(lib.get(f"/api/v1/copies/{barcode}").get_json()["status"] == "available")


def _token(lib: Library, card: str) -> dict[str, str]:
    reply = lib.client.post("/api/v1/auth/token", json={"card_number": card, "pin": "1234"})
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def _recs(x: dict[str, Any], card: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    lib = x["lib"]
    reply = lib.client.get(f"/api/v1/readers/{x['readers'][card]}/recommendations",
                           headers=headers or lib.auth("desk"))
    assert reply.status_code == 200, reply.get_json()
    return dict(reply.get_json())


def _names(x: dict[str, Any], body: dict[str, Any]) -> list[str]:
    back = {v: k for k, v in x["titles"].items()}
    return [back[i["title_id"]] for i in body["items"]]


def test_a_reader_gets_item_knn_titles_never_one_they_had_held_or_withdrawn(lib: Any) -> None:
    mine = _recs(lib, "R1", _token(lib["lib"], "R1"))
    assert mine["personal"] is True and mine["basis"] == "item_knn"
    names = _names(lib, mine)
    assert set(names[:2]) == {"D", "E"} and not {"A", "B", "C"} & set(names)
    assert "G" not in names  # nobody borrowed G: nothing personal and not popular either
    for n in range(4):  # every copy of D withdrawn: never recommended again
        barcode = f"BD{n}"
        if _free(lib["lib"], barcode):
            assert lib["lib"].post(f"/api/v1/copies/{barcode}/withdraw", {"reason": "worn"},
                                   role="librarian").status_code == 200
    still_out = [f"BD{n}" for n in range(4) if not _free(lib["lib"], f"BD{n}")]
    for barcode in still_out:
        lib["lib"].checkin(barcode)
        lib["lib"].post(f"/api/v1/copies/{barcode}/withdraw", {"reason": "worn"}, role="librarian")
    assert "D" not in _names(lib, _recs(lib, "R1"))
    assert lib["lib"].checkout("R1", "BE3").status_code == 201  # E now on loan to R1
    assert "E" not in _names(lib, _recs(lib, "R1"))


def test_the_shelf_at_the_readers_branch_ranks_higher(lib: Any) -> None:
    # D's raw score for R1 is higher (co-borrowed with A by two readers: 0.707 + 0.408 +
    # 0.408 against E's 0.577 + 0.577), but D's only copy at main is out (the rest are at
    # east) while E is on the shelf at main, R1's branch: E, boosted 1.5 times, comes first.
    items = _recs(lib, "R1")["items"]
    assert [_names(lib, {"items": items[:2]}), [i["on_shelf"] for i in items[:2]]] == [
        ["E", "D"], [True, False]]
    assert items[0]["score"] == pytest.approx(1.5 * 2 / 3 ** 0.5, abs=1e-5)
    assert items[1]["score"] == pytest.approx(2 / 8 ** 0.5 + 2 / 6 ** 0.5, abs=1e-5)


def test_fewer_than_three_titles_gives_popular_titles_without_their_own(lib: Any) -> None:
    body = _recs(lib, "R5")
    assert body["basis"] == "popular" and body["personal"] is False
    assert "A" not in _names(lib, body) and _names(lib, body)


def test_a_reader_without_history_gets_nothing_personal_and_is_not_counted(lib: Any) -> None:
    body = _recs(lib, "RX", _token(lib["lib"], "RX"))
    assert body["basis"] == "history_off" and body["personal"] is False
    assert all(i["source"] == "popular" for i in body["items"])
    with lib["lector"].engine.connect() as conn:
        assert not conn.scalars(select(cob_reader_titles.c.title_id).where(
            cob_reader_titles.c.reader_id == lib["readers"]["RX"])).all()
        pairs = {(a, b): n for a, b, n in conn.execute(select(cob_pairs))}
    e, f = lib["titles"]["E"], lib["titles"]["F"]
    assert (min(e, f), max(e, f)) not in pairs  # only RX borrowed both


def test_also_borrowed_shows_only_pairs_two_readers_share(lib: Any) -> None:
    x = lib["lib"]
    reply = x.client.get(f"/api/v1/titles/{lib['titles']['C']}/also-borrowed",
                         headers=_token(x, "R5"))
    assert reply.status_code == 200, reply.get_json()
    names = _names(lib, reply.get_json())
    # B-C by R1, R4 (cosine 2/3); A-C by R1, R3 (2/sqrt 12); D-C and E-C by one reader each.
    assert names == ["B", "A"]
    assert [i["readers"] for i in reply.get_json()["items"]] == [2, 2]


def test_reading_year_is_the_readers_own_and_refused_without_history(lib: Any) -> None:
    x, lector = lib["lib"], lib["lector"]
    year = lector.ports.clock().astimezone().year
    url = f"/api/v1/readers/{lib['readers']['R1']}/reading-year/{year}"
    mine = x.client.get(url, headers=_token(x, "R1"))
    assert mine.status_code == 200, mine.get_json()
    body = mine.get_json()
    assert body["books"] == 3 and body["first_book"]["title"] == "书A"
    assert body["last_book"]["title"] == "书C" and body["longest_streak_weeks"] == 1
    assert body["favourite_classes"][0] == {"clc_class": "I", "books": 2}
    assert body["others_read_favourite"] == 3  # R2, R3 and R5 had A (RX keeps no history)
    assert x.client.get(url, headers=x.auth("admin")).status_code == 403
    assert x.client.get(url, headers=_token(x, "R2")).status_code == 403
    off = x.client.get(f"/api/v1/readers/{lib['readers']['RX']}/reading-year/{year}",
                       headers=_token(x, "RX"))
    assert off.status_code == 403 and off.get_json()["code"] == "reading_year_history_off"
    png = x.client.get(f"/api/v1/readers/{lib['readers']['RX']}/reading-year/{year}.png",
                       headers=_token(x, "RX"))
    assert png.status_code == 403


def test_reading_year_portrait_is_1080_by_1920_with_chinese_ink(lib: Any) -> None:
    from PIL import Image

    x = lib["lib"]
    year = lib["lector"].ports.clock().astimezone().year
    url = f"/api/v1/readers/{lib['readers']['R1']}/reading-year/{year}.png"
    zh = x.client.get(url + "?lang=zh-CN", headers=_token(x, "R1"))
    assert zh.status_code == 200 and zh.mimetype == "image/png"
    image = Image.open(io.BytesIO(zh.data)).convert("L")
    assert image.size == (1080, 1920)
    title = image.crop((0, 120, 1080, 330))
    dark = sum(title.histogram()[:160])
    assert dark > 2000  # the heading's glyphs, not tofu boxes or nothing
    en = x.client.get(url, headers={**_token(x, "R1"), "Accept-Language": "en"})
    assert en.status_code == 200 and en.data != zh.data


def test_without_the_font_the_portrait_is_a_clear_503(lib: Any, monkeypatch: Any,
                                                      tmp_path: Any) -> None:
    from service.adapters.api import reading_year_image

    monkeypatch.setattr(reading_year_image, "FONT_PATH", tmp_path / "absent.ttc")
    x = lib["lib"]
    year = lib["lector"].ports.clock().astimezone().year
    reply = x.client.get(f"/api/v1/readers/{lib['readers']['R1']}/reading-year/{year}.png",
                         headers=_token(x, "R1"))
    assert reply.status_code == 503 and reply.get_json()["code"] == "reading_year_font_missing"
