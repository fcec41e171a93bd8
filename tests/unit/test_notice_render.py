"""Rendering notices from the shipped zh-CN/en templates and from staff-edited overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from service.domain.locale import format_date, format_datetime, format_money
from service.domain.notices.context import VARIABLES
from service.domain.notices.kinds import NoticeKind
from service.domain.notices.render import (
    PARTS,
    SUPPORTED_LANGS,
    NoticeTemplateError,
    notice_lang,
    render_notice,
    shipped_source,
    validate_template,
)
from service.domain.notices.samples import sample_context

ALL = [(kind, lang) for kind in NoticeKind for lang in SUPPORTED_LANGS]


def _overdue(lang: str, **changes: Any) -> dict[str, Any]:
    return {**sample_context(NoticeKind.overdue, lang), **changes}


@pytest.mark.parametrize(("kind", "lang"), ALL)
def test_every_kind_renders_in_both_languages_with_the_sample_reader(
    kind: NoticeKind, lang: str
) -> None:
    notice = render_notice(kind, lang, sample_context(kind, lang))
    name = sample_context(kind, lang)["reader_name"]
    assert notice.subject and "\n" not in notice.subject
    assert name in notice.text and name in notice.html
    assert notice.html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in notice.html


@pytest.mark.parametrize(("kind", "lang"), ALL)
@pytest.mark.parametrize("part", PARTS)
def test_every_shipped_template_passes_validation(kind: NoticeKind, lang: str, part: str) -> None:
    assert validate_template(shipped_source(kind, lang, part), kind, part) == []


def test_chinese_samples_use_a_chinese_name_and_chinese_dates() -> None:
    notice = render_notice("due_soon", "zh-CN", sample_context("due_soon", "zh-CN"))
    assert "李晓明，您好" in notice.text
    assert notice.subject == "【城东区图书馆】《平凡的世界》将于2026年12月6日到期"


def test_english_dates_are_cldr_month_day_year() -> None:
    notice = render_notice("due_soon", "en", sample_context("due_soon", "en"))
    assert notice.subject == "Due soon: “Ordinary World” is due on December 6, 2026"


def test_the_reservation_ready_notice_names_the_branch_and_deadline() -> None:
    notice = render_notice("reservation_ready", "zh-CN", sample_context("reservation_ready", "zh"))
    assert "取书地点：城东区图书馆（总馆）" in notice.text
    assert "保留至：2026年12月10日" in notice.text


def test_the_last_overdue_notice_says_the_card_is_blocked() -> None:
    zh = render_notice("overdue", "zh-CN", _overdue("zh-CN", card_blocked=True))
    en = render_notice("overdue", "en", _overdue("en", card_blocked=True))
    assert "借阅证已暂停" in zh.subject and "借阅证已暂停" in zh.text
    assert "your card is suspended" in en.subject and "your card is suspended" in en.html


def test_an_early_overdue_notice_does_not_mention_a_block() -> None:
    notice = render_notice("overdue", "zh-CN", _overdue("zh-CN", card_blocked=False))
    assert "暂停" not in notice.subject + notice.text + notice.html


def test_overdue_days_are_pluralised_in_english() -> None:
    items = [{"title": "To Live", "due_date": date(2026, 12, 2), "days_overdue": 1}]
    notice = render_notice("overdue", "en", _overdue("en", items=items, fine_fen=None))
    assert "1 day overdue" in notice.text and "¥" not in notice.text


def test_the_fine_notice_formats_fen_as_yuan() -> None:
    notice = render_notice("fine_assessed", "en", sample_context("fine_assessed", "en"))
    assert notice.subject == "A charge of CN¥12.30 was added to your account"
    assert "Total now owed: CN¥25.80" in notice.text


def test_a_rejected_suggestion_says_so() -> None:
    context = {**sample_context("suggestion_decided", "zh-CN"), "decision": "rejected"}
    notice = render_notice("suggestion_decided", "zh-CN", context)
    assert "暂未被采纳" in notice.subject and "暂不采购" in notice.text


def test_the_digest_lists_overdue_and_due_soon_items_together() -> None:
    notice = render_notice("digest", "zh-CN", sample_context("digest", "zh-CN"))
    assert notice.subject == "【城东区图书馆】借阅提醒：2本已逾期，1本即将到期"
    text = notice.text
    overdue_at, soon_at = text.index("已逾期，请尽快归还"), text.index("即将到期：")
    assert overdue_at < text.index("《三体》") < soon_at < text.index("《平凡的世界》")


def test_a_digest_with_only_due_soon_items_has_no_overdue_section() -> None:
    context = {**sample_context("digest", "en"), "overdue_items": [], "fine_fen": None}
    notice = render_notice("digest", "en", context)
    assert notice.subject == "Your loans today: 1 due soon" and "Overdue" not in notice.text


def test_each_list_item_stays_on_its_own_line_in_plain_text() -> None:
    context = sample_context("digest", "en")
    lines = [line for line in render_notice("digest", "en", context).text.splitlines()
             if line.startswith("- ")]
    assert len(lines) == 3


def test_a_condition_at_the_end_of_a_text_line_keeps_the_line_break() -> None:
    source = (
        "{% for item in items %}\n"
        "* {{ item.title }}{% if item.barcode %} [{{ item.barcode }}]{% endif %}\n"
        "{% endfor %}\n"
        "end\n"
    )
    items = [{"title": "To Live", "barcode": "C1", "due_date": "2026-11-19", "days_overdue": 14},
             {"title": "Brothers", "due_date": "2026-11-26", "days_overdue": 7}]
    overrides = {("overdue", "en", "text"): source}
    notice = render_notice("overdue", "en", _overdue("en", items=items), overrides)
    assert notice.text == "* To Live [C1]\n* Brothers\nend\n"


def test_plain_text_never_has_two_blank_lines_in_a_row() -> None:
    for kind, lang in ALL:
        assert "\n\n\n" not in render_notice(kind, lang, sample_context(kind, lang)).text


def test_html_escapes_what_readers_typed_but_plain_text_keeps_it() -> None:
    context = {**sample_context("feedback_answered", "en"), "feedback_text": "<b>Q&A</b>"}
    notice = render_notice("feedback_answered", "en", context)
    assert "&lt;b&gt;Q&amp;A&lt;/b&gt;" in notice.html and "<b>Q&A</b>" not in notice.html
    assert "<b>Q&A</b>" in notice.text


def test_a_staff_override_replaces_only_its_part() -> None:
    overrides = {("overdue", "en", "subject"): "Please bring back {{ items[0].title }}"}
    notice = render_notice("overdue", "en", _overdue("en"), overrides)
    assert notice.subject == "Please bring back The Three-Body Problem"
    assert notice.text == render_notice("overdue", "en", _overdue("en")).text


def test_overrides_may_be_keyed_by_the_enum_and_an_unnormalised_language() -> None:
    overrides = {(NoticeKind.overdue, "zh-CN", "subject"): "请还书"}
    assert render_notice("overdue", "zh_CN", _overdue("zh-CN"), overrides).subject == "请还书"


def test_a_staff_html_override_is_autoescaped() -> None:
    overrides = {("overdue", "en", "html"): "<p>{{ reader_name }}</p>"}
    notice = render_notice("overdue", "en", _overdue("en", reader_name="<i>Eve</i>"), overrides)
    assert notice.html == "<p>&lt;i&gt;Eve&lt;/i&gt;</p>\n"


def test_a_staff_override_can_extend_the_shipped_layout() -> None:
    source = '{% extends "zh-CN/_layout.html.j2" %}{% block content %}<p>请还书</p>{% endblock %}'
    overrides = {("overdue", "zh-CN", "html"): source}
    notice = render_notice("overdue", "zh", _overdue("zh-CN"), overrides)
    assert "<p>请还书</p>" in notice.html and "李晓明，您好" in notice.html


def test_templates_cannot_reach_python_internals() -> None:
    source = "{{ reader_name.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(NoticeTemplateError, match="subject"):
        render_notice("overdue", "en", _overdue("en"), {("overdue", "en", "subject"): source})


def test_an_undefined_variable_is_an_error_not_an_empty_string() -> None:
    overrides = {("overdue", "en", "text"): "Dear {{ reader_nmae }}"}
    with pytest.raises(NoticeTemplateError, match="reader_nmae"):
        render_notice("overdue", "en", _overdue("en"), overrides)


def test_a_missing_required_variable_is_named() -> None:
    context = sample_context("reservation_ready", "en")
    del context["pickup_branch"]
    with pytest.raises(NoticeTemplateError, match="pickup_branch"):
        render_notice("reservation_ready", "en", context)


def test_an_item_without_its_due_date_is_refused() -> None:
    with pytest.raises(NoticeTemplateError, match=r"items\[0\] is missing \['due_date'\]"):
        render_notice("due_soon", "en", {**sample_context("due_soon", "en"),
                                          "items": [{"title": "To Live"}]})


def test_an_unknown_decision_is_refused() -> None:
    context = {**sample_context("suggestion_decided", "en"), "decision": "maybe"}
    with pytest.raises(NoticeTemplateError, match="decision"):
        render_notice("suggestion_decided", "en", context)


def test_dates_may_arrive_as_iso_strings_from_a_task_payload() -> None:
    context = {**sample_context("reservation_ready", "en"), "pickup_deadline": "2026-12-10"}
    assert "(until December 10, 2026)" in render_notice("reservation_ready", "en", context).subject


@pytest.mark.parametrize(
    ("given", "expected"),
    [("zh", "zh-CN"), ("zh_CN", "zh-CN"), ("zh-Hans", "zh-CN"), ("en-GB", "en"), ("EN", "en"),
     (None, "zh-CN"), ("fr", "zh-CN")],
)
def test_reader_locales_map_to_a_shipped_language(given: str | None, expected: str) -> None:
    assert notice_lang(given) == expected


def test_validation_reports_a_syntax_error_with_its_line() -> None:
    errors = validate_template("Hello\n{% if reader_name %}\nno end", "overdue")
    assert len(errors) == 1 and errors[0].startswith("line 3:")


def test_validation_reports_unknown_variables_for_the_kind() -> None:
    errors = validate_template("{{ reader_name }} {{ answer_text }} {{ fine_fen }}", "overdue")
    assert errors == ["unknown variable 'answer_text'"]


def test_validation_without_a_kind_accepts_any_documented_variable() -> None:
    assert validate_template("{{ answer_text }} {{ pickup_branch }}") == []
    assert validate_template("{{ nonsense }}") == ["unknown variable 'nonsense'"]


def test_validation_reports_an_unknown_filter() -> None:
    errors = validate_template("{{ fine_fen|yuan }}", "overdue")
    assert len(errors) == 1 and "yuan" in errors[0]


def test_validation_catches_a_misspelt_item_field_by_rendering_the_sample() -> None:
    source = "{% for item in items %}{{ item.titel }}{% endfor %}"
    errors = validate_template(source, "overdue")
    assert errors and all("titel" in e for e in errors)


def test_validation_refuses_an_empty_subject() -> None:
    assert validate_template("{% if false %}x{% endif %}", "overdue", "subject") == [
        "the subject is empty"
    ]


def test_every_kind_documents_its_variables() -> None:
    assert set(VARIABLES) == set(NoticeKind)


def test_money_is_grouped_and_signed() -> None:
    assert [format_money(n, "zh-CN") for n in (0, 5, 1230, 123450, -99)] == [
        "¥0.00", "¥0.05", "¥12.30", "¥1,234.50", "-¥0.99",
    ]


def test_money_must_be_integer_fen() -> None:
    with pytest.raises(TypeError):
        format_money(12.3, "zh-CN")  # type: ignore[arg-type]


def test_dates_follow_the_reader_locale() -> None:
    assert format_date(date(2026, 12, 3), "zh-CN") == "2026年12月3日"
    assert format_date(date(2026, 12, 3), "en") == "December 3, 2026"


def test_an_instant_is_shown_in_the_library_time_zone() -> None:
    late_utc = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)  # already 3 December in Shanghai
    assert format_date(late_utc, "zh-CN", "Asia/Shanghai") == "2026年12月3日"
    assert format_datetime(late_utc, "en", "Asia/Shanghai") == "December 3, 2026, 1:30\u202fAM"
