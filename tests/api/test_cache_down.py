"""A Redis that does not answer makes the API slower, never refused (crossborder.core.cache):
its throttle counts and its pages are kept nowhere, every request is answered, one warning a
minute says why, and /healthz names the cache. Before, DRF's throttle answered 500 to every API
request while Redis was down."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from crossborder.core import cache as shared_cache
from crossborder.core.cache import SharedCache
from tests.factories import ActionFactory, FigureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_down")]


@pytest.fixture
def actions(vdab):
    made = ActionFactory.create_batch(3, start_date=datetime.date(2018, 3, 1))
    FigureFactory(action=made[0], pes=vdab, value=4)
    return made


def test_every_api_request_is_answered_and_one_warning_says_why(
    client_for, manager, actions, caplog
):
    client = client_for(manager)
    with caplog.at_level(logging.WARNING, logger="crossborder.core.cache"):
        for _again in range(2):
            listed = client.get("/api/v1/actions/?year=2018")
            assert listed.status_code == 200
            assert listed.json()["count"] == 3
            outcomes = client.get("/api/v1/reports/outcomes/?group_by=pes")
            assert outcomes.status_code == 200
            assert outcomes.json()["totals"]["starts"] == 4
    warnings = [r for r in caplog.records if r.name == "crossborder.core.cache"]
    assert [r.getMessage() for r in warnings] == [
        "the cache is not answering (ConnectionError): going on without it"
    ]


def test_a_write_is_read_at_once(client_for, superuser, actions):
    client = client_for(superuser)
    action = actions[0]
    read = client.get(f"/api/v1/actions/{action.pk}/")
    assert read.json()["title_en"] == action.title
    changed = client.patch(
        f"/api/v1/actions/{action.pk}/",
        {"title_en": "Renamed"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200, changed.content
    assert client.get(f"/api/v1/actions/{action.pk}/").json()["title_en"] == "Renamed"


def test_the_dashboards_answer_and_healthz_names_the_cache(manager, actions):
    browser = Client()
    browser.force_login(manager)
    assert browser.get("/").status_code == 200
    health = browser.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["cache"] == "failed: ConnectionError"


def test_what_the_cache_is_asked_finds_and_keeps_nothing():
    assert isinstance(caches["default"], SharedCache)
    cache.set("key", "value", 10)
    assert cache.get("key", "none") == "none"
    assert cache.add("key", "value") is False
    assert cache.get_many(["key"]) == {}
    assert cache.has_key("key") is False
    assert cache.delete("key") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.get_or_set("key", "made") == "made"


def test_redis_is_asked_again_only_seconds_after_it_did_not_answer(monkeypatch):
    backend = caches["default"]
    asked = []
    original = RedisCache.get

    def counted(self, *args, **kwargs):
        asked.append(args[0])
        return original(self, *args, **kwargs)

    clock = [1000.0]
    monkeypatch.setattr(RedisCache, "get", counted)
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: clock[0])
    assert backend.get("first") is None
    # Resting: not asked, so a Redis that answers nothing until its timeout delays one read.
    assert backend.get("second") is None
    clock[0] += shared_cache.RETRY_AFTER
    assert backend.get("third") is None
    assert asked == ["first", "third"]
