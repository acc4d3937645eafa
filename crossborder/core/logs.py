"""Log lines as JSON, each with the id of the request it was written in.

The request id comes from the proxy's `X-Request-ID` when it sends a plausible one (so the proxy's
log, gunicorn's access log and ours name the request alike), else it is made here; the response
carries it back (crossborder.middleware.RequestId). A line holds the time, the level, the logger,
the message and the request id: never the request's query string or body, which may name a
jobseeker, and nothing a log handler adds by itself.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

# The id of the request being served in this thread or task, "" outside any request.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What an id from outside may look like: a proxy's UUID or hex id, never free text in our logs.
_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def request_id_from(header: str | None) -> str:
    """The request's id: the proxy's when it is plausible, else a new one."""
    if header and _PLAUSIBLE_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in (`request_id`): while the
    request is served, or, for the lines Django writes about its response once the middleware
    has returned ("Not Found: ...", "Forbidden: ..."), the id the request was given
    (crossborder.middleware.RequestId), read from the request they carry."""

    def filter(self, record: logging.LogRecord) -> bool:
        served = getattr(record, "request", None)
        record.request_id = request_id.get() or str(getattr(served, "request_id", ""))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, and the
    exception's traceback when there is one (but for a request refused with a 4xx)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        # Django's line about a refused request (403, 404) carries the exception that refused
        # it: a routine answer, whose traceback would be forty lines of noise a request.
        if record.exc_info and getattr(record, "status_code", 500) >= 500:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
