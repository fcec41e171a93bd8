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
    "tests/integration/test_celery_worker.py::test_a_worker_killed_mid_catch_up_resumes_and_equals_a_rebuild",
    "tests/integration/test_celery_worker.py::test_two_workers_catching_up_the_same_projections_at_once_equal_a_rebuild",
    "tests/integration/test_circulation_state_machine.py::TestCirculationStateMachine::runTest",
    "tests/integration/test_demo_library.py::test_the_demo_builds_branches_titles_readers_and_a_year_of_loans",
    "tests/integration/test_demo_library.py::test_the_same_seed_builds_the_same_circulation",
    "tests/integration/test_demo_notices.py::test_the_demo_delivers_its_past_to_the_mailbox_and_smtp_later_sends_none_of_it",
    "tests/integration/test_notices_worker.py::test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_one_in_flight",
    "tests/browser/test_portal_speed.py::test_every_portal_view_renders_within_a_second_on_slow_4g",
    "tests/browser/test_portal_walk.py::test_a_reader_walks_the_portal_and_every_view_passes_axe",
    "tests/integration/test_projection_rebuild_property.py::test_projections_built_in_random_chunks_between_commands_equal_a_rebuild",
)


def mark_slow(items: list[pytest.Item]) -> None:
    """Add the `slow` mark to every collected case (each back end) of a listed test."""
    for item in items:
        if item.nodeid.partition("[")[0] in SLOW:
            item.add_marker(pytest.mark.slow)
