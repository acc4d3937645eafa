"""Log lines: JSON with the request's id, which the response gives back; the proxy's id kept
when plausible, replaced when not; no query string in the lines of a request; a Celery process
that stops says why in one line."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import path

from crossborder.core.logs import JsonFormatter, RequestIdFilter, request_id, request_id_from

pytestmark = pytest.mark.django_db

logger = logging.getLogger("crossborder.tests.logs")
ROOT = Path(__file__).resolve().parent.parent


def _logging_view(request):
    from django.http import HttpResponse

    logger.warning("seen")
    return HttpResponse("ok")


urlpatterns = [path("logged/", _logging_view)]


def _line(record: logging.LogRecord) -> dict:
    if not hasattr(record, "request_id"):
        RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


@override_settings(ROOT_URLCONF=__name__)
def test_a_line_written_in_a_request_carries_its_id_and_the_response_gives_it(client, caplog):
    caplog.set_level(logging.WARNING, logger="crossborder.tests.logs")
    # As the console handler of the settings does: the id is read when the line is written.
    caplog.handler.addFilter(RequestIdFilter())
    response = client.get("/logged/?q=Janssens")

    given = response["X-Request-ID"]
    assert len(given) == 32
    [record] = [r for r in caplog.records if r.name == "crossborder.tests.logs"]
    line = _line(record)
    assert line["request_id"] == given
    assert line["message"] == "seen"
    assert line["level"] == "WARNING"
    assert line["logger"] == "crossborder.tests.logs"
    assert line["time"].endswith("+00:00")
    # The query string (a search may name a person) is not in the line.
    assert "Janssens" not in json.dumps(line)


def test_django_s_line_about_a_refused_request_carries_its_id(client, caplog):
    # Written once the middleware has returned: read from the request the line carries.
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/nowhere/?q=Janssens")

    assert response.status_code == 404
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = _line(record)
    assert line["message"] == "Not Found: /nowhere/"
    assert line["request_id"] == response["X-Request-ID"]


def test_a_request_refused_is_one_line_without_a_traceback(client, stranger, caplog):
    client.force_login(stranger)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/reports/year/2017/")

    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    line = _line(record)
    assert line["message"] == "Forbidden (Permission denied): /reports/year/2017/"
    assert "exception" not in line


@override_settings(ROOT_URLCONF=__name__)
def test_the_proxy_s_id_is_kept(client):
    response = client.get(
        "/logged/", headers={"X-Request-ID": "0f3c9a2e-77aa-4b1e-9d2f-1c2b3a4d5e6f"}
    )

    assert response["X-Request-ID"] == "0f3c9a2e-77aa-4b1e-9d2f-1c2b3a4d5e6f"


@pytest.mark.parametrize(
    "header",
    ["", "short", "has spaces in it", "name=Janssens;", "x" * 65, "<script>alert(1)</script>"],
)
def test_an_implausible_id_is_replaced(header):
    made = request_id_from(header)

    assert made != header
    assert len(made) == 32


def test_outside_a_request_the_id_is_empty():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)

    assert request_id.get() == ""
    assert _line(record)["request_id"] == ""
    assert _line(record)["message"] == "plain text"


def test_an_exception_is_kept_with_its_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = _line(record)
    assert "ValueError: broken" in line["exception"]


def test_a_task_run_without_a_broker_logs_no_warning(caplog):
    """Without a broker a task runs in the caller (make run, the tests); Celery still opens a
    producer's connection for it, which warned "No hostname was supplied" for every write whose
    commit sends a task, such as each import from the command line."""
    from crossborder.celery import app

    caplog.set_level(logging.WARNING)
    assert app.conf.task_always_eager
    with app.connection_for_write() as connection:
        assert connection.as_uri().startswith("memory://")

    assert [record.getMessage() for record in caplog.records] == []


def test_a_beat_that_cannot_start_says_why_in_a_few_json_lines(tmp_path):
    """Celery's redirect of stderr into its logger made the traceback of a beat whose schedule
    cannot be written 1,600 JSON lines, a caret or a few spaces each: now every line on stderr
    is a log record, and the exception that stopped it is one of them, whole."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crossborder.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-test-key-" * 5,
        "PSEUDONYM_KEY": "a-test-pseudonym-key",
        "ALLOWED_HOSTS": "localhost",
        "LOG_FORMAT": "json",
        # Beat stops before it sends anything: no broker needed.
        "CELERY_BROKER_URL": "",
    }
    schedule = tmp_path / "missing" / "celerybeat-schedule"
    command = [sys.executable, "-m", "celery", "-A", "crossborder", "beat", "--schedule"]
    stopped = subprocess.run(
        [*command, str(schedule)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert stopped.returncode != 0
    lines = [json.loads(line) for line in stopped.stderr.splitlines()]
    assert len(lines) < 10
    assert [line for line in lines if line["logger"] == "celery.redirected"] == []
    (why,) = [line for line in lines if line["logger"] == "crossborder.celery"]
    assert why["level"] == "CRITICAL"
    assert "FileNotFoundError" in why["exception"]
