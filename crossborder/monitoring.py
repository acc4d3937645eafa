"""`/metrics`: the Prometheus metrics of this process, for an operator's scraper.

- `crossborder_http_requests_total{view, method, status}` and
  `crossborder_http_request_duration_seconds{view, method}`: every request, by the name of the
  view that answered (`unresolved` for a path no view matches), measured around all the other
  middleware (RequestMetrics stands first);
- `crossborder_db_queries_total{alias, view}`: the statements each database ran (the primary
  `default`, the `replica`), by view (`none` outside a request);
- `crossborder_jobs{kind, state}`: the background jobs in the database by kind and state
  (queued, running, done, failed: the failures), read when scraped;
- `crossborder_task_queue_length{queue}`: the tasks waiting in the broker's queue, read when
  scraped, when the broker is Redis (CELERY_BROKER_URL redis://...).

Nothing is labelled by user, record, path or query string: a view's name is the only label a
request gives.
- `crossborder_rollup_*`: what the reports' rollups leave to the records (reports.rollups.lag),
  read when scraped: built or not, the marked actions and the oldest mark's age, the open
  follow-ups, the horizon's age, and the actions summed in cells.

Behind METRICS_TOKEN (`Authorization: Bearer <token>`) or METRICS_ALLOWED_IPS (addresses and
networks, of the client as security.client_ip reads it behind TRUSTED_PROXY_COUNT proxies);
without either /metrics is off (404), and a request that has neither is refused (403), with no
data.

Several gunicorn workers are several processes, each with its own counters: with
PROMETHEUS_MULTIPROC_DIR set (an empty directory, emptied at each start; gunicorn.conf.py does
it and marks a dead worker's files) every worker writes its values there and /metrics, whichever
worker answers, adds them up. Without it, a scrape reads the worker that answers it.
"""

from __future__ import annotations

import contextvars
import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from crossborder.accounts.security import client_ip
from crossborder.jobs.models import Job
from reports import rollups

REQUESTS = Counter(
    "crossborder_http_requests_total",
    "Requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "crossborder_http_request_duration_seconds",
    "Time to answer a request, by view and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
QUERIES = Counter(
    "crossborder_db_queries_total",
    "Statements run, by database alias and view.",
    ["alias", "view"],
)

# The request being served in this thread, for the statements' view label.
_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "metrics_request", default=None
)
# Seconds the broker has to give its queue's length before the scrape goes on without it.
BROKER_TIMEOUT = 2


def _view_name(request: HttpRequest | None) -> str:
    if request is None:
        return "none"
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "unresolved"


class _QueryCounter:
    """An execute wrapper counting each statement of one connection."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        QUERIES.labels(alias=self.alias, view=_view_name(_request.get())).inc()
        return execute(sql, params, many, context)


def _count_queries(connection: BaseDatabaseWrapper) -> None:
    if not any(isinstance(w, _QueryCounter) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_QueryCounter(connection.alias))


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    _count_queries(connection)


connection_created.connect(_on_connection_created, dispatch_uid="crossborder-query-metrics")


class RequestMetrics:
    """Counts and times every request, and names its view for the statements it runs. First in
    MIDDLEWARE, so that the time includes the other middleware's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The connections opened before this middleware was loaded (a test's).
        for connection in connections.all(initialized_only=True):
            _count_queries(connection)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        view, method = _view_name(request), _method(request)
        LATENCY.labels(view=view, method=method).observe(time.perf_counter() - started)
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _method(request: HttpRequest) -> str:
    # A client may send any word as its method: one label value for all the others.
    return request.method if request.method in _METHODS else "other"


class _ScrapeTimeCollector(Collector):
    """The figures read when scraped: the jobs by state, the broker's queue."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "crossborder_jobs",
            "Background jobs in the database, by kind and state.",
            labels=["kind", "state"],
        )
        try:
            counts = list(Job.objects.values("kind", "state").annotate(n=Count("pk")).order_by())
        except DatabaseError:
            # The database down (/healthz says so): the other figures are still worth a scrape.
            counts = None
        if counts is not None:
            for row in counts:
                jobs.add_metric([row["kind"], row["state"]], row["n"])
            yield jobs
        yield from _rollup_lag()
        length = _queue_length()
        if length is not None:
            queue = GaugeMetricFamily(
                "crossborder_task_queue_length",
                "Tasks waiting in the broker's queue.",
                labels=["queue"],
            )
            queue.add_metric([_queue_name()], length)
            yield queue


def _rollup_lag() -> Iterator[GaugeMetricFamily]:
    """What the reports' rollups leave to the records now (reports.rollups.lag)."""
    try:
        lag = rollups.lag()
    except DatabaseError:
        return
    figures = (
        ("crossborder_rollup_built", "1 when the rollups are built.", int(lag.built)),
        (
            "crossborder_rollup_marked_actions",
            "Actions written since their rollup rows were made (read from the records).",
            lag.marked,
        ),
        (
            "crossborder_rollup_lag_seconds",
            "Age of the oldest mark: how long a write has waited for its refresh.",
            lag.oldest_mark_seconds,
        ),
        (
            "crossborder_rollup_open_follow_ups",
            "Groups of follow-ups the rollups read by the records' rule (not settled).",
            lag.open_rows,
        ),
        (
            "crossborder_rollup_horizon_age_days",
            "Days since the rollups' horizon (a report before it reads the records).",
            lag.horizon_days,
        ),
        (
            "crossborder_rollup_cell_actions",
            "Settled actions summed in the rollups' cells (the others are read one by one).",
            lag.cell_actions,
        ),
    )
    for name, documentation, value in figures:
        yield GaugeMetricFamily(name, documentation, value=value)


def _queue_name() -> str:
    return getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "") or "celery"


def _queue_length() -> int | None:
    """The length of Celery's queue in a Redis broker (a list named after the queue); None
    without one, or when it does not answer (/healthz says so)."""
    url: str = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
    )
    try:
        # A synchronous client: the answer is an int, never an awaitable.
        length: int = client.llen(_queue_name())  # type: ignore[assignment]
        return length
    except redis.RedisError:
        return None
    finally:
        client.close()


def _allowed(request: HttpRequest) -> bool:
    token: str = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return True
    networks: list[str] = settings.METRICS_ALLOWED_IPS
    if networks:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(net, strict=False) for net in networks)
    return False


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker's values, added up from their files.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not (settings.METRICS_TOKEN or settings.METRICS_ALLOWED_IPS):
        return HttpResponse(status=404)
    if not _allowed(request):
        return HttpResponse(status=403)
    registry = _registry()
    body = generate_latest(registry)
    # The scrape-time figures, once, whatever the mode.
    scrape_time = CollectorRegistry(auto_describe=False)
    scrape_time.register(_ScrapeTimeCollector())
    body += generate_latest(scrape_time)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
