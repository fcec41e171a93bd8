"""The title's v2 fields through the API: names with roles, languages, format, classes."""

from __future__ import annotations

from typing import Any

HEBREW_PRAYER_BOOK = {
    "title": "The daily prayer book", "nonfiling": 4, "languages": ["heb", "arc", "lat"],
    "names": [{"name": "Pius II, Pope", "role": "author", "kind": "personal"},
              {"name": "Aldine Press", "role": "printer", "kind": "corporate"},
              {"name": "Liu, Cixin", "role": "author", "original": "刘慈欣"}],
    "classes": [{"scheme": "nlm", "value": "WG 120"}, {"scheme": "ddc", "value": "296.45"}],
    "format": "sound_recording", "variant_titles": ["Siddur"], "series": ["Judaica ; 3"],
    "edition": "2nd ed", "pages": "xii, 340 p", "summary": "Prayers.",
    "publisher_original": "重庆出版社",
}


def test_a_title_with_three_languages_names_and_a_format_is_catalogued_as_given(
    client: Any, auth: Any
) -> None:
    reply = client.post("/api/v1/titles", json=HEBREW_PRAYER_BOOK, headers=auth("librarian"))
    assert reply.status_code == 201, reply.get_json()
    title = client.get(f"/api/v1/titles/{reply.get_json()['title_id']}",
                       headers=auth("desk")).get_json()
    assert (title["languages"], title["language"]) == (["heb", "arc", "lat"], "heb")
    assert [(n["name"], n["role"], n["kind"], n["original"]) for n in title["names"]] == [
        ("Pius II, Pope", "author", "personal", None),
        ("Aldine Press", "printer", "corporate", None),
        ("Liu, Cixin", "author", "personal", "刘慈欣")]
    assert (title["format"], title["sort_title"]) == ("sound_recording", "daily prayer book")
    assert title["classes"][0] == {"scheme": "nlm", "value": "WG 120"}
    copy = client.post("/api/v1/copies", json={"barcode": "CD1", "title_id": title["title_id"],
                                               "branch": "main"}, headers=auth("librarian"))
    assert copy.status_code == 201
    assert client.get("/api/v1/copies/CD1", headers=auth("desk")).get_json()["item_type"] == \
        "audio"


def test_a_language_list_of_codes_longer_than_three_letters_is_refused_per_field(
    client: Any, auth: Any
) -> None:
    reply = client.post("/api/v1/titles", json={"title": "X", "languages": ["heb;arc"]},
                        headers=auth("librarian"))
    assert reply.status_code == 422
    assert [k for k in reply.get_json()["errors"] if k.startswith("languages")]


def test_correcting_the_title_refiles_it(client: Any, auth: Any, lector: Any) -> None:
    made = client.post("/api/v1/titles", json={"title": "The best", "nonfiling": 4},
                       headers=auth("librarian")).get_json()
    fixed = client.patch(f"/api/v1/titles/{made['title_id']}", json={"title": "A better", "nonfiling": 2},
                         headers=auth("librarian")).get_json()
    title = client.get(f"/api/v1/titles/{made['title_id']}?min_position={fixed['position']}",
                       headers=auth("desk")).get_json()
    assert (title["title"], title["sort_title"]) == ("A better", "better")


def test_correcting_names_and_languages_updates_authors_and_language_with_them(
    client: Any, auth: Any
) -> None:
    made = client.post("/api/v1/titles", json={"title": "三体", "authors": ["刘慈欣"],
                                               "language": "chi"},
                       headers=auth("librarian")).get_json()
    fixed = client.patch(f"/api/v1/titles/{made['title_id']}", json={
        "names": [{"name": "刘慈欣", "role": "author"}, {"name": "Liu, Ken", "role": "translator"}],
        "languages": ["eng", "chi"]}, headers=auth("librarian")).get_json()
    title = client.get(f"/api/v1/titles/{made['title_id']}?min_position={fixed['position']}",
                       headers=auth("desk")).get_json()
    assert (title["authors"], title["language"], title["languages"]) == (
        ["刘慈欣"], "eng", ["eng", "chi"])
