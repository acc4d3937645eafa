"""/metrics: Prometheus's format, for a bearer of METRICS_TOKEN or an address of
METRICS_ALLOWED_IPS only; requests by view, statements by database, jobs by state, the broker's
queue; nothing that names a user or a record."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import override_settings
from prometheus_client import CollectorRegistry, generate_latest, multiprocess

from crossborder.jobs.models import Job, JobKind, JobState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
REDIS_BROKER = "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parent.parent


def scrape(client, **headers) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def value(text: str, sample: str) -> float:
    """The value of one sample line, e.g. `crossborder_jobs{kind="import",state="failed"}`."""
    for line in text.splitlines():
        if line.startswith(f"{sample} "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no sample {sample}")


@pytest.mark.parametrize("headers", [{}, BEARER, {"REMOTE_ADDR": "127.0.0.1"}])
def test_off_without_a_token_or_addresses(client, headers):
    with override_settings(METRICS_TOKEN="", METRICS_ALLOWED_IPS=[]):
        response = client.get("/metrics", **headers)
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": f"Token {TOKEN}"},
        {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}x"},
        {"HTTP_AUTHORIZATION": "Bearer"},
    ],
)
def test_refused_without_the_token(client, headers):
    with override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_IPS=[]):
        response = client.get("/metrics", **headers)
    assert response.status_code == 403
    assert response.content == b""


def test_a_signed_in_superuser_is_no_scraper(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    with override_settings(METRICS_TOKEN=TOKEN, METRICS_ALLOWED_IPS=[]):
        assert client.get("/metrics").status_code == 403


@pytest.mark.parametrize(
    ("address", "forwarded", "status"),
    [
        ("10.1.2.3", "", 200),
        ("127.0.0.1", "", 200),
        ("192.168.1.9", "", 403),
        # Without trusted proxies a client's X-Forwarded-For is not believed.
        ("192.168.1.9", "10.1.2.3", 403),
        ("", "", 403),
    ],
)
def test_by_address(client, address, forwarded, status):
    with override_settings(
        METRICS_TOKEN="", METRICS_ALLOWED_IPS=["10.0.0.0/8", "127.0.0.1"], TRUSTED_PROXY_COUNT=0
    ):
        response = client.get("/metrics", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == status


def test_behind_a_trusted_proxy_the_client_address_counts(client):
    with override_settings(
        METRICS_TOKEN="", METRICS_ALLOWED_IPS=["10.0.0.0/8"], TRUSTED_PROXY_COUNT=1
    ):
        allowed = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.7")
        refused = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert (allowed.status_code, refused.status_code) == (200, 403)


@override_settings(METRICS_TOKEN=TOKEN)
def test_requests_latencies_and_statements_by_view(client):
    before = scrape(client, **BEARER)
    sample = 'crossborder_http_requests_total{method="GET",status="200",view="healthz"}'
    count_before = value(before, sample) if sample in before else 0.0

    for _ in range(3):
        assert client.get("/healthz?who=jane.doe").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    text = scrape(client, **BEARER)

    assert value(text, sample) == count_before + 3
    assert (
        value(text, 'crossborder_http_requests_total{method="GET",status="404",view="unresolved"}')
        >= 1
    )
    assert (
        value(text, 'crossborder_http_request_duration_seconds_count{method="GET",view="healthz"}')
        >= 3
    )
    assert 'crossborder_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    # /healthz runs SELECT 1 on the primary each time.
    assert value(text, 'crossborder_db_queries_total{alias="default",view="healthz"}') >= 3
    # No query string, user or record in a label.
    assert "jane.doe" not in text
    assert "no-such-page" not in text


@override_settings(METRICS_TOKEN=TOKEN)
def test_jobs_by_kind_and_state(client):
    for state in (JobState.QUEUED, JobState.FAILED, JobState.FAILED):
        Job.objects.create(kind=JobKind.IMPORT, title="Import of participations", state=state)
    Job.objects.create(kind=JobKind.RETENTION, title="Retention run", state=JobState.DONE)

    text = scrape(client, **BEARER)

    assert value(text, 'crossborder_jobs{kind="import",state="failed"}') == 2
    assert value(text, 'crossborder_jobs{kind="import",state="queued"}') == 1
    assert value(text, 'crossborder_jobs{kind="retention",state="done"}') == 1
    assert "Import of participations" not in text


@override_settings(METRICS_TOKEN=TOKEN)
def test_no_jobs_no_queue_without_a_broker(client):
    with override_settings(CELERY_BROKER_URL=""):
        text = scrape(client, **BEARER)
    assert "crossborder_jobs{" not in text
    assert "crossborder_task_queue_length{" not in text


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_queue_length_of_a_redis_broker(client):
    redis = pytest.importorskip("redis")
    broker = redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1)
    try:
        broker.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_BROKER} (CI runs one)")
    queue = f"metrics-test-{uuid.uuid4().hex}"
    broker.rpush(queue, "task-1", "task-2")
    try:
        with override_settings(CELERY_BROKER_URL=REDIS_BROKER, CELERY_TASK_DEFAULT_QUEUE=queue):
            text = scrape(client, **BEARER)
    finally:
        broker.delete(queue)
    assert value(text, f'crossborder_task_queue_length{{queue="{queue}"}}') == 2


@override_settings(METRICS_TOKEN=TOKEN)
def test_a_broker_down_leaves_out_its_queue_only(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        text = scrape(client, **BEARER)
    assert "crossborder_task_queue_length{" not in text
    assert "crossborder_http_requests_total" in text


def test_workers_add_up_in_multiprocess_mode(tmp_path):
    """Two processes (two gunicorn workers) count into PROMETHEUS_MULTIPROC_DIR; a scrape of
    either reads the sum."""
    script = (
        "import django; django.setup()\n"
        "from crossborder.monitoring import REQUESTS\n"
        "REQUESTS.labels(view='reports:overview', method='GET', status='200').inc(2)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings_test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    text = generate_latest(registry).decode()

    assert (
        value(
            text,
            'crossborder_http_requests_total{method="GET",status="200",view="reports:overview"}',
        )
        == 4
    )


# What any process counts: a statement run, a request served.
COUNT_ONE = (
    "from crossborder.monitoring import REQUESTS;"
    " REQUESTS.labels(view='none', method='GET', status='200').inc()"
)


@pytest.mark.parametrize(
    "command",
    [
        # A command (cron's purge_import_previews every ten minutes) ...
        [sys.executable, "manage.py", "shell", "-c", f"{COUNT_ONE}"],
        # ... and a Celery worker or beat, given the web's environment as the docs say.
        [
            sys.executable,
            "-c",
            "import sys; sys.argv = ['/srv/.venv/bin/celery']; import crossborder, django;"
            f" django.setup(); {COUNT_ONE}",
        ],
    ],
    ids=["manage.py", "celery"],
)
def test_only_gunicorn_s_workers_count_into_the_metrics_directory(tmp_path, command):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings_test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)

    assert list(tmp_path.iterdir()) == []


def test_a_malformed_allowed_address_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import crossborder.settings"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "METRICS_ALLOWED_IPS": "10.0.0.0/8,intranet"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "METRICS_ALLOWED_IPS: 'intranet' is not an address or a network" in result.stderr


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_database_down_leaves_out_the_jobs_only(client, monkeypatch):
    from django.db import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused by host db1")

    monkeypatch.setattr(Job.objects, "values", refuse)
    text = scrape(client, **BEARER)

    assert "crossborder_jobs" not in text
    assert "crossborder_http_requests_total" in text
    assert "db1" not in text
