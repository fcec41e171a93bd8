"""Health and Prometheus metrics (no token: load balancers and scrapers call these)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import text

from projections.failures import stuck_in
from projections.runner import lag
from service.adapters.api.common import lector
from service.adapters.replica import replica_lag

blp = Blueprint("ops", __name__)

TASK_COUNTS = "lector:metrics:tasks"


@blp.get("/health")
def health() -> Response:
    """Database, broker and projection lag; 503 when something essential is down."""
    app = lector()
    report: dict[str, Any] = {"status": "ok"}
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        report["database"] = {"status": "ok", "dialect": app.engine.dialect.name}
        report["projections"] = {"lag": lag(app.engine, app.projections)}
        stuck = _stuck(app)
        if stuck:  # the service still takes commands; these read models have stopped
            report["projections"]["stuck"] = {n: f.as_dict() for n, f in stuck.items()}
            report["status"] = "degraded"
    except Exception as exc:  # report, never raise: this is the page that says what is wrong
        report["database"] = {"status": "down", "error": type(exc).__name__}
        report["status"] = "down"
    if app.replica is not None:  # its absence only slows reads down: never "down" for it
        report["replica"] = replica_lag(app.engine, app.replica)
        if report["replica"]["status"] != "ok" and report["status"] == "ok":
            report["status"] = "degraded"
    if app.redis is None:
        report["broker"] = {"status": "embedded"}
    else:
        try:
            app.redis.ping()
            report["broker"] = {"status": "ok"}
        except Exception as exc:
            report["broker"] = {"status": "down", "error": type(exc).__name__}
            report["status"] = "degraded"
    response = jsonify(report)
    response.status_code = 503 if report["status"] == "down" else 200
    return response


class _LectorCollector:
    """Reads figures at scrape time from shared state, so every gunicorn worker agrees."""

    def collect(self) -> Any:
        app = lector()
        appended = CounterMetricFamily("lector_events_appended", "Events in the log.")
        appended.add_metric([], float(app.store.last_position()))
        yield appended
        behind = GaugeMetricFamily("lector_projection_lag_events",
                                   "Positions a projection is behind the log.",
                                   labels=["projection"])
        for name, value in lag(app.engine, app.projections).items():
            behind.add_metric([name], float(value))
        yield behind
        stuck = _stuck(app)
        halted = GaugeMetricFamily("lector_projection_stuck",
                                   "1 when a projection's fold failed on an event and it stopped.",
                                   labels=["projection"])
        where = GaugeMetricFamily("lector_projection_stuck_position",
                                  "Position of the event a stuck projection failed on.",
                                  labels=["projection", "event_type"])
        for projection in app.projections:
            failure = stuck.get(projection.name)
            halted.add_metric([projection.name], 1.0 if failure else 0.0)
            if failure is not None:
                where.add_metric([projection.name, failure.event_type], float(failure.position))
        yield halted
        yield where
        tasks = CounterMetricFamily("lector_tasks", "Celery tasks by name and outcome.",
                                    labels=["task", "state"])
        if app.redis is not None:
            for field, count in app.redis.hgetall(TASK_COUNTS).items():
                name, _, state = field.decode().rpartition(":")
                tasks.add_metric([name, state], float(count))
        yield tasks
        if app.replica_route is not None:
            fallbacks = CounterMetricFamily(
                "lector_replica_fallbacks",
                "Query reads sent to the primary instead of the replica, by reason.",
                labels=["reason"])
            for reason, count in app.replica_route.counts().items():
                fallbacks.add_metric([reason], float(count))
            yield fallbacks


def _stuck(app: Any) -> dict[str, Any]:
    names = {p.name for p in app.projections}
    return {n: f for n, f in stuck_in(app.engine).items() if n in names}


@blp.get("/metrics")
def metrics() -> Response:
    registry = CollectorRegistry()
    registry.register(_LectorCollector())  # type: ignore[arg-type]
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")
