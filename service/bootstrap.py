"""The composition root shared by the API, the workers and the CLI (no Flask here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

import events.domain  # noqa: F401  (registers every event type before anything is read)
from events.engine import make_engine
from events.sqlalchemy_store import SqlEventStore
from projections.base import Projection
from projections.registry import all_projections
from projections.shards import Shard, group_into_shards
from service.adapters.dispatch import CeleryCatchUp, InBackground, InProcessCatchUp
from service.adapters.replica import ReplicaRoute
from service.application.context import AfterCommit, Ports, utc_now
from service.application.snapshots import reader_snapshots
from service.application.unit_of_work import sql_units
from service.config import Config


@dataclass
class Lector:
    """Everything a process needs, built once."""

    config: Config
    engine: Engine
    store: SqlEventStore
    projections: list[Projection]
    ports: Ports
    redis: Any = None
    celery: Any = None
    shards: list[Shard] = field(default_factory=list)  # config.projection_shards, resolved
    extras: dict[str, Any] = field(default_factory=dict)
    # Query reads only (service/adapters/replica.py decides when); None without a replica.
    replica: Engine | None = None
    replica_route: ReplicaRoute | None = None

    def dispose(self) -> None:
        drain = getattr(self.ports.after_commit, "drain", None)
        if drain is not None:  # InBackground: let a catch-up in progress finish first
            drain(10.0)
        self.engine.dispose()
        if self.replica is not None:
            self.replica.dispose()
        if self.redis is not None:
            self.redis.close()


def producer_celery(config: Config) -> Any:
    """A Celery app used only to send tasks by name (no task code imported)."""
    from celery import Celery

    app = Celery("lector-producer", broker=config.redis_url)
    app.conf.update(task_serializer="json", accept_content=["json"],
                    broker_connection_retry_on_startup=True)
    return app


def bootstrap(config: Config | None = None, *, after_commit: AfterCommit | None = None,
              clock: Any = None) -> Lector:
    """Build engine, store, projections and the after-commit dispatcher from config."""
    config = config or Config.from_env()
    engine = make_engine(config.database_url)
    store = SqlEventStore(engine)
    store.snapshot_policies.append(reader_snapshots())
    projections = all_projections(config.timezone)
    shards = group_into_shards(projections, config.projection_shards)  # a bad setting fails here
    redis = celery = None
    if after_commit is None:
        if config.embedded:
            after_commit = InProcessCatchUp(engine, store, projections)
        else:
            import redis as redis_lib

            redis = redis_lib.Redis.from_url(config.redis_url)
            celery = producer_celery(config)
            after_commit = CeleryCatchUp(redis, celery, [s.name for s in shards])
        if config.after_commit == "background":
            after_commit = InBackground(after_commit)
    ports = Ports(engine=engine, store=store, after_commit=after_commit,
                  uow=sql_units(engine, store),
                  clock=clock or utc_now, timezone=config.timezone)
    replica = None
    if config.database_replica_url:
        if not config.database_replica_url.startswith("postgresql"):
            raise ValueError("DATABASE_REPLICA_URL must be a PostgreSQL streaming replica")
        # Pre-ping (one round trip per read): a replica restarted or stopped shows at connect,
        # where the read can still go to the primary, not midway through the query.
        replica = make_engine(config.database_replica_url, pool_pre_ping=True, connect_args={
            "connect_timeout": config.replica_connect_timeout_s})
    route = None if replica is None else ReplicaRoute(config.replica_retry_s, redis)
    return Lector(config, engine, store, projections, ports, redis, celery, shards, replica=replica,
                  replica_route=route)
