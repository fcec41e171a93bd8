"""Deterministic, database-free generator of the demo library and its year of circulation."""

from __future__ import annotations

from service.data.demo.actions import (
    CancelHold,
    CheckIn,
    CheckOut,
    PayFine,
    PlaceHold,
    PlannedAction,
    Renew,
    SubmitFeedback,
    SuggestPurchase,
)
from service.data.demo.calendar_cn import CLOSE_HOUR, OPEN_HOUR, closed_days
from service.data.demo.calibration import RealRanges, compute_real_ranges, default_data_dir
from service.data.demo.catalogue_gen import Catalogue, CopySpec, TitleSpec, generate_catalogue
from service.data.demo.plan import generate_year_plan
from service.data.demo.plan_policy import DEMO_POLICY, DemoPolicy
from service.data.demo.plan_stats import PlanStats, plan_statistics
from service.data.demo.readers_gen import ReaderSpec, generate_readers

__all__ = [
    "CLOSE_HOUR",
    "DEMO_POLICY",
    "OPEN_HOUR",
    "CancelHold",
    "Catalogue",
    "CheckIn",
    "CheckOut",
    "CopySpec",
    "DemoPolicy",
    "PayFine",
    "PlaceHold",
    "PlanStats",
    "PlannedAction",
    "ReaderSpec",
    "RealRanges",
    "Renew",
    "SubmitFeedback",
    "SuggestPurchase",
    "TitleSpec",
    "closed_days",
    "compute_real_ranges",
    "default_data_dir",
    "generate_catalogue",
    "generate_readers",
    "generate_year_plan",
    "plan_statistics",
]
