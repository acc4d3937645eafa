"""The read replica's router: which database a request reads the data from.

The replica here is the test database's mirror (settings_test: TEST MIRROR), a second connection
to the same database; so a test that reads through it commits its data (transaction=True) and
sees which connection ran which statement. tests/test_replica.py does the same against a real
streaming replica in CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actions.models import Action
from crossborder import db_router
from crossborder.core import dataversion
from crossborder.db_router import PRIMARY, REPLICA, STICKY_COOKIE, ReplicaRouter
from tests.factories import ActionFactory, ProjectFactory, ProjectPartnerFactory

BOTH = ["default", "replica"]
ACTION_TABLE = f'"{Action._meta.db_table}"'
VERSION_TABLE = dataversion.TABLE

replica_db = pytest.mark.django_db(transaction=True, databases=BOTH)


def _mirrors_the_primary() -> bool:
    primary, replica = (connections[alias].settings_dict for alias in (PRIMARY, REPLICA))
    return all(primary.get(key) == replica.get(key) for key in ("ENGINE", "HOST", "PORT"))


pytestmark = pytest.mark.skipif(
    not _mirrors_the_primary(),
    reason="DATABASE_REPLICA_URL names a real replica: these tests need the test database's "
    "mirror (run them without it; tests/test_replica.py runs with it)",
)


@pytest.fixture(autouse=True)
def _replica_reads() -> Iterator[None]:
    with override_settings(REPLICA_READS=True, REPLICA_STICKY_SECONDS=10):
        cache.clear()
        yield
        cache.clear()
    # A mirror's connection is not closed by the test runner: closed here, so that the test
    # database can be dropped at the end of the run.
    connections[REPLICA].close()


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    ActionFactory(project=project, title="Job day Kortrijk").organisers.add(vdab)
    return project


class Reads:
    """The statements each database ran while a request was served."""

    def __init__(self) -> None:
        self.by_alias: dict[str, list[str]] = {}

    def of_actions(self, alias: str) -> int:
        """How many statements of that database read the actions' table or the data version
        (all an API page served from its cache reads)."""
        return sum(ACTION_TABLE in sql or VERSION_TABLE in sql for sql in self.by_alias[alias])


@contextlib.contextmanager
def reads() -> Iterator[Reads]:
    captured = Reads()
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        yield captured
    captured.by_alias = {
        PRIMARY: [q["sql"] for q in primary.captured_queries],
        REPLICA: [q["sql"] for q in replica.captured_queries],
    }


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@replica_db
def test_a_report_page_reads_the_data_from_the_replica(partner_vdab, project):
    client = signed_in(partner_vdab)
    with reads() as seen:
        response = client.get("/actions/")

    assert response.status_code == 200
    assert "Job day Kortrijk" in response.content.decode()
    assert seen.of_actions(REPLICA) >= 1
    assert seen.of_actions(PRIMARY) == 0
    # The session and the user are the primary's, whatever the replica's lag.
    assert any('"django_session"' in sql for sql in seen.by_alias[PRIMARY])
    assert not any('"django_session"' in sql for sql in seen.by_alias[REPLICA])
    assert STICKY_COOKIE not in response.cookies


@replica_db
def test_an_api_list_reads_from_the_replica(partner_vdab, project):
    client = signed_in(partner_vdab)
    with reads() as seen:
        response = client.get("/api/v1/actions/")

    assert response.status_code == 200
    assert [a["title"] for a in response.json()["results"]] == ["Job day Kortrijk"]
    assert seen.of_actions(REPLICA) >= 1
    assert seen.of_actions(PRIMARY) == 0
    # The API's page cache is keyed by the version of the data the page was read from.
    assert any(VERSION_TABLE in sql for sql in seen.by_alias[REPLICA])
    assert not any(VERSION_TABLE in sql for sql in seen.by_alias[PRIMARY])


@replica_db
def test_a_post_and_its_answer_use_the_primary_and_the_writer_reads_from_it_next(
    coordinator, partner_vdab, project, pole_emploi
):
    client = signed_in(coordinator)
    action = {
        "project": "grenzeloos-tewerkstellen",
        "action_type": "guidance_cohort",
        "title_en": "Guidance cohort Ieper",
        "start_date": "2019-01-07",
        "end_date": "2019-04-05",
        "status": "planned",
        "organisers": ["vdab"],
    }
    with reads() as wrote:
        response = client.post("/api/v1/actions/", action, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "Guidance cohort Ieper"
    assert wrote.by_alias[REPLICA] == []
    assert wrote.of_actions(PRIMARY) >= 1
    assert response.cookies[STICKY_COOKIE]["max-age"] == 10
    assert response.cookies[STICKY_COOKIE]["httponly"]

    # The same browser, carrying the cookie: its next read is the primary's.
    with reads() as next_read:
        listed = client.get("/api/v1/actions/")
    assert "Guidance cohort Ieper" in [a["title"] for a in listed.json()["results"]]
    assert next_read.of_actions(PRIMARY) >= 1
    assert next_read.by_alias[REPLICA] == []

    # The same user from another client (an API token, no cookie): marked in the cache.
    other_client = APIClient()
    other_client.force_authenticate(coordinator)
    with reads() as token_read:
        other_client.get("/api/v1/actions/")
    assert token_read.of_actions(PRIMARY) >= 1
    assert token_read.by_alias[REPLICA] == []

    # Another user, who did not write, reads from the replica.
    with reads() as others_read:
        signed_in(partner_vdab).get("/api/v1/actions/")
    assert others_read.of_actions(REPLICA) >= 1
    assert others_read.of_actions(PRIMARY) == 0


@replica_db
def test_after_the_sticky_seconds_the_writer_reads_from_the_replica_again(coordinator, project):
    client = signed_in(coordinator)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert STICKY_COOKIE in response.cookies
    # What the browser does once the cookie's max-age has passed, and the cache's mark expired.
    client.cookies.pop(STICKY_COOKIE)
    cache.clear()

    with reads() as seen:
        client.get("/api/v1/actions/")

    assert seen.of_actions(REPLICA) >= 1
    assert seen.of_actions(PRIMARY) == 0


@replica_db
def test_the_admin_reads_from_the_primary(coordinator, project):
    client = signed_in(coordinator)
    with reads() as seen:
        response = client.get("/admin/actions/action/")

    assert response.status_code == 200
    assert seen.of_actions(PRIMARY) >= 1
    assert seen.by_alias[REPLICA] == []


@replica_db
def test_the_login_page_and_healthz_read_from_the_primary(client, project):
    with reads() as seen:
        assert client.get("/accounts/login/").status_code == 200
        assert client.get("/healthz").status_code == 200
    # /healthz checks the replica itself (SELECT 1), and reads nothing else there.
    assert seen.by_alias[REPLICA] == ["SELECT 1"]


@replica_db
def test_an_anonymous_request_is_refused_without_reading_the_data(client, project):
    with reads() as seen:
        assert client.get("/api/v1/actions/").status_code in (401, 403)
    assert seen.of_actions(REPLICA) == 0
    assert seen.of_actions(PRIMARY) == 0


@replica_db
def test_without_a_replica_everything_reads_from_the_primary(partner_vdab, project):
    client = signed_in(partner_vdab)
    with override_settings(REPLICA_READS=False), reads() as seen:
        response = client.get("/actions/")
        posted = client.post("/i18n/setlang/", {"language": "en"})

    assert response.status_code == 200
    assert seen.by_alias[REPLICA] == []
    assert seen.of_actions(PRIMARY) >= 1
    assert STICKY_COOKIE not in posted.cookies


@override_settings(REPLICA_STICKY_SECONDS=0)
@replica_db
def test_no_sticky_seconds_sets_no_mark(coordinator):
    response = signed_in(coordinator).post("/i18n/setlang/", {"language": "en"})
    assert STICKY_COOKIE not in response.cookies
    assert cache.get(f"db-router:wrote:{coordinator.pk}") is None


def test_outside_a_request_everything_is_the_primarys():
    router = ReplicaRouter()
    assert db_router.reading_alias() == PRIMARY
    assert router.db_for_read(Action) == PRIMARY
    assert router.db_for_write(Action) == PRIMARY


def test_a_write_in_a_read_only_request_turns_its_reads_to_the_primary():
    router = ReplicaRouter()
    token = db_router._reads.set(REPLICA)
    try:
        assert router.db_for_read(Action) == REPLICA
        assert router.db_for_write(Action) == PRIMARY
        # Read its own write.
        assert router.db_for_read(Action) == PRIMARY
    finally:
        db_router._reads.reset(token)


def test_only_the_products_data_may_be_read_from_the_replica():
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    router = ReplicaRouter()
    token = db_router._reads.set(REPLICA)
    try:
        assert router.db_for_read(Session) == PRIMARY
        assert router.db_for_read(User) == PRIMARY
        assert router.db_for_read(Action) == REPLICA
    finally:
        db_router._reads.reset(token)


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate(PRIMARY, "actions") is True
    assert router.allow_migrate(REPLICA, "actions") is False


ROOT = Path(__file__).resolve().parent.parent


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_REPLICA_URL"}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, crossborder.settings as s; print(json.dumps({"
            "'aliases': sorted(s.DATABASES), 'reads': s.REPLICA_READS,"
            "'replica': s.DATABASES.get('replica'), 'sticky': s.REPLICA_STICKY_SECONDS}))",
        ],
        cwd=ROOT,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        check=True,
    )


def test_a_replica_url_makes_the_replica_alias_like_the_primarys():
    settings_of = json.loads(
        _settings_with(
            DATABASE_REPLICA_URL="postgres://reader:secret@replica.internal:5433/crossborder",
            REPLICA_STICKY_SECONDS="30",
        ).stdout
    )

    assert settings_of["aliases"] == ["default", "replica"]
    assert settings_of["reads"] is True
    assert settings_of["sticky"] == 30
    replica = settings_of["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"], replica["USER"]) == (
        "replica.internal",
        5433,
        "crossborder",
        "reader",
    )
    assert replica["OPTIONS"]["options"] == "-c jit=off"
    assert replica["CONN_MAX_AGE"] == 60


def test_without_a_replica_url_one_database():
    settings_of = json.loads(_settings_with().stdout)
    assert settings_of["aliases"] == ["default"]
    assert settings_of["reads"] is False
