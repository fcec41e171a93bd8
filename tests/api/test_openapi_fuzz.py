"""Schemathesis drives every documented operation with generated input, the same input on
every run (derandomised): no undocumented server error, and every answer matches the
document (body schema, content type, status, headers, declared security).

The longer random run a developer does before a release is bench/fuzz_api.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.fuzzing import admin_headers, fuzz, operations
from tests.conftest import with_config

ADMIN_EXAMPLES = 10
ANONYMOUS_EXAMPLES = 3


@pytest.fixture
def config(config: Any) -> Any:
    # Generated min_position values are far ahead of the log: answer 503 quickly.
    return with_config(config, min_position_wait_s=0.02)


def test_the_document_lists_every_api_operation(app: Any) -> None:
    assert len(operations(app)) > 60


def test_generated_requests_with_an_admin_token_find_no_server_error_or_nonconformance(
        app: Any, lector: Any) -> None:
    report = fuzz(app, admin_headers(app, lector), max_examples=ADMIN_EXAMPLES,
                  derandomize=True, allow_nul=True)
    assert sorted(report.failures) == []
    assert report.cases > 900
    # The run reached past validation: successes, refusals and not-founds all occurred.
    assert {200, 201, 404, 422} <= set(report.statuses)


def test_generated_requests_without_a_token_are_refused_as_documented(app: Any) -> None:
    report = fuzz(app, {}, max_examples=ANONYMOUS_EXAMPLES, derandomize=True, allow_nul=True)
    assert sorted(report.failures) == []
    assert 200 not in report.statuses and 201 not in report.statuses
    assert report.statuses[401] > 0.9 * report.cases
