"""More export kinds: the catalogue (titles, copies), the payments ledger and notices sent.

Each is registered in ``KINDS`` like every other kind (service/data/exporting/__init__.py),
so HTTP, the command line and scheduled exports all offer it. Each also says its rows as one
SELECT of text cells (``copy``), so on PostgreSQL its CSV is written by COPY.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from events.vocabulary import CopyStatus, NoticeStatus
from projections.catalogue import copies, titles
from projections.notice_outbox import notices
from projections.payments import payments
from projections.reader_profiles import reader_profiles as rp
from service.data.exporting.copying import text_cell, time_cell, yuan_cell
from service.data.exporting.kinds import BARCODE, CARD, NAME, TITLE, Row, rp_name
from service.data.exporting.model import ExportKind, ExportParams, joined, local_time, streamed, yuan

# --- catalogue: one row per title, with how many copies it has and how many are on the shelf
COPY_COUNT = (select(func.count()).where(copies.c.title_id == titles.c.title_id,
                                         copies.c.status != CopyStatus.WITHDRAWN)
              .scalar_subquery())
AVAILABLE_COUNT = (select(func.count()).where(copies.c.title_id == titles.c.title_id,
                                              copies.c.status == CopyStatus.AVAILABLE)
                   .scalar_subquery())
CATALOGUE_COLUMNS = (("title_id", "题名号"), TITLE, ("authors", "责任者"), ("isbn", "ISBN"),
                     ("publisher", "出版者"), ("year", "出版年"), ("language", "语种"),
                     ("clc_class", "中图分类号"), ("copies", "馆藏册数"),
                     ("available", "在架册数"), ("catalogued_at", "编目时间"))


def _catalogue_query() -> object:
    return (select(titles.c.title_id, titles.c.title, titles.c.authors, titles.c.isbn,
                   titles.c.publisher, titles.c.year, titles.c.language, titles.c.clc_class,
                   COPY_COUNT, AVAILABLE_COUNT, titles.c.catalogued_at)
            .order_by(titles.c.title_id))


def _catalogue(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    for row in streamed(conn, _catalogue_query()):  # type: ignore[arg-type]
        yield (*row[:2], joined(row[2]), *row[3:10], local(row[10]))


COPIES_COLUMNS = (BARCODE, ("title_id", "题名号"), TITLE, ("clc_class", "中图分类号"),
                  ("branch", "分馆"), ("item_type", "文献类型"), ("shelf_mark", "索书号"),
                  ("status", "状态"), ("due", "应还日期"), ("enumeration", "卷册"),
                  ("chronology", "年代/期次"), ("price_cny", "价格（元）"),
                  ("added_at", "入藏时间"))


def _copies_select(*cells: Any) -> Any:
    return (select(*cells).join(titles, titles.c.title_id == copies.c.title_id, isouter=True)
            .order_by(copies.c.barcode))


def _copies(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    query = _copies_select(copies.c.barcode, copies.c.title_id, titles.c.title,
                           titles.c.clc_class, copies.c.branch, copies.c.item_type,
                           copies.c.shelf_mark, copies.c.status, copies.c.due_on,
                           copies.c.enumeration, copies.c.chronology, copies.c.price_fen,
                           copies.c.added_at)
    for row in streamed(conn, query):
        yield (*row[:11], yuan(row[11]), local(row[12]))


def _copies_copy(p: ExportParams) -> object:
    t = text_cell
    return _copies_select(t(copies.c.barcode), t(copies.c.title_id), t(titles.c.title),
                          t(titles.c.clc_class), t(copies.c.branch), t(copies.c.item_type),
                          t(copies.c.shelf_mark), t(copies.c.status), copies.c.due_on,
                          t(copies.c.enumeration), t(copies.c.chronology),
                          yuan_cell(copies.c.price_fen), time_cell(copies.c.added_at, p.timezone))


# --- payments: the ledger, one row per fine assessed, share of a payment, or waiver
PAYMENT_COLUMNS = (("at", "时间"), ("movement", "类型"), CARD, NAME, ("amount_cny", "金额（元）"),
                   ("fine_id", "罚款号"), ("fine_kind", "罚款类型"), ("payment_id", "缴费单号"),
                   ("method", "缴费方式"), ("reason", "减免原因"), BARCODE, TITLE)


def _payments_select(*cells: Any) -> Any:
    return (select(*cells)
            .join(rp, rp.c.reader_id == payments.c.reader_id, isouter=True)
            .join(titles, titles.c.title_id == payments.c.title_id, isouter=True)
            .order_by(payments.c.position, payments.c.line))


def _payments(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    query = _payments_select(payments.c.at, payments.c.movement, rp.c.card_number, rp_name,
                             payments.c.amount_fen, payments.c.fine_id, payments.c.fine_kind,
                             payments.c.payment_id, payments.c.method, payments.c.reason,
                             payments.c.barcode, titles.c.title)
    for row in streamed(conn, query):
        yield (local(row[0]), *row[1:4], yuan(row[4]), *row[5:])


def _payments_copy(p: ExportParams) -> object:
    t, c = text_cell, payments.c
    return _payments_select(time_cell(c.at, p.timezone), t(c.movement), t(rp.c.card_number),
                            t(rp_name), yuan_cell(c.amount_fen), t(c.fine_id), t(c.fine_kind),
                            t(c.payment_id), t(c.method), t(c.reason), t(c.barcode),
                            t(titles.c.title))


# --- notices sent: what the library told each reader, when and on which channel
NOTICE_COLUMNS = (("sent_at", "发送时间"), CARD, NAME, ("kind", "通知类型"), ("channel", "渠道"),
                  ("subject", "主题"), ("message_id", "消息号"), ("attempts", "尝试次数"),
                  ("notice_key", "通知键"))


def _notices_select(*cells: Any) -> Any:
    return (select(*cells).join(rp, rp.c.reader_id == notices.c.reader_id, isouter=True)
            .where(notices.c.status == NoticeStatus.SENT)
            .order_by(notices.c.sent_at, notices.c.notice_id))


def _notices(conn: Connection, p: ExportParams) -> Iterator[Row]:
    local = local_time(ZoneInfo(p.timezone))
    n = notices.c
    query = _notices_select(n.sent_at, rp.c.card_number, rp_name, n.kind, n.channel,
                            n.subject, n.message_id, n.attempts, n.notice_key)
    for row in streamed(conn, query):
        yield (local(row[0]), *row[1:])


def _notices_copy(p: ExportParams) -> object:
    t, n = text_cell, notices.c
    return _notices_select(time_cell(n.sent_at, p.timezone), t(rp.c.card_number), t(rp_name),
                           t(n.kind), t(n.channel), t(n.subject), t(n.message_id), n.attempts,
                           t(n.notice_key))


LEDGER_KINDS = (
    ExportKind("catalogue", "Catalogue", "书目", CATALOGUE_COLUMNS, ("catalogue",), _catalogue),
    ExportKind("copies", "Copies", "馆藏", COPIES_COLUMNS, ("catalogue",), _copies,
               _copies_copy),
    ExportKind("payments", "Payments", "缴费与减免", PAYMENT_COLUMNS,
               ("payments", "catalogue", "reader_profiles"), _payments, _payments_copy),
    ExportKind("notices", "Notices sent", "已发通知", NOTICE_COLUMNS,
               ("notice_outbox", "reader_profiles"), _notices, _notices_copy),
)
