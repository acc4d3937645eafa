"""Reads through a real PostgreSQL streaming replica (DATABASE_REPLICA_URL).

`.ci/replica` (run by .ci/run) starts a primary and its replica and runs this file alone against
them. The databases are used as they are, not test databases: pytest-django cannot create a test
database on a replica, which only replays its primary. So each test names what it makes after a
fresh suffix, and the databases are thrown away after the run.

tests/test_router.py checks the same decisions on the test database's mirror, in the suite.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from actions.models import Action
from crossborder.db_router import PRIMARY, REPLICA
from projects.roles import COORDINATOR, PARTNER
from tests.factories import (
    MembershipFactory,
    PesFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_REPLICA_URL"),
    reason="needs a PostgreSQL streaming replica in DATABASE_REPLICA_URL (.ci/replica starts one)",
)

ACTION_TABLE = f'"{Action._meta.db_table}"'
# How long the replica may take to replay a write here (milliseconds on one machine).
CATCH_UP_SECONDS = 30


def _one(alias: str, sql: str, params: list[object] | None = None) -> object:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


@pytest.fixture
def real_databases(django_db_blocker) -> Iterator[None]:
    primary, replica = (connections[a].settings_dict for a in (PRIMARY, REPLICA))
    if (primary["HOST"], primary["PORT"], primary["NAME"]) == (
        replica["HOST"],
        replica["PORT"],
        replica["NAME"],
    ):
        pytest.skip("the replica is the suite's mirror of the primary here: run this file alone")
    with django_db_blocker.unblock(), override_settings(REPLICA_READS=True):
        yield
        connections.close_all()


def _user(role: str, organisation, name: str):
    user = UserFactory(username=name)
    user.groups.add(Group.objects.get(name=role))
    MembershipFactory(user=user, organisation=organisation)
    return user


def _wait_for_replay() -> float:
    """Seconds until the replica has replayed everything the primary wrote so far."""
    target = _one(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    started = time.monotonic()
    while time.monotonic() - started < CATCH_UP_SECONDS:
        if _one(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay the primary's writes in {CATCH_UP_SECONDS}s")


def test_the_replica_is_a_streaming_copy_in_recovery(real_databases):
    assert _one(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _one(PRIMARY, "SELECT pg_is_in_recovery()") is False
    # Fed by the primary's WAL sender.
    assert _one(PRIMARY, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1


def test_a_write_on_the_primary_is_read_through_the_replica(real_databases):
    suffix = uuid.uuid4().hex[:8]
    pes = PesFactory(slug=f"vdab-{suffix}", name=f"VDAB {suffix}")
    project = ProjectFactory(slug=f"replica-{suffix}")
    ProjectPartnerFactory(project=project, organisation=pes)
    coordinator = _user(COORDINATOR, pes, f"coordinator-{suffix}")
    partner = _user(PARTNER, pes, f"partner-{suffix}")
    title = f"Job day Kortrijk {suffix}"

    # The write and its answer: the primary's.
    writer = APIClient()
    writer.force_login(coordinator)
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = writer.post(
            "/api/v1/actions/",
            {
                "project": project.slug,
                "action_type": "jobdating",
                "title_en": title,
                "start_date": "2019-03-14",
                "status": "completed",
                "organisers": [pes.slug],
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == title
    assert replica.captured_queries == []
    assert any(ACTION_TABLE in q["sql"] for q in primary.captured_queries)

    # The writer's next read, at once: the primary's, so it sees its write whatever the lag.
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        mine = writer.get(f"/api/v1/actions/?project={project.slug}")
    assert [a["title"] for a in mine.json()["results"]] == [title]
    assert replica.captured_queries == []

    # Another user's reads come from the replica once it has replayed the write.
    lag = _wait_for_replay()
    assert lag < CATCH_UP_SECONDS
    reader = APIClient()
    reader.force_login(partner)
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        listed = reader.get(f"/api/v1/actions/?project={project.slug}")
        report = reader.get(f"/api/v1/reports/outcomes/?project={project.slug}")
        page = reader.get(f"/actions/?project={project.slug}")

    assert listed.status_code == 200
    assert [a["title"] for a in listed.json()["results"]] == [title]
    assert report.status_code == 200, report.content[:500]
    assert page.status_code == 200
    assert title in page.content.decode()
    read_on_replica = [q["sql"] for q in replica.captured_queries]
    assert sum(ACTION_TABLE in sql for sql in read_on_replica) >= 3
    assert not any(ACTION_TABLE in q["sql"] for q in primary.captured_queries)
    # The replica is read-only: what was read there cannot have been written there.
    assert _one(REPLICA, "SELECT pg_is_in_recovery()") is True


def test_healthz_checks_the_real_replica(real_databases):
    response = APIClient().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["replica"] == "ok"
