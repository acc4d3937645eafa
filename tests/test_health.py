"""/healthz: 200 when the database and the cache answer, 503 naming the part that failed; no
login, nothing cached, no data and no error message in the answer."""

from __future__ import annotations

import time

import pytest
from django.db import connections
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthy_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.usefixtures("redis_down")
def test_503_naming_the_cache_when_redis_is_down(client):
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


# The read replica and the task broker, each checked only when configured.

REDIS_BROKER = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    redis = pytest.importorskip("redis")
    try:
        return bool(redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _mirrors_the_primary() -> bool:
    primary, replica = (connections[alias].settings_dict for alias in ("default", "replica"))
    return all(primary.get(key) == replica.get(key) for key in ("ENGINE", "HOST", "PORT"))


# The replica's tests run on the test database's mirror; tests/test_replica.py checks /healthz
# against a real replica.
on_the_mirror = pytest.mark.skipif(
    not _mirrors_the_primary(), reason="DATABASE_REPLICA_URL names a real replica"
)


@pytest.fixture
def replica_closed_after():
    """The replica's connection closed after the test: the test database can then be dropped
    at the end of the run (a mirror's connection is not closed by the test runner)."""
    yield
    connections["replica"].close()


def test_no_replica_nor_broker_checked_when_none_is_configured(client):
    with override_settings(REPLICA_READS=False, CELERY_BROKER_URL=""):
        response = client.get("/healthz")
    assert set(response.json()["checks"]) == {"database", "cache"}


@on_the_mirror
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_replica_is_checked_when_configured(client, replica_closed_after):
    with override_settings(REPLICA_READS=True):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "replica": "ok", "cache": "ok"},
    }


@on_the_mirror
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_503_naming_the_replica_when_it_is_down(client, replica_closed_after):
    # A connection of its own in the replica's place for the request, the test's put back after.
    kept = connections["replica"]
    down = connections.create_connection("replica")
    if down.vendor == "postgresql":
        # A port on which nothing listens.
        down.settings_dict = {**kept.settings_dict, "HOST": "127.0.0.1", "PORT": "1"}
    else:
        down.settings_dict = {**kept.settings_dict, "NAME": "/nonexistent-directory/r.sqlite3"}
    connections["replica"] = down
    try:
        with override_settings(REPLICA_READS=True):
            response = client.get("/healthz")
    finally:
        connections["replica"] = kept
        down.close()

    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "checks": {"database": "ok", "replica": "failed: OperationalError", "cache": "ok"},
    }
    assert "nonexistent" not in response.content.decode()


def test_the_broker_is_checked_when_configured(client):
    if not _redis_answers():
        pytest.skip(f"no Redis at {REDIS_BROKER} (CI runs one)")
    with override_settings(CELERY_BROKER_URL=REDIS_BROKER):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.parametrize(
    ("broker", "error"),
    [
        ("redis://127.0.0.1:1/0", "failed: ConnectionError"),
        ("amqp://guest:guest@127.0.0.1:1//", "failed: OperationalError"),
    ],
)
def test_503_naming_the_broker_when_it_is_down(client, broker, error):
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=broker):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "checks": {"database": "ok", "cache": "ok", "broker": error},
    }
    assert "guest" not in response.content.decode()
    # A short timeout: the load balancer's check is answered, not left waiting.
    assert time.monotonic() - started < 10
