"""/healthz: 200 when the database and the cache answer, 503 naming the part that failed; no
login, nothing cached, no data and no error message in the answer."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings

pytestmark = pytest.mark.django_db

# A Redis that is not there: a port on which nothing listens.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_healthy_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_503_naming_the_cache_when_redis_is_down(client):
    pytest.importorskip("redis")
    with override_settings(CACHES=REDIS_DOWN):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "checks": {"database": "ok", "cache": "failed: ConnectionError"},
    }


def test_503_naming_the_database_when_it_fails(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connections["default"].Database.OperationalError("connection refused by host db1")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "failed",
        "checks": {"database": "failed: OperationalError", "cache": "ok"},
    }
    # The error's own message (host names, users) is not given away.
    assert "db1" not in response.content.decode()


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
