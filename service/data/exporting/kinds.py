"""The export kinds: readers, loans, overdue, holds, fines, feedback, suggestions, history, trends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, case, select

from events.vocabulary import HoldStatus
from projections.catalogue import titles
from projections.current_loans import current_loans
from projections.feedback_inbox import feedback, suggestions
from projections.fines import fines
from projections.hold_queue import OPEN, holds
from projections.reader_profiles import reader_profiles as rp
from projections.reading_history import history, keepers
from projections.trends import report
from service.data.exporting.model import (
    ExportKind,
    ExportParams,
    joined,
    local_time,
    streamed,
    yuan,
)

Row = Sequence[object]
CARD, NAME = ("card_number", "读者证号"), ("name", "姓名")
TITLE, BARCODE = ("title", "题名"), ("barcode", "条码")
# An erased reader still appears in loans, fines, feedback...: as erased, never by name.
ERASED_LABEL = "[已删除 erased]"
rp_name = case((rp.c.erased.is_(True), ERASED_LABEL), else_=rp.c.name).label("name")
READER_COLUMNS = (CARD, NAME, ("category", "类别"), ("phone", "电话"), ("email", "电子邮箱"),
                  ("language", "语言"), ("expiry", "有效期至"))


def _readers(conn: Connection, p: ExportParams) -> Iterator[Row]:
    # Exactly the import layout, so an export can be imported again unchanged.
    query = (select(rp.c.card_number, rp.c.name, rp.c.category, rp.c.phone, rp.c.email,
                    rp.c.language, rp.c.expires_on)
             .where(rp.c.erased.is_(False)).order_by(rp.c.card_number))
    yield from streamed(conn, query)


LOAN_COLUMNS = (BARCODE, TITLE, CARD, NAME, ("branch", "分馆"), ("item_type", "文献类型"),
                ("checked_out", "借出时间"), ("due", "应还日期"), ("renewals", "续借次数"))


def _loan_query(p: ExportParams, overdue: bool) -> object:
    cl = current_loans
    query = (select(cl.c.barcode, titles.c.title, rp.c.card_number, rp_name, cl.c.branch,
                    cl.c.item_type, cl.c.opened_at, cl.c.due_on, cl.c.renewals_used)
             .join(titles, titles.c.title_id == cl.c.title_id, isouter=True)
             .join(rp, rp.c.reader_id == cl.c.reader_id, isouter=True))
    if overdue:
        query = query.where(cl.c.due_on < p.today)
    return query.order_by(cl.c.due_on, cl.c.barcode)


def _loans(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    for row in streamed(conn, _loan_query(p, False)):  # type: ignore[arg-type]
        yield (*row[:6], local(row[6]), *row[7:])


def _overdue(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    for row in streamed(conn, _loan_query(p, True)):  # type: ignore[arg-type]
        yield (*row[:6], local(row[6]), *row[7:], (p.today - row[7]).days)


def _holds(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    query = (select(holds.c.title_id, titles.c.title, rp.c.card_number, rp_name,
                    holds.c.pickup_branch, holds.c.placed_at, holds.c.status, holds.c.barcode,
                    holds.c.pickup_by)
             .join(titles, titles.c.title_id == holds.c.title_id, isouter=True)
             .join(rp, rp.c.reader_id == holds.c.reader_id, isouter=True)
             .where(holds.c.status.in_(OPEN))
             .order_by(holds.c.title_id, holds.c.placed_position))
    # Queue places are counted while streaming (ordered by title, then arrival): O(1) memory.
    current, place = None, 0
    for row in streamed(conn, query):
        if row[0] != current:
            current, place = row[0], 0
        place += row[6] == HoldStatus.WAITING
        yield (*row[1:5], local(row[5]), row[6], place if row[6] == HoldStatus.WAITING else None,
               row[7], row[8])


def _fines(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    query = (select(rp.c.card_number, rp_name, fines.c.kind, fines.c.amount_fen,
                    fines.c.paid_fen, fines.c.waived_fen, fines.c.owed_fen, fines.c.barcode,
                    titles.c.title, fines.c.days_late, fines.c.assessed_at, fines.c.waive_reason)
             .join(rp, rp.c.reader_id == fines.c.reader_id, isouter=True)
             .join(titles, titles.c.title_id == fines.c.title_id, isouter=True)
             .order_by(fines.c.assessed_at, fines.c.fine_id))
    for row in streamed(conn, query):
        yield (*row[:3], *(yuan(v) for v in row[3:7]), *row[7:10], local(row[10]), row[11])


def _feedback(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    query = (select(feedback.c.submitted_at, rp.c.card_number, rp_name, feedback.c.category,
                    feedback.c.rating, titles.c.title, feedback.c.text, feedback.c.status,
                    feedback.c.answer, feedback.c.answered_at, feedback.c.closed_at)
             .join(rp, rp.c.reader_id == feedback.c.reader_id, isouter=True)
             .join(titles, titles.c.title_id == feedback.c.title_id, isouter=True)
             .order_by(feedback.c.submitted_at, feedback.c.feedback_id))
    for row in streamed(conn, query):
        yield (local(row[0]), *row[1:9], local(row[9]), local(row[10]))


def _suggestions(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    s = suggestions
    query = (select(s.c.submitted_at, rp.c.card_number, rp_name, s.c.title, s.c.author,
                    s.c.isbn, s.c.reason, s.c.status, s.c.decision_reason, s.c.decided_at)
             .join(rp, rp.c.reader_id == s.c.reader_id, isouter=True)
             .order_by(s.c.submitted_at, s.c.suggestion_id))
    for row in streamed(conn, query):
        yield (local(row[0]), *row[1:9], local(row[9]))


def _history(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    # Only readers who keep a history (the projection also drops it when they opt out).
    query = (select(rp.c.card_number, rp_name, titles.c.title, titles.c.authors,
                    titles.c.clc_class, history.c.barcode, history.c.borrowed_at,
                    history.c.returned_at)
             .join(keepers, and_(keepers.c.reader_id == history.c.reader_id,
                                 keepers.c.keep.is_(True)))
             .join(rp, rp.c.reader_id == history.c.reader_id, isouter=True)
             .join(titles, titles.c.title_id == history.c.title_id, isouter=True)
             .order_by(rp.c.card_number, history.c.borrowed_at, history.c.loan_id))
    for row in streamed(conn, query):
        yield (*row[:3], joined(row[3]), *row[4:6], local(row[6]), local(row[7]))


def _trends(conn: Connection, p: ExportParams) -> Iterator[Row]:
    # Aggregates are small (periods x groups), so report() may build them in memory.
    start = p.start or p.today - timedelta(days=365)  # (replace(year=) fails on 29 Feb)
    for item in report(conn, start, p.end or p.today, p.interval, p.group_by):
        yield (item["period"], item["group"], item["checkouts"], item["returns"],
               item["renewals"], item["holds_placed"], item["distinct_readers"])


KINDS: dict[str, ExportKind] = {k.name: k for k in (
    ExportKind("readers", "Readers", "读者", READER_COLUMNS, ("reader_profiles",), _readers),
    ExportKind("loans", "Current loans", "当前借阅", LOAN_COLUMNS,
               ("current_loans", "catalogue", "reader_profiles"), _loans),
    ExportKind("overdue", "Overdue loans", "逾期借阅", (*LOAN_COLUMNS, ("days_overdue", "逾期天数")),
               ("current_loans", "catalogue", "reader_profiles"), _overdue),
    ExportKind("holds", "Holds", "预约", (
        TITLE, CARD, NAME, ("pickup_branch", "取书分馆"), ("placed_at", "预约时间"),
        ("status", "状态"), ("queue_position", "排队位置"), BARCODE, ("pickup_by", "取书截止")),
        ("hold_queue", "catalogue", "reader_profiles"), _holds),
    ExportKind("fines", "Fines", "罚款", (
        CARD, NAME, ("kind", "类型"), ("amount_cny", "金额（元）"), ("paid_cny", "已付（元）"),
        ("waived_cny", "减免（元）"), ("owed_cny", "欠款（元）"), BARCODE, TITLE,
        ("days_late", "逾期天数"), ("assessed_at", "计罚时间"), ("waive_reason", "减免原因")),
        ("fines", "catalogue", "reader_profiles"), _fines),
    ExportKind("feedback", "Feedback", "读者反馈", (
        ("submitted_at", "提交时间"), CARD, NAME, ("category", "类别"), ("rating", "评分"), TITLE,
        ("text", "内容"), ("status", "状态"), ("answer", "答复"), ("answered_at", "答复时间"),
        ("closed_at", "关闭时间")), ("feedback_inbox", "catalogue", "reader_profiles"), _feedback),
    ExportKind("suggestions", "Purchase suggestions", "荐购", (
        ("submitted_at", "提交时间"), CARD, NAME, TITLE, ("author", "作者"), ("isbn", "ISBN"),
        ("reason", "理由"), ("status", "状态"), ("decision_reason", "处理说明"),
        ("decided_at", "处理时间")), ("feedback_inbox", "reader_profiles"), _suggestions),
    ExportKind("history", "Reading history", "借阅历史", (
        CARD, NAME, TITLE, ("authors", "责任者"), ("clc_class", "中图分类号"), BARCODE,
        ("borrowed_at", "借出时间"), ("returned_at", "归还时间")),
        ("reading_history", "catalogue", "reader_profiles"), _history),
    ExportKind("trends", "Circulation trends", "借阅趋势", (
        ("period", "时段"), ("group", "分组"), ("checkouts", "借出"), ("returns", "归还"),
        ("renewals", "续借"), ("holds_placed", "预约"), ("distinct_readers", "读者人数")),
        ("trends",), _trends),
)}
