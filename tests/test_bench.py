"""A smoke run of the benchmark's functions on a tiny load (the benchmark itself is `make bench`,
never part of the tests)."""

from __future__ import annotations

import http.server
import shutil
import threading
from typing import ClassVar

import pytest

from bench import run
from bench.floor import floor_outcomes
from crossborder.demo import loadgen
from reports.selectors import outcomes

pytestmark = pytest.mark.django_db

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8123/api/v1/actions/?page_size=100
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    17.51ms    3.02ms  48.11ms   86.12%
    Req/Sec   114.32     10.01   140.00     71.00%
  Latency Distribution
     50%   17.01ms
     75%   18.40ms
     90%   20.73ms
     99%   29.12ms
  2283 requests in 10.01s, 91.20MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    228.13
Transfer/sec:      9.11MB
"""


@pytest.fixture
def load() -> None:
    loadgen.generate(loadgen.Scale.for_participations(2000), seed=1, log=lambda message: None)


def test_the_floor_gives_the_report_s_table(load):
    table = outcomes(group_by=["semester", "project", "pes"])
    rows, totals = floor_outcomes()
    keys = ("semester", "project", "pes")
    assert run._comparable(rows, keys) == run._comparable(table.rows, keys)
    assert run._comparable([totals], ()) == run._comparable([table.totals], ())
    assert totals["starts"] > 0


def test_reports_pages_and_import_run_once(load):
    timings = run.bench_reports(runs=1)
    assert [t.name for t in timings] == ["report_full", "report_project_year"]
    assert all(t.floor and t.ratio for t in timings)
    # After a write, once the worker made the answer again: the reader's time and the warm's.
    assert all(len(t.made_again_runs) == len(t.warm_runs) == 1 for t in timings)
    assert timings[0].as_dict()["after_a_write_made_again_median_s"] is not None
    # Where the time made anew goes: its statements, and the rest; a target missed says why.
    assert all(len(t.statement_runs) == 1 and t.statements > 0 for t in timings)
    assert timings[0].as_dict()["statements_median_s"] > 0
    assert "made anew: its statements" in run._format(timings[0])
    missed = run.Timing("report_full", [0.5], statement_runs=[0.3])
    assert run._format(missed).endswith(
        "made anew: its statements 300.0 ms, the rest 200.0 ms"
        " (why: docs/performance.md, 'Still missed, and why')"
    )
    assert "why" not in run._format(run.Timing("report_full", [0.05], statement_runs=[0.03]))
    pages, missing = run.bench_pages(runs=1)
    made_again = {t.name for t in pages if t.made_again_runs and t.warm_runs and t.statements}
    assert made_again == {"overview_page", "year_report_page"} - {m.split(":")[0] for m in missing}
    measured = {t.name for t in pages}
    skipped = {m.split(":")[0] for m in missing}
    assert {"api_list", "api_list_uncached", "api_outcomes"} <= measured | skipped
    # A file refused would raise (CommandError): both imports were written, then rolled back.
    imported, updated = run.bench_import(rows=30, runs=1)
    assert [len(imported.runs), len(updated.runs)] == [1, 1]
    assert loadgen.summary().participations == 2000
    assert imported.as_dict()["target"] == updated.as_dict()["target"] == "under 10 s"
    assert updated.name == "import_participations_updated"


def test_the_breakdowns_by_who_took_part_run_once(load):
    timings = run.bench_personal_reports(runs=1)
    assert [t.name for t in timings] == [
        "report_full_gender_age_band",
        "report_project_year_gender_age_band",
        "report_full_entry_status_education_level",
        "report_project_year_entry_status_education_level",
    ]
    assert all(len(t.runs) == 1 and t.floor and t.ratio for t in timings)
    assert {t.as_dict()["target"] for t in timings} == {
        "within 1.5 x the plain SQL of the same breakdown",
        "under 150 ms",
    }


def test_wrk_report_is_read():
    parsed = run.parse_wrk(WRK_OUTPUT)
    assert parsed["requests_per_s"] == 228.13
    assert parsed["requests"] == 2283
    assert parsed["non_2xx"] == 3
    assert parsed["latency"]["99"] == "29.12ms"


def test_import_files_hold_at_most_5000_rows():
    files = run.import_files(10_000, "2024-03-14")
    assert len(files) == 2
    assert all(data.decode().count("\n") == 5001 for _name, data in files)


def test_the_changed_import_files_hold_the_same_jobseekers_completed():
    ((_name, data),) = run.import_files(2, "2024-03-14", completed_on="2024-03-15")
    header, first, *_rest = data.decode().splitlines()
    row = dict(zip(header.split(","), first.split(","), strict=True))
    assert row["reference"] == "LOAD-IMP-000000"
    assert (row["status"], row["completed_on"]) == ("completed", "2024-03-15")


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with an empty 200 and records its path and token."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_every_request_of_the_uncached_run_asks_for_its_own_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/actions/?page_size=100"
        result = run.run_wrk(url, "abc", duration=1, connections=2, script=run.MISS_SCRIPT)
    finally:
        server.shutdown()
        server.server_close()
    paths = [path for path, _token in _Recorder.seen]
    assert result["requests"] and len(paths) >= result["requests"] > 10
    assert len(set(paths)) == len(paths)
    assert all(path.startswith("/api/v1/actions/?page_size=100&miss=") for path in paths)
    assert {token for _path, token in _Recorder.seen} == {"Token abc"}
    assert len(result["load_average"]) == 2
