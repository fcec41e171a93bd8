"""Read model: campaigns, their frozen audiences, and what each member did afterwards.

Each member (campaign x reader, group sent or hold-out) carries its loans in the 30 and 60
days from the campaign's start; ``rm_campaign_visits`` holds the days (0-59 from the start)
on which the member did anything at the library (borrow, return, renew, reserve). The
report is a few sums over these tables, never a scan of the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    case,
    func,
    select,
    update,
)

from events.campaigns import CampaignCreated, CampaignLaunched
from events.engine import as_utc
from events.holds import HoldPlaced
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.notices import NoticeScheduled
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

WINDOWS = (30, 60)

campaigns = Table(
    "rm_campaigns",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("audience", JSON, nullable=False),
    Column("template", String(32), nullable=False),
    Column("message", Text, nullable=False),
    Column("survey_id", String(64)),  # campaign_survey: the survey readers are invited to
    Column("holdout_pct", Integer, nullable=False),
    Column("send_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # draft launched
    Column("seed", BigInteger),
    Column("launched_at", DateTime(timezone=True)),
    Column("starts_at", DateTime(timezone=True)),
    Column("sent_count", Integer, nullable=False, default=0),
    Column("holdout_count", Integer, nullable=False, default=0),
    Column("notices_scheduled", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

members = Table(
    "rm_campaign_members",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("reader_id", String(64), primary_key=True, index=True),
    Column("grp", String(8), nullable=False),  # sent holdout
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("loans_30", Integer, nullable=False, default=0),
    Column("loans_60", Integer, nullable=False, default=0),
)

visits = Table(
    "rm_campaign_visits",
    metadata,
    Column("campaign_id", String(64), primary_key=True),
    Column("reader_id", String(64), primary_key=True),
    Column("day", Integer, primary_key=True),  # days since the campaign started, 0-59
)


class Campaigns(Projection):
    name = "campaigns"
    tables = (campaigns, members, visits)

    @handles(CampaignCreated)
    def created(self, conn: Connection, e: CampaignCreated, s: StoredEvent) -> None:
        conn.execute(campaigns.insert(), dict(
            campaign_id=e.campaign_id, name=e.name, audience=e.audience, template=e.template,
            message=e.message, survey_id=e.survey_id, holdout_pct=e.holdout_pct,
            send_at=e.send_at, status="draft",
            sent_count=0, holdout_count=0, notices_scheduled=0, created_at=e.created_at))

    @handles(CampaignLaunched)
    def launched(self, conn: Connection, e: CampaignLaunched, s: StoredEvent) -> None:
        groups = list(e.assignments.values())
        conn.execute(update(campaigns).where(campaigns.c.campaign_id == e.campaign_id).values(
            status="launched", seed=e.seed, launched_at=e.launched_at, starts_at=e.starts_at,
            sent_count=groups.count("sent"), holdout_count=groups.count("holdout")))
        rows = [dict(campaign_id=e.campaign_id, reader_id=r, grp=g, starts_at=e.starts_at,
                     loans_30=0, loans_60=0) for r, g in sorted(e.assignments.items())]
        for start in range(0, len(rows), 500):
            conn.execute(members.insert(), rows[start:start + 500])

    @handles(NoticeScheduled)
    def scheduled(self, conn: Connection, e: NoticeScheduled, s: StoredEvent) -> None:
        campaign_id = e.data.get("campaign_id")
        if campaign_id:
            conn.execute(update(campaigns).where(campaigns.c.campaign_id == campaign_id)
                         .values(notices_scheduled=campaigns.c.notices_scheduled + 1))

    @handles(LoanOpened)
    def borrowed(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        _activity(conn, e.reader_id, e.opened_at, loan=True)

    @handles(LoanRenewed)
    def renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        _activity(conn, e.reader_id, e.renewed_at)

    @handles(LoanClosed)
    def returned(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        _activity(conn, e.reader_id, e.closed_at)

    @handles(HoldPlaced)
    def reserved(self, conn: Connection, e: HoldPlaced, s: StoredEvent) -> None:
        _activity(conn, e.reader_id, e.placed_at)


def _activity(conn: Connection, reader_id: str, at: datetime, loan: bool = False) -> None:
    rows = conn.execute(select(members.c.campaign_id, members.c.starts_at)
                        .where(members.c.reader_id == reader_id)).all()
    for campaign_id, starts_at in rows:
        offset = as_utc(at) - as_utc(starts_at)
        day = offset.days
        if offset.total_seconds() < 0 or day >= WINDOWS[-1]:
            continue
        key = and_(members.c.campaign_id == campaign_id, members.c.reader_id == reader_id)
        if loan:
            values: dict[str, Any] = {"loans_60": members.c.loans_60 + 1}
            if day < WINDOWS[0]:
                values["loans_30"] = members.c.loans_30 + 1
            conn.execute(update(members).where(key).values(**values))
        seen = conn.scalar(select(func.count()).select_from(visits).where(
            visits.c.campaign_id == campaign_id, visits.c.reader_id == reader_id,
            visits.c.day == day))
        if not seen:
            conn.execute(visits.insert(), dict(campaign_id=campaign_id, reader_id=reader_id,
                                               day=day))


def list_campaigns(conn: Connection) -> list[dict[str, Any]]:
    """Every campaign, newest first."""
    rows = conn.execute(select(campaigns).order_by(campaigns.c.created_at.desc(),
                                                   campaigns.c.campaign_id)).mappings()
    return [dict(r) for r in rows]


def get_campaign(conn: Connection, campaign_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(campaigns).where(campaigns.c.campaign_id == campaign_id)
                       ).mappings().first()
    return dict(row) if row else None


def due_campaigns(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Launched campaigns whose send time has come and whose notices are not all scheduled."""
    rows = conn.execute(select(campaigns).where(
        campaigns.c.status == "launched", campaigns.c.send_at <= now,
        campaigns.c.notices_scheduled < campaigns.c.sent_count)
        .order_by(campaigns.c.campaign_id)).mappings()
    return [dict(r) for r in rows]


def member_ids(conn: Connection, campaign_id: str, group: str) -> list[str]:
    """The readers of one group of a campaign, in id order."""
    return list(conn.scalars(select(members.c.reader_id).where(
        members.c.campaign_id == campaign_id, members.c.grp == group)
        .order_by(members.c.reader_id)))


def group_figures(conn: Connection, campaign_id: str) -> dict[str, dict[str, int]]:
    """Per group: readers, readers who borrowed / visited within 30 and 60 days, and the
    sum and sum of squares of their loans in each window (for means and variances)."""
    out: dict[str, dict[str, int]] = {}
    m = members
    rows = conn.execute(select(
        m.c.grp, func.count(),
        *(func.sum(case((getattr(m.c, f"loans_{w}") > 0, 1), else_=0)) for w in WINDOWS),
        *(func.sum(getattr(m.c, f"loans_{w}")) for w in WINDOWS),
        *(func.sum(getattr(m.c, f"loans_{w}") * getattr(m.c, f"loans_{w}")) for w in WINDOWS),
    ).where(m.c.campaign_id == campaign_id).group_by(m.c.grp)).all()
    for grp, n, b30, b60, s30, s60, q30, q60 in rows:
        out[grp] = {"readers": int(n), "borrowed_30": int(b30 or 0), "borrowed_60": int(b60 or 0),
                    "loans_sum_30": int(s30 or 0), "loans_sum_60": int(s60 or 0),
                    "loans_sq_30": int(q30 or 0), "loans_sq_60": int(q60 or 0)}
    for w in WINDOWS:
        visited = select(visits.c.reader_id).where(
            visits.c.campaign_id == campaign_id, visits.c.day < w).distinct().subquery()
        for grp, n in conn.execute(select(m.c.grp, func.count()).join(
                visited, visited.c.reader_id == m.c.reader_id)
                .where(m.c.campaign_id == campaign_id).group_by(m.c.grp)):
            out.setdefault(grp, {})[f"visited_{w}"] = int(n)
    for figures in out.values():
        for w in WINDOWS:
            figures.setdefault(f"visited_{w}", 0)
    return out
