"""A task run by a real Celery worker (`celery -A crossborder worker`, in a subprocess) against
this machine's Redis as broker: the page's process sends the task with its request id, the
worker writes the job's file in the same database and logs under that request id.

The worker reads the test database from another process, so the test runs on PostgreSQL only
(on SQLite the test database lives in the memory of the tests' process): in `.ci/run` it runs
in the second suite, "tests on PostgreSQL", which also starts Redis when none answers and sets
REDIS_REQUIRED, so that there a missing Redis fails the test instead of skipping it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from crossborder.jobs.models import Job, JobKind, JobState
from reports import answers, rollups
from reports.selectors import outcomes
from tests.factories import ActionFactory, JobseekerFactory, ParticipationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
# A database of its own in the machine's Redis (the shared cache's test uses 13), emptied
# before and after.
BROKER_URL = "redis://127.0.0.1:6379/14"
# The shared cache of the worker and of the test's own process, for the reports' answers (its
# own database there, emptied before and after).
CACHE_URL = "redis://127.0.0.1:6379/12"
SHARED_CACHE = {
    "default": {
        "BACKEND": "crossborder.core.cache.SharedCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "crossborder",
    }
}
REQUEST_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
# Seconds for the worker to start and do the job on a busy machine.
TIMEOUT = 60


def _redis() -> Any:
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REDIS_REQUIRED", "").lower() in {"1", "true", "yes"}:
            pytest.fail("REDIS_REQUIRED is set, and no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379 (start it with `redis-server --daemonize yes`)")
    return client


def _database_url() -> str:
    """The test database, as the worker's DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker reads the test database from another process: PostgreSQL only "
            "(DATABASE_URL=postgres://...; CI's second suite)"
        )
    broker = _redis()
    broker.flushdb()
    shared_cache = redis.Redis.from_url(CACHE_URL)
    shared_cache.flushdb()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings_test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "REDIS_URL": CACHE_URL,
        "REPORT_WARM_DELAY_SECONDS": "0",
        "LOG_FORMAT": "json",
        "CONN_MAX_AGE": "0",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crossborder",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log, env
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        broker.flushdb()
        shared_cache.flushdb()


def test_a_real_worker_runs_a_task_sent_through_redis(
    worker: tuple[Path, dict[str, str]],
) -> None:
    log, env = worker
    owner = UserFactory(username="manager-with-a-long-export")
    first = ActionFactory(title="Jobdating Veurne")
    second = ActionFactory(title="Job day Lille")
    # Started as the action list starts it, in another process than the worker's, with the
    # broker configured and inside a request: the job is recorded, and the task sent with the
    # request's id in its headers (crossborder.celery).
    page = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.contrib.auth.models import User\n"
            "from crossborder.core import logs\n"
            "from crossborder.jobs import tasks\n"
            f"logs.request_id.set({REQUEST_ID!r})\n"
            "job = tasks.action_export_start(\n"
            f"    owner=User.objects.get(pk={owner.pk}), action_ids=[{second.pk}, {first.pk}],\n"
            "    export='csv', approved=False, sep=None, back_url='/actions/')\n"
            "print(job.pk)\n",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    job = Job.objects.get(pk=int(page.stdout.split()[-1]))

    deadline = time.monotonic() + TIMEOUT
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()

    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert (job.owner, job.kind, job.state, job.progress, job.message) == (
        owner,
        JobKind.ACTION_EXPORT,
        JobState.DONE,
        100,
        f"{job.result_name} is ready.",
    ), log.read_text()[-3000:]
    rows = bytes(job.result or b"").decode("utf-8-sig").splitlines()
    assert [row.split(",")[1] for row in rows[1:]] == ["Job day Lille", "Jobdating Veurne"]
    done = [json.loads(line) for line in lines if f"Job {job.pk} (action_export) done." in line]
    assert [entry["request_id"] for entry in done] == [REQUEST_ID]


def test_a_real_worker_refreshes_the_rollups_and_makes_the_answers_again(
    worker: tuple[Path, dict[str, str]], vdab: Any
) -> None:
    """A write committed in another process is refreshed by the worker, which then makes the
    answers asked today again (reports.answers.warm): the next reader, here, finds the table
    kept in the shared cache, for the standing's one query."""
    log, env = worker
    action = ActionFactory(title="Jobdating Veurne")
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    rollups.rebuild()
    with override_settings(CACHES=SHARED_CACHE):
        answers._noted.clear()
        asked = outcomes(group_by=["pes"])
        # The write: the action marked in another process, which sends the refresh on commit.
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.db import transaction\n"
                "from reports import rollups\n"
                "with transaction.atomic():\n"
                f"    rollups.mark([{action.pk}])\n",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        deadline = time.monotonic() + TIMEOUT
        while "report answers made again" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        with CaptureQueriesContext(connection) as context:
            again = outcomes(group_by=["pes"])
    assert again == asked and len(context.captured_queries) == 1, context.captured_queries
    made = [
        json.loads(line)["message"]
        for line in log.read_text().splitlines()
        if line.startswith("{") and "report answers made again" in line
    ]
    assert len(made) == 1 and made[0].startswith("report answers made again: 1 made, 0 failed, in")
