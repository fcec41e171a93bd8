"""Problem details speak the caller's language: title, detail and per-field messages alike,
from the Babel catalogues (service/adapters/translations), chosen by ?lang= or Accept-Language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LONG_NAME = {"card_number": "L1", "name": "名" * 201, "category": "adult"}


def _post(client: Any, auth: Any, path: str, lang: str, **kwargs: Any) -> Any:
    return client.post(path, headers={**auth("desk"), "Accept-Language": lang}, **kwargs)


@pytest.mark.parametrize(("lang", "title", "detail", "message"), [
    ("zh-CN", "请求格式错误", "请求体不是有效的 JSON。", "请求体不是有效的 JSON。"),
    ("en", "Malformed request", "The body is not valid JSON.", "Invalid JSON body."),
])
def test_malformed_json_is_answered_wholly_in_the_callers_language(
    client: Any, auth: Any, lang: str, title: str, detail: str, message: str,
) -> None:
    reply = _post(client, auth, "/api/v1/readers", lang, data="{not json",
                  content_type="application/json")
    problem = reply.get_json()
    assert (reply.status_code, problem["code"]) == (400, "malformed_json")
    assert (problem["title"], problem["detail"]) == (title, detail)
    assert problem["errors"] == {"_": [message]}


@pytest.mark.parametrize(("lang", "title", "message"), [
    ("zh-CN", "请求内容无效", "超过最大长度 200。"),
    ("en", "Invalid request", "Longer than maximum length 200."),
])
def test_a_length_limit_names_the_field_in_the_callers_language(
    client: Any, auth: Any, lang: str, title: str, message: str,
) -> None:
    reply = _post(client, auth, "/api/v1/readers", lang, json=LONG_NAME)
    problem = reply.get_json()
    assert (reply.status_code, problem["title"]) == (422, title)
    assert problem["errors"] == {"name": [message]}
    assert ("字段" in problem["detail"]) == (lang == "zh-CN")


def test_missing_and_unknown_fields_and_choices_are_translated_with_their_values(
    client: Any, auth: Any,
) -> None:
    reply = _post(client, auth, "/api/v1/feedback", "zh-CN",
                  json={"card_number": "X", "category": "nonsense", "text": "t", "extra": 1})
    errors = reply.get_json()["errors"]
    assert errors["extra"] == ["未知字段。"]
    assert errors["category"][0].startswith("须为以下之一：")


def test_lang_in_the_query_wins_over_the_accept_language_header(client: Any, auth: Any) -> None:
    reply = _post(client, auth, "/api/v1/readers?lang=en", "zh-CN", json=LONG_NAME)
    assert reply.get_json()["errors"] == {"name": ["Longer than maximum length 200."]}
    assert reply.get_json()["title"] == "Invalid request"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_refusal_has_its_title_and_detail_in_one_language_and_keeps_both_messages(
    client: Any, auth: Any, lang: str,
) -> None:
    reply = _post(client, auth, "/api/v1/checkouts", lang,
                  json={"card_number": "NOBODY", "barcode": "B0"})
    problem = reply.get_json()
    key = "message_zh" if lang == "zh-CN" else "message_en"
    assert problem["title"] == problem["detail"] == problem[key]
    assert problem["message_zh"] != problem["message_en"]


def test_a_policy_problem_gives_per_field_messages_in_the_callers_language(
    client: Any, auth: Any,
) -> None:
    body = {"rules": [{"loan_days": -1}], "block_fine_threshold_fen": 0, "block_overdue_days": 0}
    for lang, probe in (("zh-CN", "必"), ("en", "required")):
        reply = client.put("/api/v1/policy", json=body,
                           headers={**auth("admin"), "Accept-Language": lang})
        messages = " ".join(m for ms in reply.get_json()["errors"].values() for m in ms)
        assert probe in messages, messages


def test_every_marked_message_is_extracted_and_translated_to_chinese(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_", "-k", "N_", "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    po = ROOT / "service/adapters/translations/zh_CN/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert extracted - translated == set(), "run pybabel update and translate (docs/i18n.md)"


@pytest.mark.parametrize(("lang", "title", "detail"), [
    ("zh-CN", "请求体过大", "请求体超过服务器允许的大小。"),
    ("en", "Request too large", "The request body is larger than the server accepts."),
])
def test_an_oversize_body_is_refused_in_the_callers_language(
    client: Any, auth: Any, lector: Any, lang: str, title: str, detail: str,
) -> None:
    body = '{"name": "' + "x" * (lector.config.max_content_length + 10) + '"}'
    reply = _post(client, auth, "/api/v1/readers", lang, data=body,
                  content_type="application/json")
    problem = reply.get_json()
    assert (reply.status_code, problem["code"]) == (413, "payload_too_large")
    assert (problem["title"], problem["detail"]) == (title, detail)
