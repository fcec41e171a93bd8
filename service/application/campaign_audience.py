"""Resolve a campaign audience (a segment or a saved reader filter) to reader ids."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Connection, select

from projections.reader_profiles import reader_profiles
from projections.reader_segment_queries import readers_in_segment
from service.application.relationships.lapse_data import reader_lapse_risk
from service.domain.campaigns.audience import lapse_band


def audience_readers(conn: Connection, audience: Mapping[str, str], today: date) -> list[str]:
    """The readers the filter matches now (never erased ones), in id order.

    Category, branch and segment narrow the set in SQL; the lapse band is scored per
    remaining reader (as the reader profile shows it), so it comes last.
    """
    p = reader_profiles
    query = select(p.c.reader_id).where(p.c.erased.is_(False))
    if audience.get("category"):
        query = query.where(p.c.category == audience["category"])
    if audience.get("branch"):
        query = query.where(p.c.home_branch == audience["branch"])
    if audience.get("segment"):
        query = query.where(p.c.reader_id.in_(readers_in_segment(audience["segment"])))
    readers = sorted(conn.scalars(query))
    band = audience.get("lapse_band")
    if not band:
        return readers
    kept = []
    for reader_id in readers:
        risk = reader_lapse_risk(conn, reader_id, today)
        if risk and risk["active"] and lapse_band(risk["probability"]) == band:
            kept.append(reader_id)
    return kept
