"""Schemathesis over every documented operation, shared by the CI test and bench/fuzz_api.py.

The only server error the document allows is 503 ``projection_behind`` (a query asked for a
log position the read model has not reached yet), and only on the operations that document
it (those taking `min_position`); everything else >= 500 is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.application.accounts import create_staff

CONFORMANCE = [response_schema_conformance, content_type_conformance, status_code_conformance,
               response_headers_conformance]
DOCUMENTED_5XX = {(503, "projection_behind")}


@dataclass
class FuzzReport:
    """What a run sent and every failure it saw, one line per (operation, failure)."""

    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    by_operation: dict[str, dict[int, int]] = field(default_factory=dict)
    failures: set[str] = field(default_factory=set)
    unsatisfiable: set[str] = field(default_factory=set)


def admin_headers(app: Any, lector: Any) -> dict[str, str]:
    """A bearer token for a fresh admin account."""
    create_staff(lector.engine, "fuzzadmin", "fuzz-pass-1", "admin")
    reply = app.test_client().post("/api/v1/auth/token", json={
        "username": "fuzzadmin", "password": "fuzz-pass-1"})
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


LOGOUT = "/api/v1/auth/logout"


def operations(app: Any, *, allow_nul: bool = True) -> list[Any]:
    """Every operation of the app's document, loaded in-process (no socket)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The caller's headers carry the token; generated Authorization values would only turn
    # most negative cases into 401s before the input they were meant to test is read.
    schema.config.generation.update(with_security_parameters=False, allow_x00=allow_nul)
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(app: Any, headers: dict[str, str], *, max_examples: int, derandomize: bool,
         seed: int | None = None, allow_nul: bool = True,
         modes: Iterable[GenerationMode] = tuple(GenerationMode),
         report: FuzzReport | None = None) -> FuzzReport:
    """Send generated requests to every operation and check each answer."""
    report = report or FuzzReport()
    checks = [*CONFORMANCE, ignored_auth] if headers else list(CONFORMANCE)
    for operation in operations(app, allow_nul=allow_nul):
        if headers and operation.path == LOGOUT:
            continue  # it would revoke the token every later operation is fuzzed with
        for mode in modes:
            _fuzz_one(operation, mode, headers, checks, max_examples, derandomize, seed, report)
    return report


def _fuzz_one(operation: Any, mode: GenerationMode, headers: dict[str, str], checks: list[Any],
              max_examples: int, derandomize: bool, seed: int | None,
              report: FuzzReport) -> None:
    label = f"{operation.method.upper()} {operation.path} [{mode.value}]"
    mode_checks = [*checks, negative_data_rejection] if mode is GenerationMode.NEGATIVE else checks

    @settings(max_examples=max_examples, deadline=None, database=None, derandomize=derandomize,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        report.cases += 1
        for counts in (report.statuses, report.by_operation.setdefault(label, {})):
            counts[response.status_code] = counts.get(response.status_code, 0) + 1
        if response.status_code >= 500 and not _documented(response, operation):
            report.failures.add(f"{label}: {response.status_code} {response.text[:300]}")
        try:
            case.validate_response(response, checks=mode_checks, headers=headers,
                                   excluded_checks=[not_a_server_error])
        except (FailureGroup, Failure) as failures:  # one entry per check that failed
            for failure in getattr(failures, "exceptions", [failures]):
                report.failures.add(f"{label}: {failure.title}: {_gist(failure)}")

    if seed is not None:
        run = hypothesis.seed(seed)(run)
    try:
        run()
    except Unsatisfiable:  # negative mode: the operation takes no input that can be invalid
        report.unsatisfiable.add(label)


def _gist(failure: Any) -> str:
    message = getattr(failure, "message", "") or str(failure)
    return " ".join(message.split())[:300]


def _documented(response: Any, operation: Any) -> bool:
    if str(response.status_code) not in operation.responses.status_codes:
        return False
    try:
        code = response.json().get("code")
    except ValueError:
        return False
    return (response.status_code, code) in DOCUMENTED_5XX
