"""The tests that take over about 10 s, marked `slow` here (tests/conftest.py applies it).

They still run by default and in CI; `pytest -m "not slow"` leaves them out for a quick loop.
Kept in one list rather than as decorators so that marking them touches no test module;
tests/test_slow_marks.py fails if an entry no longer names a test. Measured with
`pytest --durations=30` (PostgreSQL and Redis configured).
"""

from __future__ import annotations

import pytest

SLOW = (
    "tests/api/test_openapi_fuzz.py::test_generated_requests_with_an_admin_token_find_no_server_error_or_nonconformance",
    "tests/browser/test_admin_pages.py::test_each_admin_edit_shows_in_the_next_checkout",
    "tests/integration/test_celery_worker.py::test_a_worker_killed_mid_catch_up_resumes_and_equals_a_rebuild",
    "tests/integration/test_celery_worker.py::test_two_workers_catching_up_the_same_projections_at_once_equal_a_rebuild",
    "tests/integration/test_scaled_workers.py::test_three_workers_fold_a_burst_shard_by_shard_and_never_one_projection_at_once",
    "tests/integration/test_scaled_workers.py::test_a_worker_killed_mid_fold_leaves_the_others_to_finish_and_equal_a_rebuild",
    "tests/integration/test_circulation_state_machine.py::TestCirculationStateMachine::runTest",
    "tests/integration/test_collection_reports.py::test_collection_reports_built_in_random_batches_equal_a_rebuild_and_the_raw_log",
    "tests/integration/test_engagement_races.py::test_fifty_readers_signing_up_at_once_fill_the_seats_exactly_and_wait_in_order",
    "tests/integration/test_demo_library.py::test_the_demo_builds_branches_titles_readers_and_a_year_of_loans",
    "tests/integration/test_demo_library.py::test_the_same_seed_builds_the_same_circulation",
    "tests/integration/test_demo_notices.py::test_the_demo_delivers_its_past_to_the_mailbox_and_smtp_later_sends_none_of_it",
    "tests/integration/test_notices_worker.py::test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight",
    "tests/browser/test_portal_speed.py::test_every_portal_view_renders_within_a_second_on_slow_4g",
    "tests/browser/test_portal_walk.py::test_a_reader_walks_the_portal_and_every_view_passes_axe",
    "tests/integration/test_projection_rebuild_property.py::test_projections_built_in_random_chunks_between_commands_equal_a_rebuild",
    "tests/integration/test_report_reconciliation.py::test_every_report_equals_its_rebuild_and_a_recount_from_the_log",
    "tests/integration/test_reader_insights.py::test_a_refresh_segments_every_reader_once_and_a_repeat_appends_nothing",
    "tests/integration/test_reader_insights.py::test_two_schedulers_racing_the_same_refresh_give_one_result",
    "tests/integration/test_reader_insights.py::test_segment_history_built_incrementally_equals_its_rebuild",
    "tests/integration/test_reader_insights.py::test_a_reader_who_switched_history_off_is_never_profiled_from_their_titles",
    "tests/integration/test_reader_insights.py::test_the_360_view_shows_circulation_activity_segment_risk_and_timeline",
    "tests/integration/test_reader_insights.py::test_readers_and_their_export_filter_by_segment_and_desk_staff_see_no_profile",
    "tests/integration/test_reader_insights.py::test_segment_movement_counts_readers_between_month_ends",
    "tests/integration/test_reader_insights.py::test_evaluate_lapse_prints_both_scorers_and_says_which_is_served",
)


def mark_slow(items: list[pytest.Item]) -> None:
    """Add the `slow` mark to every collected case (each back end) of a listed test."""
    for item in items:
        if item.nodeid.partition("[")[0] in SLOW:
            item.add_marker(pytest.mark.slow)
