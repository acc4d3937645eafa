"""The Celery app: background work on a queue (crossborder/jobs/tasks.py).

Configured from the Django settings whose names start with CELERY_ (settings.py, "Background
work"). With CELERY_BROKER_URL set (Redis, or RabbitMQ), pages send long work to the broker and
`celery -A crossborder worker` runs it; without it, every task runs at once in the process that
sends it (task_always_eager), so `make run` and `make test` need no broker.

The request id of the page that sent a task travels in the message's headers and is the log
context of the task in the worker (crossborder/core/logs.py): a worker's log lines name the
request they come from, and nothing else of it.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from crossborder.core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")


def _log_uncaught(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """An exception that stops a worker or beat, logged as one line (with its traceback) rather
    than printed line by line on stderr, whose other lines are the JSON of the logs."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    logging.getLogger("crossborder.celery").critical(
        "Stopped by an exception nothing caught", exc_info=(kind, error, trace)
    )


# `celery -A crossborder ...`, or `python -m celery -A crossborder ...`.
if Path(sys.argv[0]).name == "celery" or Path(sys.argv[0]).parent.name == "celery":
    # A worker's or beat's counters would be left in gunicorn's metrics directory, a file for
    # every process, and added to the site's: /metrics counts the web, and reads the jobs and
    # the queue from the database and the broker. Before anything imports prometheus_client.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    sys.excepthook = _log_uncaught

app = Celery("crossborder")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The tasks of every installed app (crossborder.jobs.tasks).
app.autodiscover_tasks()


@app.on_after_configure.connect
def _eager_without_broker(sender: Celery, **_kwargs: Any) -> None:
    # Without a broker every task runs eagerly and no message is sent; Celery still prepares a
    # producer, which then uses the in-process transport rather than looking for one on
    # localhost. Named with a host: without one kombu logs a warning for every write whose
    # commit sends a task (an import from the command line, a page's save).
    if not sender.conf.broker_url:
        sender.conf.broker_url = "memory://localhost/"


HEADER = "request_id"
# The log context each running task set, to be put back when it ends (by task id).
_tokens: dict[str, Any] = {}


@before_task_publish.connect
def _carry_request_id(headers: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    current = logs.request_id.get()
    if headers is not None and current:
        headers[HEADER] = current


@task_prerun.connect
def _enter_request_id(task_id: str = "", task: Task | None = None, **_kwargs: Any) -> None:
    if task is None:
        return
    carried = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
    # Run eagerly, a task is inside the request, whose id is already the context.
    if carried and not task.request.is_eager:
        _tokens[task_id] = logs.request_id.set(logs.request_id_from(str(carried)))


@task_postrun.connect
def _leave_request_id(task_id: str = "", **_kwargs: Any) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        logs.request_id.reset(token)
