"""`lector demo` builds a living library through the command handlers (small scale here)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from events.sqlalchemy_store import SqlEventStore
from projections.catalogue import copies, titles
from projections.current_loans import current_loans
from projections.families import get_class, list_children
from projections.reader_profiles import get_reader_by_card, reader_profiles
from projections.report_readers import report_readers
from projections.report_service import report_service
from projections.report_top import report_top
from projections.runner import lag
from projections.trends import report
from service.application.collection_reports import REPORTS, CollectionQuery, run_report
from service.application.report_settings import current_report_settings
from service.bootstrap import bootstrap
from service.config import Config
from service.data.demo.executor import DEMO_CLASS, build_demo


def test_the_demo_builds_branches_titles_readers_and_a_year_of_loans(database_url: str,
                                                                      tmp_path: Path) -> None:
    config = Config(database_url=database_url, secret_key="t", instance_dir=tmp_path)
    built = build_demo(config, seed=7, start=date(2025, 1, 1), target_loans=600)
    assert (built.titles, built.copies, built.readers) == (1000, 3000, 500)
    assert built.accepted["CheckOut"] > 400
    assert sum(built.refused.values()) < 0.02 * built.actions  # the plan agrees with the rules
    lector = bootstrap(config)
    with lector.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(titles)) == 1000
        assert conn.scalar(select(func.count()).select_from(copies)) == 3000
        # The 500 generated readers plus the demo class's class card.
        assert conn.scalar(select(func.count()).select_from(reader_profiles)) == 501
        assert built.demo_reader and built.demo_child
        guardian = get_reader_by_card(conn, built.demo_reader[0])
        assert guardian and len(list_children(conn, guardian["reader_id"])) == 1  # family link
        demo_class = get_class(conn, DEMO_CLASS)
        assert demo_class and demo_class["pupils"] and len(demo_class["title_ids"]) == 6
        branches = conn.scalars(select(copies.c.branch).distinct()).all()
        assert len(branches) >= 2
        classes = {c[0] for c in conn.scalars(select(titles.c.clc_class)).all()}
        assert len(classes) == 22  # every top-level class of the Chinese Library Classification
        assert conn.scalar(select(func.count()).select_from(current_loans)) > 0
        months = {r["period"] for r in report(conn, date(2025, 1, 1), date(2025, 12, 31), "month")}
        year = (date(2025, 1, 1), date(2025, 12, 31))
        assert report_readers(conn, *year)[0]["active"] > 100
        assert report_top(conn, *year, by="author")[1] > 10
        service = report_service(conn, *year, date(2025, 12, 31), config.timezone)
        assert sum(c["actions"] for c in service["heatmap"]) > 400
        assert len(service["branches"]) >= 2
    assert len(months) == 12
    assert all(v == 0 for v in lag(lector.engine, lector.projections).values())
    assert_collection_reports_have_data(lector)
    assert_activities_and_a_survey(lector, built)

    assert_past_campaign_has_its_report(lector)
    events = SqlEventStore(lector.engine).read_all(0, 50_000)
    channels = Counter((e.type, e.meta.get("channel")) for e in events)
    # Loans at the desk and the kiosks, renewals also from the phone, as in a public library.
    assert {ch for (kind, ch) in channels if kind == "loan.opened"} == {"desk", "sip2"}
    assert {"desk", "sip2", "portal"} <= {ch for (kind, ch) in channels if kind == "loan.renewed"}
    assert channels[("hold.placed", "portal")] > 0
    lector.dispose()


def assert_activities_and_a_survey(lector: Any, built: Any) -> None:
    """Four past activities with sign-ups and attendance, two coming (the demo reader is
    signed up for one), and an open survey forty readers answered, all from real commands."""
    from projections.activities import activity_report, list_activities, reader_activities
    from projections.surveys import list_surveys

    with lector.engine.connect() as conn:
        past = activity_report(conn)
        assert len(past) == 6 and sum(r["attended"] for r in past) == built.engagement["attended"]
        assert all(r["waiting"] == 3 for r in past[:4])  # 24 signed up for 20, one cancelled
        assert len(list_activities(conn, after=datetime(2026, 1, 1, tzinfo=UTC))) == 2
        demo_reader = conn.scalar(select(reader_profiles.c.reader_id).where(
            reader_profiles.c.card_number == built.demo_reader[0]))
        assert [a["status"] for a in reader_activities(conn, demo_reader)] == ["seated"]
        [survey] = list_surveys(conn)
        assert survey["status"] == "open" and survey["answers"] == 40
        # Attendance shows by segment: each attendee the latest refresh segmented, once.
        from projections.activities import signups
        from projections.reader_segment_queries import attended_by_segment, latest_as_of
        by_segment = attended_by_segment(conn)
        as_of = latest_as_of(conn)
        until = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), UTC)
        attendees = set(conn.scalars(select(signups.c.reader_id).where(
            signups.c.status == "attended", signups.c.attended_at < until)))
        from projections.reader_segments import segment_history
        segmented = set(conn.scalars(select(segment_history.c.reader_id).where(
            segment_history.c.as_of == as_of)))
        assert sum(by_segment.values()) == len(attendees & segmented) > 0

def assert_past_campaign_has_its_report(lector: Any) -> None:
    """The demo's past campaign: launched with its hold-out, notices delivered to the mailbox
    or cancelled for lack of consent, and 60 days of figures in its report."""
    from projections.campaigns import list_campaigns
    from projections.notice_outbox import list_notices
    from service.application.campaigns import campaign_report

    with lector.engine.connect() as conn:
        (campaign,) = list_campaigns(conn)
        notices = list_notices(conn, kind="campaign_activity", limit=10_000)[0]
    assert campaign["status"] == "launched" and campaign["holdout_count"] > 0
    assert len(notices) == campaign["sent_count"] == campaign["notices_scheduled"]
    statuses = {n["status"] for n in notices}
    assert statuses == {"sent", "cancelled"}
    report = campaign_report(lector.ports, campaign["campaign_id"])
    w60 = report["windows"][1]
    assert w60["complete"] is False or w60["days"] == 60
    assert w60["borrowed"]["sent"]["count"] > 0 and w60["borrowed"]["interval"] is not None
    assert w60["loans_per_reader"]["interval"] is not None


def assert_collection_reports_have_data(lector: Any) -> None:
    """Just after the demo year (2025) every collection report has rows; the titles in demand
    at the end of the year (every copy out, 14 holds) put three titles on the buy list."""
    as_of = date(2026, 1, 5)
    settings = current_report_settings(lector.ports)
    with lector.engine.connect() as conn:
        sizes = {name: run_report(conn, name, CollectionQuery(as_of=as_of), settings, as_of,
                                  lector.ports.timezone) for name in REPORTS}
    classes = sizes.pop("classes")
    assert len(classes["rows"]) >= 22 and classes["totals"]["circulations"] > 400
    assert sum(classes["totals"]["monthly"][:11]) == classes["totals"]["circulations"]
    counts = {name: len(rows) for name, rows in sizes.items()}
    assert counts["copies"] == 3000 and counts["titles"] == 1000
    assert counts["dead-stock"] > 0 and counts["weeding"] > 0, counts
    buy = sizes["buy-list"]
    assert len(buy) >= 3 and all(row["copies_needed"] >= 1 for row in buy[:3]), buy[:3]


def test_the_same_seed_builds_the_same_circulation(tmp_path: Path, sqlite_factory: Any) -> None:
    outcomes = []
    for n in range(2):
        url = sqlite_factory.new()
        config = Config(database_url=url, secret_key="t", instance_dir=tmp_path / str(n))
        built = build_demo(config, seed=11, start=date(2025, 3, 1), target_loans=300)
        outcomes.append((built.actions, dict(built.accepted), dict(built.refused)))
    assert outcomes[0] == outcomes[1]
