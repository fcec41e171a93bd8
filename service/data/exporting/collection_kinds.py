"""Export kinds of the collection reports: the same rows as the API, definitions first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection

from projections.collection_use import window_months
from service.application.collection_reports import CollectionQuery, definitions, run_report
from service.application.report_settings import ReportSettings
from service.data.exporting.model import ExportKind, ExportParams, is_zh

Row = Sequence[object]
Columns = tuple[tuple[str, str], ...]

CLASS, BRANCH, TITLE = ("class", "分类"), ("branch", "分馆"), ("title", "题名")
COPY_COLUMNS: Columns = (
    ("barcode", "条码"), ("title_id", "题名编号"), TITLE, CLASS, BRANCH, ("item_type", "文献类型"),
    ("year", "出版年"), ("added_on", "入藏日期"), ("circulations", "累计流通"),
    ("renewals", "累计续借"), ("last_circulated_on", "最近流通"), ("on_loan", "借出中"),
    ("days_on_shelf", "在架天数"))
HOLD_COLUMNS: Columns = (
    ("title_id", "题名编号"), TITLE, CLASS, ("year", "出版年"), ("item_type", "文献类型"),
    ("active_holds", "有效预约"), ("holdable_copies", "可预约册数"), ("holds_ratio", "预约比"),
    ("holds_per_copy_target", "每册预约数 R"), ("copies_needed", "需增购册数"))
MONTHS: Columns = tuple((f"month_{n}", f"第{n}月") for n in range(1, 13))
CLASS_COLUMNS: Columns = (
    CLASS, BRANCH, ("holdings", "馆藏量"), ("circulations", "流通次数"), *MONTHS,
    ("turnover", "周转率"), ("circulated_copies", "流通册数"), ("percent_circulated", "流通率%"),
    ("share_of_circulations", "流通占比%"), ("share_of_holdings", "馆藏占比%"),
    ("relative_use", "相对利用率"), ("average_age", "平均馆藏年龄"), ("median_age", "馆藏年龄中位数"),
    ("dated_copies", "有出版年册数"))


def _question(p: ExportParams) -> tuple[CollectionQuery, ReportSettings]:
    return p.collection or CollectionQuery(), p.report_settings or ReportSettings()


def _rows(name: str, columns: Columns) -> Any:
    keys = [en for en, _ in columns]

    def rows(conn: Connection, p: ExportParams) -> Iterator[Row]:
        query, settings = _question(p)
        result = run_report(conn, name, query, settings, p.today, p.timezone)
        for item in result["rows"] if isinstance(result, dict) else result:
            if "monthly" in item:
                item = {**item, **{f"month_{n}": v for n, v in enumerate(item["monthly"], 1)}}
            yield tuple(item.get(k) for k in keys)

    return rows


def _notes(name: str) -> Any:
    def notes(lang: str, p: ExportParams) -> list[str]:
        query, _ = _question(p)
        scope = query.scope(p.today, p.timezone)
        zh = is_zh(lang)
        head = [f"{'截至' if zh else 'As of'} {scope.as_of.isoformat()}"
                f"{'；分类法' if zh else '; scheme'} {scope.scheme}"]
        filters = [f"{k}={v}" for k, v in (("branch", query.branch), ("class", query.class_prefix),
                                           ("item_type", query.item_type)) if v]
        if filters:
            head.append(("筛选：" if zh else "Filters: ") + ", ".join(filters))
        if name == "classes":
            months = ", ".join(f"{n}={m}" for n, m in enumerate(window_months(scope), 1))
            head.append(("月份列：" if zh else "Month columns: ") + months)
        return head + [m.zh if zh else m.en for m in definitions(name)]

    return notes


def _kind(name: str, en: str, zh: str, columns: Columns) -> ExportKind:
    return ExportKind(f"collection-{name}", en, zh, columns, ("collection",),
                      _rows(name, columns), notes=_notes(name))


DEAD_COLUMNS: Columns = (*COPY_COLUMNS, ("reason", "原因"), ("last_used_on", "最近使用"),
                         ("cutoff", "截止日期"))
WEEDING_COLUMNS: Columns = (*COPY_COLUMNS, ("age_years", "出版年数"), ("last_used_on", "最近使用"),
                            ("idle_days", "未用天数"), ("rule_age_years", "规则 X（年）"),
                            ("rule_idle_years", "规则 Y（年）"))
COLLECTION_KINDS: dict[str, ExportKind] = {k.name: k for k in (
    _kind("classes", "Collection use by class", "分类馆藏利用", CLASS_COLUMNS),
    _kind("copies", "Copies: circulation", "单册流通", COPY_COLUMNS),
    _kind("titles", "Titles: circulation", "题名流通", (
        ("title_id", "题名编号"), TITLE, CLASS, ("year", "出版年"), ("copies", "在藏册数"),
        ("circulations", "累计流通"), ("renewals", "累计续借"), ("on_loan", "借出中"),
        ("last_circulated_on", "最近流通"), ("circulations_per_copy", "册均流通"))),
    _kind("dead-stock", "Dead stock", "呆滞馆藏", DEAD_COLUMNS),
    _kind("weeding", "Weeding candidates", "剔旧候选", WEEDING_COLUMNS),
    _kind("holds", "Holds pressure", "预约压力", HOLD_COLUMNS),
    _kind("buy-list", "Buy list", "采购清单", HOLD_COLUMNS),
)}
