"""Reads of the reports, dashboards and API from a read replica; everything else from the primary.

With DATABASE_REPLICA_URL set (settings.REPLICA_READS), a second database alias `replica` holds a
streaming copy of the primary (`default`). The replica is behind the primary by its replication
lag (milliseconds on a quiet network, more under a heavy write or a long report holding replay
back), so only reads that may be that little behind go there:

- a safe request (GET, HEAD, OPTIONS) to a dashboard page or the API (URL namespaces `reports` and
  `api`, not the login and logout pages), of a client that has not written in the last
  settings.REPLICA_STICKY_SECONDS: a browser that sent a POST, PUT, PATCH or DELETE carries a
  cookie for that long, and a signed-in user (by session or API token) is marked in the cache
  for that long, so its next requests read what it just wrote;
- and of such a request only the product's data (the apps in REPLICA_APPS): sessions, users,
  tokens, second factors, lockouts, the read audit and the import previews are always read from
  the primary, so a sign-in, a sign-out or a revoked token takes effect at once whatever the lag.

Everything else reads from the primary: writes, a write's answer (the request that wrote), the
admin (with the imports' previews), the login pages, /healthz, commands and background tasks. A
request that writes in the middle of a read (the read audit) reads from the primary after its
first write. Migrations run on the primary only.

The decision is a context variable that the middleware (`ReplicaReads`) sets for the request and
the router reads; it is made at the request's first read of the data, when the URL is resolved
and the user is known (DRF authenticates a token in the view). Raw SQL must take its connection
from the queryset it stands for (`connections[queryset.db]`) or `reading_alias()`, never
`django.db.connection`, which is always the primary.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"

# The apps whose tables a read-only request of the dashboards or the API may read from the
# replica: the programmes, actions, participants and what the reports keep.
REPLICA_APPS = frozenset({"projects", "actions", "participants", "reports"})
# The URL namespaces whose safe requests read from the replica, less the views named below.
REPLICA_NAMESPACES = frozenset({"reports", "api"})
PRIMARY_VIEWS = frozenset({"reports:login", "reports:logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The cookie a browser carries for REPLICA_STICKY_SECONDS after a write.
STICKY_COOKIE = "cb_read_primary"


def _sticky_key(user_pk: object) -> str:
    return f"db-router:wrote:{user_pk}"


class _RequestReads:
    """Where one request reads the data from, decided at its first read."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.decided: str | None = None

    def alias(self) -> str:
        if self.decided is None:
            self.decided = REPLICA if self._may_read_replica() else PRIMARY
        return self.decided

    def _may_read_replica(self) -> bool:
        request = self.request
        if request.method not in SAFE_METHODS:
            return False
        match = getattr(request, "resolver_match", None)
        if match is None or not match.namespaces or match.namespaces[0] not in REPLICA_NAMESPACES:
            return False
        if match.view_name in PRIMARY_VIEWS or request.COOKIES.get(STICKY_COOKIE):
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated and cache.get(_sticky_key(user.pk)))


# What the data is read from in this thread or task: an alias, or the request's decision.
_reads: contextvars.ContextVar[str | _RequestReads] = contextvars.ContextVar(
    "database_reads", default=PRIMARY
)


def reading_alias() -> str:
    """The alias the data is read from here and now (for raw SQL)."""
    reads = _reads.get()
    return reads if isinstance(reads, str) else reads.alias()


class ReplicaRouter:
    """Django's database router: the data's reads where the request's decision says, every
    other read and every write on the primary, migrations on the primary only."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if model._meta.app_label in REPLICA_APPS:
            return reading_alias()
        return PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # A request that writes reads its own writes: from the primary from here on.
        if _reads.get() != PRIMARY:
            _reads.set(PRIMARY)
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows: an object read from one may point to the other's.
        aliases = {PRIMARY, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == PRIMARY


class ReplicaReads:
    """Sets where the request reads the data from, and marks a client that writes so that its
    next requests, for settings.REPLICA_STICKY_SECONDS, read from the primary. Does nothing
    without a replica (settings.REPLICA_READS off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.REPLICA_READS:
            return self.get_response(request)
        token = _reads.set(_RequestReads(request))
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if request.method not in SAFE_METHODS:
            self._mark_writer(request, response)
        return response

    @staticmethod
    def _mark_writer(request: HttpRequest, response: HttpResponse) -> None:
        seconds: int = settings.REPLICA_STICKY_SECONDS
        if seconds <= 0:
            return
        response.set_cookie(
            STICKY_COOKIE,
            "1",
            max_age=seconds,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            cache.set(_sticky_key(user.pk), True, timeout=seconds)
