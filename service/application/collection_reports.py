"""The collection reports as the API and the exports offer them: one question (date, filters,
overrides), the settings in force, the definitions every answer and file states."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from projections.collection_holds import report_buy_list, report_holds_pressure
from projections.collection_scope import Scope
from projections.collection_stock import (
    report_copies,
    report_dead_stock,
    report_titles,
    report_weeding,
)
from projections.collection_use import report_class_use
from service.application.report_settings import ReportSettings
from service.domain.i18n import Message


@dataclass(frozen=True)
class CollectionQuery:
    """What a librarian asks: the date (None: today), filters and optional trial limits."""

    as_of: date | None = None
    scheme: str = "clc"
    branch: str | None = None
    class_prefix: str | None = None
    item_type: str | None = None
    months: int | None = None  # dead stock: N instead of the configured one
    age_years: int | None = None  # weeding: X and Y for every class instead of the settings
    idle_years: int | None = None

    def scope(self, today: date, timezone: str) -> Scope:
        return Scope(self.as_of or today, timezone, self.scheme, self.branch, self.class_prefix,
                     self.item_type)


QUERY_FIELDS = ("as_of", "scheme", "branch", "class_prefix", "item_type", "months",
                "age_years", "idle_years")


def query_from(args: dict[str, Any]) -> CollectionQuery:
    """The question in parsed query arguments (absent or None: the default)."""
    return CollectionQuery(**{k: args[k] for k in QUERY_FIELDS if args.get(k) is not None})


def _weeding_rules(q: CollectionQuery, s: ReportSettings) -> dict[str, tuple[int | None, int]]:
    rules = s.weeding_rules(q.scheme)
    if q.age_years is None and q.idle_years is None:
        return rules
    return {k: (q.age_years if q.age_years is not None else x,
                q.idle_years if q.idle_years is not None else y) for k, (x, y) in rules.items()}


Runner = Callable[[Connection, Scope, CollectionQuery, ReportSettings], Any]
REPORTS: dict[str, Runner] = {
    "classes": lambda c, sc, q, s: report_class_use(c, sc),
    "copies": lambda c, sc, q, s: report_copies(c, sc),
    "titles": lambda c, sc, q, s: report_titles(c, sc),
    "dead-stock": lambda c, sc, q, s: report_dead_stock(c, sc, q.months or s.dead_stock_months),
    "weeding": lambda c, sc, q, s: report_weeding(c, sc, _weeding_rules(q, s)),
    "holds": lambda c, sc, q, s: report_holds_pressure(c, sc, s.holds_per_copy,
                                                      s.default_holds_per_copy),
    "buy-list": lambda c, sc, q, s: report_buy_list(c, sc, s.holds_per_copy,
                                                   s.default_holds_per_copy),
}


def run_report(conn: Connection, name: str, query: CollectionQuery, settings: ReportSettings,
               today: date, timezone: str) -> Any:
    """One collection report, from the read model only."""
    return REPORTS[name](conn, query.scope(today, timezone), query, settings)


COMMON = (
    Message("Read from the 'collection' read model; the answer names the event-log position "
            "it reflects.", "数据取自“馆藏”读取模型；结果注明其反映的事件日志位置。"),
    Message("as_of: the state at the end of that day in the library's time zone, by business "
            "time (when a checkout, return or hold happened; copies: when added, withdrawn, lost "
            "or found), not by when it was recorded. Default: today.",
            "as_of：截至该日（本馆时区）结束时的状态，按业务时间（借出、归还、预约发生的时间；"
            "馆藏册：入藏、剔除、遗失、找回的时间），而非记录时间。默认今天。"),
    Message("Holdings: copies added (or found) and not withdrawn or lost on that date.",
            "馆藏量：截至该日已入藏（或已找回）且未剔除、未遗失的册数。"),
    Message("A circulation is a checkout (LoanOpened). Renewals are not circulations; they are "
            "counted separately.", "流通次数 = 借出次数（LoanOpened）。续借不计入流通，单独统计。"),
    Message("Class: CLC main class (one letter; T by its two-letter subclass, e.g. TP), Dewey "
            "hundreds (e.g. 800) or LC class letters (e.g. QA), as the title is classified now; "
            "'?' = no CLC class. Branch: the copy's holding branch.",
            "分类：中图法大类（一个字母；T 类按两个字母的二级类，如 TP）、杜威百位类（如 800）"
            "或国会图书馆分类字母（如 QA），按题名当前的分类；“?”表示无中图分类号。分馆：该册的馆藏分馆。"),
)

DEFINITIONS: dict[str, tuple[Message, ...]] = {
    "classes": (
        Message("Window: the 12 calendar months ending with the month of as_of (that month up "
                "to as_of), counted by the checkout's local day.",
                "统计窗口：截至 as_of 所在月份的 12 个自然月（当月截至 as_of），按借出当地日期计。"),
        Message("Circulations: checkouts in the window of copies of the class and branch "
                "(including copies withdrawn since). Turnover = circulations / holdings.",
                "流通次数：窗口内该分类、该分馆各册的借出次数（含之后剔除的册）。"
                "周转率 = 流通次数 / 馆藏量。"),
        Message("% circulated: share of holdings checked out at least once in the window.",
                "流通率：窗口内至少借出一次的在藏册占馆藏量的百分比。"),
        Message("Relative use = share of circulations / share of holdings, within the rows "
                "shown; above 1 the class is used more than its size suggests.",
                "相对利用率 = 流通占比 / 馆藏占比（在所列各行之内）；大于 1 表示利用超过其馆藏比例。"),
        Message("Stock age: as_of's year minus the publication year, over copies whose title "
                "has a year (average and median).",
                "馆藏年龄：as_of 年份减出版年，仅计有出版年的册（平均值与中位数）。"),
    ),
    "copies": (
        Message("Lifetime circulations and renewals up to as_of; last circulated = the last "
                "checkout's local date.",
                "累计流通与续借次数截至 as_of；最近流通 = 最近一次借出的当地日期。"),
        Message("Days on shelf: days from the last return (or from being added, if never "
                "returned) to as_of; empty while on loan.",
                "在架天数：自最近一次归还（从未归还则自入藏）至 as_of 的天数；借出中为空。"),
    ),
    "titles": (
        Message("A title's figures add up its copies in the holdings on as_of.",
                "题名的各项数字为其截至 as_of 在藏各册之和。"),
    ),
    "dead-stock": (
        Message("Dead stock: copies in the holdings added at least N months before as_of with "
                "no checkout in those N months ('idle') or never ('never'); N from the report "
                "settings (default 24).",
                "呆滞馆藏：截至 as_of 入藏已满 N 个月、且这 N 个月内未借出（idle）或从未借出（never）"
                "的在藏册；N 取自报表设置（默认 24）。"),
    ),
    "weeding": (
        Message("Weeding candidates (CREW-style): published more than X years before as_of "
                "(as_of's year minus the publication year) and not checked out (never lent: "
                "not added) for more than Y years; X and Y per class from the report settings. "
                "The system proposes; staff decide.",
                "剔旧候选（CREW 方法）：出版超过 X 年（as_of 年份减出版年）且超过 Y 年未借出"
                "（从未借出则自入藏起算）的在藏册；X、Y 按分类取自报表设置。系统只提出建议，由馆员决定。"),
    ),
    "holds": (
        Message("Active holds: placed by as_of and not yet fulfilled, cancelled or expired "
                "(waiting or set aside). Holdable copies: the title's copies in the holdings. "
                "Holds ratio = active holds / holdable copies.",
                "有效预约：截至 as_of 已提出且尚未借出、取消或过期（排队中或已留书）的预约。"
                "可预约册数：该题名的在藏册数。预约比 = 有效预约 / 可预约册数。"),
        Message("Copies needed = ceil(active holds / R) - holdable copies (at least 0), R holds "
                "per copy by the title's item type (that of most of its copies; default 4).",
                "需增购册数 = ⌈有效预约 / R⌉ − 可预约册数（不小于 0），R 为按文献类型设定的每册预约数"
                "（题名的文献类型取其多数册的类型；默认 4）。"),
        Message("With a branch filter: holds picked up there and copies held there.",
                "指定分馆时：只计在该分馆取书的预约和该分馆的在藏册。"),
    ),
}
DEFINITIONS["buy-list"] = (
    *DEFINITIONS["holds"],
    Message("Buy list: the titles whose copies needed is above 0, most needed first.",
            "采购清单：需增购册数大于 0 的题名，按需增购册数从多到少排列。"),
)


def definitions(name: str) -> list[Message]:
    """Every definition a report's answer and export state, the common ones first."""
    return [*COMMON, *DEFINITIONS[name]]
