"""What every figure of the Readers, Top and Service reports means, in en and zh-CN.

One source for the API answers, the exports (a definitions block under the rows) and
docs/reports.md, so the three never disagree.
"""

from __future__ import annotations

Definition = tuple[str, str, str]  # (figure, en, zh-CN)

READERS: tuple[Definition, ...] = (
    ("window", "The range [from, to] in local days, both included; the previous window is the "
     "same number of days just before it.",
     "统计区间为 [from, to]（本馆当地日期，含首尾两天）；上一区间为紧接其前、天数相同的区间。"),
    ("active", "Distinct readers who borrowed or renewed at least once in the window (counted "
     "once over the whole window, not summed per month).",
     "区间内至少借出或续借一次的读者人数（整个区间去重计数，不是各月相加）。"),
    ("new", "Readers registered in the window (by category and home branch at registration).",
     "区间内新注册的读者（按注册时的读者类别和所属分馆）。"),
    ("returning", "Active in the window and also active in the previous window.",
     "本区间活跃且上一区间也活跃的读者。"),
    ("lapsed", "Active in the previous window but not in this one.",
     "上一区间活跃而本区间未活跃的读者。"),
    ("loans", "Checkouts in the window (renewals are counted separately); loans per active "
     "reader = loans / active.", "区间内的借出次数（续借单独计数）；人均借阅 = 借出次数 / 活跃读者。"),
    ("groups", "By branch or category each figure is counted within the group: a reader active "
     "at two branches counts at each.", "按分馆或类别分组时在组内计数：在两个分馆借阅的读者在两组各计一次。"),
)

TOP: tuple[Definition, ...] = (
    ("circulation", "A circulation is a checkout on a local day in the range; renewals are shown "
     "beside it and never counted in it.",
     "一次流通指区间内（本馆当地日期）的一次借出；续借另列，不计入流通。"),
    ("class", "Top-level class of the Chinese Library Classification as recorded on the loan.",
     "借出时记录的中图法一级大类。"),
    ("author", "The title's current author names; a title with two authors counts for each.",
     "题名当前的责任者；有两位作者的书为每位作者各计一次。"),
    ("order", "Most circulations first, ties by name.", "按流通次数降序，次数相同按名称排序。"),
)

SERVICE: tuple[Definition, ...] = (
    ("overdue_aging", "Loans open at the end of the as-of day whose due date then in force is "
     "before it, by days overdue: 1-7, 8-30, 31-90, 91+.",
     "截至查询日结束时仍未归还、且当时有效的应还日期已过的借阅，"
     "按逾期天数分段：1-7、8-30、31-90、91 天以上。"),
    ("holds_fill", "For holds trapped (a copy set aside) in the range: hours from placing to "
     "trapping (fill) and from trapping to checkout (pickup); median and p90 by nearest rank.",
     "区间内到书（已为读者留书）的预约：从预约到留书的小时数（满足时间）及从留书到借出的小时数（取书时间）；"
     "中位数与第 90 百分位按最近秩法。"),
    ("heatmap", "Checkouts, returns, renewals and holds placed per weekday (0 = Monday) and hour "
     "of the library's local time on one channel (default desk).",
     "按本馆当地时间的星期（0 = 星期一）和小时统计某一渠道（默认前台）的借出、归还、续借和预约次数。"),
    ("channels", "The same actions per channel: desk, sip2 (self-check kiosk), portal, api, worker.",
     "同样的操作按渠道统计：前台 desk、自助机 sip2、读者门户 portal、接口 api、后台 worker。"),
    ("messages", "Feedback and purchase suggestions submitted in the range, how many were "
     "answered (decided) and the hours to the first answer.",
     "区间内提交的读者反馈与荐购，已答复（已处理）数量及到首次答复的小时数。"),
    ("branches", "Checkouts, returns, renewals and holds placed per branch, and distinct active "
     "readers per branch.", "各分馆的借出、归还、续借、预约次数及去重活跃读者数。"),
)

BY_REPORT = {"readers": READERS, "top": TOP, "service": SERVICE}


def described(report: str) -> str:
    """The definitions as an OpenAPI description (English, one line per figure)."""
    return "Definitions: " + " ".join(f"**{f}**: {en}" for f, en, _ in BY_REPORT[report])


def definitions(report: str) -> list[dict[str, str]]:
    """The definitions of one report as API items."""
    return [{"figure": f, "en": en, "zh": zh} for f, en, zh in BY_REPORT[report]]
