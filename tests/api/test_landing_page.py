"""The address `lector demo` prints answers with a page that leads everywhere."""
from __future__ import annotations

import re
from typing import Any

import pytest

DOORS = ("/portal", "/desk", "/reports", "/activities", "/campaigns", "/classes", "/admin",
         "/mailbox", "/api/v1/docs")


@pytest.mark.parametrize(("lang", "words"), [("zh-CN", ("读者入口", "前台借还", "接口文档")),
                                              ("en", ("For readers", "Front desk",
                                                      "API documentation"))])
def test_the_landing_page_links_every_part_of_lector_in_the_asked_language(
        client: Any, lang: str, words: tuple[str, ...]) -> None:
    reply = client.get(f"/?lang={lang}")
    assert reply.status_code == 200
    assert reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    assert all(word in page for word in words)
    links = set(re.findall(r'href="([^"?#]+)"', page))
    assert set(DOORS) <= links


def test_every_door_of_the_landing_page_opens_a_page(client: Any) -> None:
    page = client.get("/").get_data(as_text=True)
    for door in DOORS:
        assert f'href="{door}"' in page
        reply = client.get(door)
        assert reply.status_code == 200, door
        assert reply.mimetype == "text/html", door


def test_the_landing_page_speaks_chinese_by_default_and_loads_nothing_from_outside(
        client: Any) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
