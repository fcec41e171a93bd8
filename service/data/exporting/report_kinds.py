"""Exports of the Readers, Top and Service reports: the rows, then their definitions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from sqlalchemy import Connection

from projections.report_readers import report_readers
from projections.report_service import report_service
from projections.report_top import report_top
from service.data.exporting.model import ExportKind, ExportParams
from service.domain.analytics.definitions import BY_REPORT

Row = Sequence[object]
TOP_LIMIT = 100_000  # every ranked row: aggregates are small (groups, not events)


def _window(p: ExportParams) -> tuple[date, date]:
    end = p.end or p.today
    return p.start or end - timedelta(days=29), end


def _definitions(report: str) -> Iterator[Row]:
    """A blank row, then one row per figure: name, English, Chinese (both languages, so the
    file explains itself whichever header language was chosen)."""
    yield ()
    yield ("definitions / 定义", "en", "zh-CN")
    yield from BY_REPORT[report]


def _readers(conn: Connection, p: ExportParams) -> Iterator[Row]:
    start, end = _window(p)
    group_by = p.group_by if p.group_by in ("branch", "category") else None
    for r in report_readers(conn, start, end, group_by=group_by, branch=p.branch,
                            category=p.category):
        yield (start, end, r["group"], r["active"], r["new"], r["returning"], r["lapsed"],
               r["loans"], r["renewals"], r["loans_per_active"])
    yield from _definitions("readers")


def _top(conn: Connection, p: ExportParams) -> Iterator[Row]:
    start, end = _window(p)
    rows, _ = report_top(conn, start, end, by=p.by, branch=p.branch, category=p.category,
                         clc=p.clc, limit=TOP_LIMIT)
    for r in rows:
        yield (r["rank"], p.by, r["key"], r.get("title", ""), "; ".join(r.get("authors", [])),
               r["loans"], r["renewals"], r["titles"])
    yield from _definitions("top")


def _service(conn: Connection, p: ExportParams) -> Iterator[Row]:
    """One long table (section, item, measure, value), so every section fits one sheet."""
    start, end = _window(p)
    body = report_service(conn, start, end, p.as_of or end, p.timezone, branch=p.branch,
                          category=p.category, channel=p.channel)
    for b in body["overdue_aging"]:
        yield ("overdue_aging", b["bucket"], "loans", b["loans"])
    holds = body["holds"]
    yield ("holds", "all", "placed", holds["placed"])
    for part in ("fill", "pickup"):
        for measure in ("count", "median_hours", "p90_hours"):
            yield ("holds", part, measure, holds[part][measure])
    for c in body["heatmap"]:
        yield ("heatmap", f"{p.channel} weekday {c['weekday']} hour {c['hour']:02d}", "actions",
               c["actions"])
    for group, key in (("channels", "channel"), ("branches", "branch"), ("messages", "kind")):
        for item in body[group]:
            for measure, value in item.items():
                if measure != key:
                    yield (group, item[key], measure, value)
    yield from _definitions("service")


RANGE = (("from", "起始日"), ("to", "截止日"))
REPORT_KINDS = (
    ExportKind("report_readers", "Readers report", "读者报表", (
        *RANGE, ("group", "分组"), ("active", "活跃读者"), ("new", "新读者"), ("returning", "回访读者"),
        ("lapsed", "流失读者"), ("loans", "借出"), ("renewals", "续借"),
        ("loans_per_active", "人均借阅")), ("report_rollups",), _readers),
    ExportKind("report_top", "Top titles, authors and classes", "借阅排行", (
        ("rank", "名次"), ("by", "排行对象"), ("key", "标识"), ("title", "题名"), ("authors", "责任者"),
        ("loans", "借出"), ("renewals", "续借"), ("titles", "题名数")), ("report_rollups",), _top),
    ExportKind("report_service", "Service report", "服务报表", (
        ("section", "部分"), ("item", "项目"), ("measure", "指标"), ("value", "数值")),
        ("report_rollups",), _service),
)
