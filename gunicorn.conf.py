"""gunicorn's settings for Crossborder (read by `gunicorn -c gunicorn.conf.py`, and by default
from the directory gunicorn starts in).

The access log keeps no query string and no referrer: a search in the admin (`?q=...`) or a
filter may name a jobseeker, and a log line is out of reach of erasure and retention. It keeps
the client's address, the time, the method, the path, the protocol, the status, the size, the
duration and the user agent. Paths carry ids only, never a name or a reference (README,
Production)."""

# %(U)s is the path without its query string; %(r)s (the request line), %(q)s (the query string)
# and %(f)s (the referrer, itself a URL with its query string) are left out on purpose.
# The last field is the request's id (the response's X-Request-ID), which the application's own log
# lines carry too.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
)

# The longest request line gunicorn takes (its most; its default is 4,094 bytes): a partner
# asking for the outcomes of many actions by reference (`?action=...`) sends a long query
# string. Longer ones are refused with 414 before the application reads them.
limit_request_line = 8190


# /metrics with several workers (crossborder/monitoring.py): with PROMETHEUS_MULTIPROC_DIR set,
# each worker writes its counters to files there and a scrape adds up every worker's. The files
# of an earlier run are removed at start, and a worker that exits is marked dead so that its
# live figures (none yet: counters and histograms only) stop counting.
def on_starting(server):
    import os
    from pathlib import Path

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
