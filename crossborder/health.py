"""`/healthz`: whether this process can serve, for a load balancer or an orchestrator.

It checks what a request needs: every configured database (the primary, and a replica when one
is configured) and the cache (Redis when REDIS_URL is set). 200 when all answer, 503 naming what
failed. No login and no data: the answer says which part failed and the kind of error, never a
message that could carry a host name, a password or a record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

OK = "ok"


def _database(alias: str) -> Callable[[], None]:
    def check() -> None:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return check


def _cache() -> None:
    # A key of its own, so that checks of several processes at once never read each other's.
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        raise LookupError("the cache did not keep a value")


def checks() -> dict[str, Callable[[], None]]:
    """The parts a request needs, by the name the answer gives them."""
    parts: dict[str, Callable[[], None]] = {
        ("database" if alias == "default" else f"database:{alias}"): _database(alias)
        for alias in connections
    }
    parts["cache"] = _cache
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
