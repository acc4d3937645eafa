"""`/healthz`: whether this process can serve, for a load balancer or an orchestrator.

It checks what a request needs: the database (the primary), the read replica when one is
configured (DATABASE_REPLICA_URL), the cache (Redis when REDIS_URL is set) and the task broker when
one is configured (CELERY_BROKER_URL: Redis or AMQP, with a short timeout, so that a broker that
hangs makes the check fail rather than the load balancer's request time out). 200 when all
answer, 503 naming what failed. No login and no data: the answer says which part failed and the
kind of error, never a message that could carry a host name, a password or a record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crossborder.db_router import PRIMARY, REPLICA

OK = "ok"
# Seconds the broker has to answer: a load balancer's check waits a few seconds at most.
BROKER_TIMEOUT = 2


def _database(alias: str) -> Callable[[], None]:
    def check() -> None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return check


def _cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        # The shared cache (crossborder.core.cache) finds and keeps nothing, without an error,
        # while Redis does not answer: asked directly whether it does.
        ping()
    # A key of its own, so that checks of several processes at once never read each other's.
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        raise LookupError("the cache did not keep a value")


def _broker(url: str) -> Callable[[], None]:
    def check() -> None:
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            # AMQP (RabbitMQ) and kombu's other transports, through the library Celery uses.
            import kombu

            with kombu.Connection(url, connect_timeout=BROKER_TIMEOUT) as connection:
                connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)

    return check


def checks() -> dict[str, Callable[[], None]]:
    """The parts a request needs, by the name the answer gives them."""
    parts: dict[str, Callable[[], None]] = {"database": _database(PRIMARY)}
    if settings.REPLICA_READS:
        parts["replica"] = _database(REPLICA)
    parts["cache"] = _cache
    broker_url: str = getattr(settings, "CELERY_BROKER_URL", "") or ""
    if broker_url and not broker_url.startswith("memory://"):
        parts["broker"] = _broker(broker_url)
    return parts


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in checks().items():
        try:
            check()
        # Any failure of a part is what the answer reports.
        except Exception as error:
            results[name] = f"failed: {type(error).__name__}"
        else:
            results[name] = OK
    healthy = all(result == OK for result in results.values())
    return JsonResponse(
        {"status": OK if healthy else "failed", "checks": results},
        status=200 if healthy else 503,
    )
