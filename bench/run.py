"""`make bench`: the benchmark of issue 7, on the generated load, in one run.

    DATABASE_URL=postgres://... python -m bench.run [--participations 1000000] [--runs 7]

Creates the database when missing, migrates it, generates the load unless the same amount is
already there, then measures (median and worst of several runs, after one warm-up):
- the outcomes report by semester, project and PES over everything, and for one project and one
  year, each beside its floor (bench/floor.py: the same table by hand-written SQL) and the ratio;
- the same report by who took part (PERSONAL_BREAKDOWNS: gender and age band at entry, status at
  entry and education level; every row with the result measures of the follow-ups), over
  everything and for the same project and year, each beside the floor of the same breakdown
  (the jobseekers and, for the age, the actions joined to the records by hand-written SQL);
- the dashboard overview page (Django's test Client, a logged-in manager) beside the time of
  the queries it runs;
- the API list page of 100 actions, from the response cache and built anew, and the outcomes
  endpoint (test Client, token of a manager);
- an import of 10,000 participations through `manage.py import_participations`, and the same
  rows again with every record changed (`--update`), rolled back;
- a bulk push of 5,000 participations by references (POST /api/v1/participations/push/, the
  action by its reference and each jobseeker by its PES and reference), the same push sent
  again (every record unchanged), and with a day each found work (every record changed),
  rolled back;
- the API list page's throughput: gunicorn with 2 workers on loopback, loaded by wrk, on one URL
  (answered from the response cache) and with every request a URL of its own (no cache).
The reports and pages over the rollups are measured making every answer anew (what the targets
are judged on), from the records, and asked again while their answer is kept in the cache
(reports.answers).
Prints every figure against its target and writes them to var/bench.json. It is a benchmark,
not a test: `make test` runs only a small smoke run of these functions (tests/test_bench.py).

The process runs with DEBUG off (no query log, as in production); the variables that needs
(SECRET_KEY, ALLOWED_HOSTS, PSEUDONYM_KEY) are set for this process and its gunicorn only.
"""

from __future__ import annotations

import argparse
import datetime
import io
import itertools
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/crossborder_bench"
BENCH_USER = "load-bench-manager"
IMPORT_ACTION = "LOAD-BENCH-IMPORT"
# tabular.MAX_ROWS: the import takes at most 5,000 rows a file; 10,000 rows are two files.
IMPORT_FILE_ROWS = 5000
PUSH_ACTION = "LOAD-BENCH-PUSH"
PUSH_USER = "load-bench-partner"

# Targets: of the rollups (the reports as they read now) where there is one, else of issue 7.
TARGETS: dict[str, str] = {
    "report_full": "under 100 ms from the rollups",
    "report_project_year": "under 5 ms from the rollups",
    "report_full_gender_age_band": "within 1.5 x the plain SQL of the same breakdown",
    "report_project_year_gender_age_band": "under 150 ms",
    "report_full_entry_status_education_level": "within 1.5 x the plain SQL of the same breakdown",
    "report_project_year_entry_status_education_level": "under 150 ms",
    "overview_page": "under 150 ms from the rollups",
    "year_report_page": "under 300 ms from the rollups",
    "api_list_throughput": "200 req/s or more",
    "api_list_throughput_uncached": "300 req/s or more, every request missing the cache",
    "import_participations": "under 10 s",
    "import_participations_updated": "under 10 s",
    "push_participations": "under 5 s",
    "push_participations_again": "under 5 s",
    "push_participations_changed": "under 5 s",
}


@dataclass
class Timing:
    """Seconds per run of one measurement, and of its floor when it has one."""

    name: str
    runs: list[float]
    floor_runs: list[float] = field(default_factory=list)
    floor_label: str = ""
    note: str = ""
    # The same measurement reading the records themselves (settings.REPORT_ROLLUPS off), in the
    # same run: the path before the rollups.
    raw_runs: list[float] = field(default_factory=list)
    # The same measurement asked again while its answer is kept (reports.answers); the runs
    # above make every answer anew (settings.REPORT_ANSWERS_SECONDS 0).
    kept_runs: list[float] = field(default_factory=list)
    # After a write and the refresh, once the worker made the answers noted again
    # (reports.answers.warm): the reader's time, and the warm's (measure_made_again).
    made_again_runs: list[float] = field(default_factory=list)
    warm_runs: list[float] = field(default_factory=list)
    # Of the runs made anew, the seconds spent in the database (measure_statements): with the
    # rest, the Python around it, where a target's gap lies.
    statement_runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def worst(self) -> float:
        return max(self.runs)

    @property
    def floor(self) -> float | None:
        return statistics.median(self.floor_runs) if self.floor_runs else None

    @property
    def ratio(self) -> float | None:
        return self.median / self.floor if self.floor else None

    @property
    def raw(self) -> float | None:
        return statistics.median(self.raw_runs) if self.raw_runs else None

    @property
    def kept(self) -> float | None:
        return statistics.median(self.kept_runs) if self.kept_runs else None

    @property
    def made_again(self) -> float | None:
        return statistics.median(self.made_again_runs) if self.made_again_runs else None

    @property
    def warm(self) -> float | None:
        return statistics.median(self.warm_runs) if self.warm_runs else None

    @property
    def statements(self) -> float | None:
        return statistics.median(self.statement_runs) if self.statement_runs else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_s": round(self.median, 4),
            "worst_s": round(self.worst, 4),
            "runs_s": [round(run, 4) for run in self.runs],
            "floor": self.floor_label or None,
            "floor_median_s": None if self.floor is None else round(self.floor, 4),
            "floor_worst_s": round(max(self.floor_runs), 4) if self.floor_runs else None,
            "ratio": None if self.ratio is None else round(self.ratio, 2),
            "records_median_s": None if self.raw is None else round(self.raw, 4),
            "kept_answer_median_s": None if self.kept is None else round(self.kept, 4),
            "after_a_write_made_again_median_s": (
                None if self.made_again is None else round(self.made_again, 4)
            ),
            "warm_median_s": None if self.warm is None else round(self.warm, 4),
            "statements_median_s": None if self.statements is None else round(self.statements, 4),
            "target": TARGETS.get(self.name),
            "met": met(self),
            "note": self.note or None,
        }


def met(timing: Timing) -> bool | None:
    if timing.name == "report_full":
        return timing.median < 0.100
    if timing.name == "report_project_year":
        return timing.median < 0.005
    if timing.name == "overview_page":
        return timing.median < 0.150
    if timing.name == "year_report_page":
        return timing.median < 0.300
    if timing.name.startswith("report_full"):
        return timing.ratio is not None and timing.ratio <= 1.5
    if timing.name.startswith("report_project_year"):
        return timing.median < 0.150
    if timing.name.startswith("import_participations"):
        return timing.median < 10
    if timing.name.startswith("push_participations"):
        return timing.worst < 5
    return None


def measure(
    function: Callable[[], object],
    runs: int,
    *,
    warm_up: bool = True,
    budget: float | None = None,
) -> list[float]:
    """Seconds of each of `runs` calls, after one call that warms the caches; with a budget
    (seconds), no new run starts once it is spent (a slow import is not repeated for minutes)."""
    if warm_up:
        function()
    times: list[float] = []
    for _ in range(runs):
        if budget is not None and times and sum(times) > budget:
            break
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


@contextmanager
def query_timer() -> Iterator[list[float]]:
    """Seconds spent in the database (execute and fetch) by the queries run inside."""
    from django.db import connection

    spent: list[float] = []

    def timed(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    with connection.execute_wrapper(timed):
        yield spent


@contextmanager
def captured_queries() -> Iterator[list[tuple[str, Any]]]:
    """The statements run inside, with their parameters (for EXPLAIN)."""
    from django.db import connection

    queries: list[tuple[str, Any]] = []

    def capture(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        yield queries


# The reports and their floor.


def report_choice() -> tuple[str, int, int]:
    """The project and year of the one-project-one-year report: the first generated project
    and the last whole year of the load."""
    from crossborder.demo import loadgen
    from projects.models import Project

    project = (
        loadgen.load_projects().order_by("slug").first() or Project.objects.order_by("slug")[0]
    )
    years = loadgen.load_actions().filter(project=project).values_list("year", flat=True)
    year = max(set(years) - {max(years)}, default=max(years))
    return project.slug, project.pk, year


def follow_up_days() -> list[datetime.date]:
    """The days the floor and the report are held to the same result measures: today (the
    day they are timed on, where most follow-ups are known or overdue), and the load's own day
    (30 September of its last year), where some are due and some not due yet."""
    from django.utils import timezone

    from crossborder.demo import loadgen

    years = loadgen.load_actions().values_list("year", flat=True)
    today = timezone.localdate()
    return [today] + ([datetime.date(max(years), 9, 30)] if years else [])


def _comparable(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple]:
    """What the floor and the report must agree on: every metric and result measure, `people`
    and the lower bounds, by the keys of the rows."""
    from bench.floor import METRICS, RESULTS
    from reports.selectors import RESULTS as REPORT_RESULTS

    if RESULTS != REPORT_RESULTS:
        raise AssertionError(f"The floor computes {RESULTS}, the report {REPORT_RESULTS}.")
    return sorted(
        (
            tuple(row[k] or "" for k in keys),
            row["actions"],
            *[row[m] for m in METRICS],
            *[row[m] for m in RESULTS],
            row["people"] if row["people"] is not None else -1,
            tuple(row["lower_bounds"]),
        )
        for row in rows
    )


@contextmanager
def from_records() -> Iterator[None]:
    """The reports read the records themselves, as before the rollups, and made anew each time
    (a year report's page made from the records would be kept as well)."""
    from django.test import override_settings

    with override_settings(REPORT_ROLLUPS=False, REPORT_ANSWERS_SECONDS=0):
        yield


def on_records(function: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with from_records():
            return function()

    return run


def measure_made_again(ask: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """`ask` after a write, as its reader finds it with a worker: asked once as of today (so
    its answers are noted, and nothing else), then each run an action written (marked; the
    refresh runs on its commit here, without a broker), the worker's warm
    (reports.answers.warm) timed, and `ask` timed. Returns the reader's seconds and the
    warm's."""
    from django.db import transaction

    from crossborder.db_router import reading_alias
    from crossborder.demo import loadgen
    from reports import answers, rollups

    answers.cache.delete(answers.ASKED_KEY)
    answers._noted.clear()
    ask()
    written = list(loadgen.load_actions().order_by("pk").values_list("pk", flat=True)[:runs])
    reader, warms = [], []
    for action_id in written:
        with transaction.atomic():
            rollups.mark([action_id])
        rollups.refresh_dirty()
        warmed = answers.warm(reading_alias())
        if not warmed.made or warmed.failed or warmed.stopped:
            raise AssertionError(f"the warm did not make the answers asked again: {warmed}")
        warms.append(warmed.seconds)
        started = time.perf_counter()
        ask()
        reader.append(time.perf_counter() - started)
    answers.cache.delete(answers.ASKED_KEY)
    return reader, warms


def measure_statements(function: Callable[[], object], runs: int) -> list[float]:
    """Seconds spent in the database by each of `runs` calls (after one that warms)."""
    function()
    spent_runs = []
    for _ in range(runs):
        with query_timer() as spent:
            function()
        spent_runs.append(sum(spent))
    return spent_runs


def made_anew(function: Callable[[], object]) -> Callable[[], object]:
    """The function with no answer of the rollups kept (reports.answers): what the targets are
    judged on, the work of a report nobody asked since the data last changed."""
    from django.test import override_settings

    def run() -> object:
        with override_settings(REPORT_ANSWERS_SECONDS=0):
            return function()

    return run


def ensure_rollups() -> str:
    """The rollups built and nothing marked, so that the reports read them alone: rebuilt when
    not built (a load generated before them), refreshed when actions are marked."""
    from reports import rollups

    lag = rollups.lag()
    started = time.perf_counter()
    if not lag.built:
        computed = rollups.rebuild()
        return f"rebuilt: {len(computed.rows)} rows in {time.perf_counter() - started:.1f} s"
    if lag.marked:
        rollups.refresh_dirty()
        return f"{lag.marked} marked actions refreshed in {time.perf_counter() - started:.1f} s"
    return (
        f"built, horizon {lag.horizon_days} days ago, nothing marked;"
        f" {lag.cell_actions} settled actions summed in {lag.cells} cells"
    )


def bench_reports(runs: int) -> list[Timing]:
    """The outcomes report over everything and for one project and year, from the rollups and
    from the records, beside the floor. Refuses to compare when the three do not give the same
    table."""
    from bench.floor import floor_outcomes
    from reports.selectors import outcomes

    group_by = ["semester", "project", "pes"]
    slug, project_id, year = report_choice()
    cases: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("report_full", {}, {}),
        (
            "report_project_year",
            {"project": slug, "year": str(year)},
            {"project_id": project_id, "year": year},
        ),
    ]
    timings = []
    for name, filters, floor_filters in cases:
        keys = tuple(group_by)
        report = partial(outcomes, group_by=group_by, filters=filters)
        for as_of in follow_up_days():
            table = outcomes(group_by=group_by, filters=filters, as_of=as_of)
            with from_records():
                if outcomes(group_by=group_by, filters=filters, as_of=as_of) != table:
                    raise AssertionError(f"{name}: the rollups and the records disagree on {as_of}")
            rows, totals = floor_outcomes(**floor_filters, as_of=as_of)
            if _comparable(table.rows, keys) != _comparable(rows, keys) or _comparable(
                [table.totals], ()
            ) != _comparable([totals], ()):
                raise AssertionError(f"{name}: the floor SQL and the report disagree on {as_of}")
        timing = Timing(
            name,
            measure(made_anew(report), runs),
            floor_runs=measure(partial(floor_outcomes, **floor_filters), runs),
            floor_label="hand-written SQL over the records: grouped rows and totals",
            note=f"{len(table.rows)} rows" + (f"; project {slug}, year {year}" if filters else ""),
            raw_runs=measure(on_records(report), runs),
            kept_runs=measure(report, runs),
            statement_runs=measure_statements(made_anew(report), runs),
        )
        timing.made_again_runs, timing.warm_runs = measure_made_again(report, runs)
        timings.append(timing)
    return timings


# The breakdowns by who took part (participants.attributes.PERSONAL_DIMENSIONS) measured beside
# the report's usual table: the age band joins the actions' year to the records, the others read
# the jobseeker (gender, education level) or the record (status at entry).
PERSONAL_BREAKDOWNS: tuple[tuple[str, ...], ...] = (
    ("gender", "age_band"),
    ("entry_status", "education_level"),
)


def bench_personal_reports(runs: int) -> list[Timing]:
    """The outcomes report by who took part, with the result measures in every row, over
    everything and for the project and year of report_choice(), each beside the floor of the
    same breakdown (bench/floor.py: the same joins to the jobseekers and, for the age, to the
    actions, by hand-written SQL). Refuses to compare when the two do not give the same table
    (as of each of follow_up_days())."""
    from bench.floor import floor_outcomes
    from reports.selectors import outcomes

    slug, project_id, year = report_choice()
    scopes: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("report_full", {}, {}),
        (
            "report_project_year",
            {"project": slug, "year": str(year)},
            {"project_id": project_id, "year": year},
        ),
    ]
    timings = []
    for group_by in PERSONAL_BREAKDOWNS:
        for scope, filters, floor_filters in scopes:
            name = f"{scope}_{'_'.join(group_by)}"
            for as_of in follow_up_days():
                table = outcomes(group_by=group_by, filters=filters, as_of=as_of)
                rows, totals = floor_outcomes(**floor_filters, as_of=as_of, who=group_by)
                if _comparable(table.rows, group_by) != _comparable(rows, group_by) or (
                    _comparable([table.totals], ()) != _comparable([totals], ())
                ):
                    raise AssertionError(f"{name}: the floor and the report disagree on {as_of}")
            floor = partial(floor_outcomes, **floor_filters, who=group_by)
            timings.append(
                Timing(
                    name,
                    measure(partial(outcomes, group_by=group_by, filters=filters), runs),
                    floor_runs=measure(floor, runs),
                    floor_label="hand-written SQL of the same breakdown: grouped rows and totals",
                    note=f"{len(table.rows)} rows"
                    + (f"; project {slug}, year {year}" if filters else ""),
                )
            )
    return timings


def explain_reports() -> str:
    """EXPLAIN ANALYZE of every statement of both reports and their floor (PostgreSQL)."""
    from django.db import connection

    from bench.floor import floor_sql
    from reports.selectors import outcomes

    slug, project_id, year = report_choice()
    out = []
    cases: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("full", {}, {}),
        (
            "project-year",
            {"project": slug, "year": str(year)},
            {"project_id": project_id, "year": year},
        ),
    ]
    for label, filters, floor_filters in cases:
        with captured_queries() as queries:
            outcomes(group_by=["semester", "project", "pes"], filters=filters)
        statements = [(f"report {label}", sql, params) for sql, params in queries]
        statements += [
            (f"floor {label}", sql, params) for sql, params in floor_sql(**floor_filters)
        ]
        with connection.cursor() as cursor:
            for title, sql, params in statements:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                out.append(f"=== {title}\n{sql}\n--- params {params}\n{plan}\n")
    return "\n".join(out)


# Pages and endpoints through Django's test Client.


def bench_user() -> Any:
    """A manager of VDAB (reads all programme data)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from projects.models import Membership, Organisation
    from projects.roles import MANAGER, ensure_roles

    ensure_roles()
    user, created = get_user_model().objects.get_or_create(username=BENCH_USER)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=MANAGER))
    if not Membership.objects.filter(user=user).exists():
        Membership.objects.create(user=user, organisation=Organisation.objects.get(slug="vdab"))
    return user


def bench_key(user: Any) -> str:
    """A new API key of the bench user, for a day; the previous one is revoked (a key is shown
    once, only its hash is kept, so each run makes its own)."""
    from crossborder.accounts.models import ApiToken
    from crossborder.accounts.tokens import api_token_create, api_token_revoke

    for token in ApiToken.objects.owned_by(user).filter(name="bench", revoked_at__isnull=True):
        api_token_revoke(token=token, by=user)
    _token, key = api_token_create(user=user, name="bench", days=1)
    return key


def pages() -> list[tuple[str, str]]:
    """The pages measured: name and URL; a page not built yet is left out (and said so)."""
    from django.urls import NoReverseMatch, reverse

    from crossborder.demo import loadgen

    found = []
    with suppress(NoReverseMatch):
        found.append(("overview_page", reverse("reports:overview")))
    years = loadgen.load_actions().values_list("year", flat=True)
    with suppress(NoReverseMatch, ValueError):
        # The last whole year of the load, every project.
        year = max(set(years) - {max(years)})
        found.append(("year_report_page", reverse("reports:year-report", args=[year])))
    # From the response cache after the warm-up; then the same page built every time, each
    # request with a parameter the endpoint ignores ({n}: a new number each run).
    found.append(("api_list", "/api/v1/actions/?page_size=100"))
    found.append(("api_list_uncached", "/api/v1/actions/?page_size=100&miss={n}"))
    found.append(("api_outcomes", "/api/v1/reports/outcomes/?group_by=semester,project,pes"))
    found.append(
        ("api_outcomes_gender_age_band", "/api/v1/reports/outcomes/?group_by=gender,age_band")
    )
    return found


def bench_pages(runs: int, only: set[str] | None = None) -> tuple[list[Timing], list[str]]:
    """The pages of pages() (`only`: those of these names)."""
    from django.test import override_settings

    user = bench_user()
    # The pages are rendered without collectstatic: plain static storage instead of the
    # manifest one (whose lookup is a dictionary read, so the times are the same).
    storage = override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )
    storage.enable()
    try:
        return _bench_pages(user, runs, only)
    finally:
        storage.disable()


def _bench_pages(user: Any, runs: int, only: set[str] | None) -> tuple[list[Timing], list[str]]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    token = bench_key(user)
    timings, missing = [], []
    counter = itertools.count()
    measured = {name: url for name, url in pages() if only is None or name in only}
    if "overview_page" not in measured and (only is None or "overview_page" in only):
        missing.append("overview_page: the URL reports:overview does not exist yet")
    for name, url in measured.items():
        headers = {} if name == "overview_page" else {"Authorization": f"Token {token}"}

        def get(url: str = url, headers: dict[str, str] = headers) -> None:
            response = client.get(url.format(n=next(counter)), headers=headers)
            if response.status_code != 200:
                raise AssertionError(f"{url}: {response.status_code}")

        try:
            get()
        except Exception as error:
            # A page another engineer is still building may fail: say so, measure the rest.
            missing.append(f"{name}: {type(error).__name__}: {error}")
            continue
        timing = Timing(name, measure(made_anew(get), runs))
        if name in ("overview_page", "year_report_page", "api_outcomes"):
            timing.raw_runs = measure(on_records(get), runs)
            timing.kept_runs = measure(get, runs)
        if name in ("overview_page", "year_report_page"):
            timing.made_again_runs, timing.warm_runs = measure_made_again(get, runs)
            timing.statement_runs = measure_statements(made_anew(get), runs)
        timings.append(timing)
    return timings, missing


# The import.


def import_files(
    rows: int, started_on: str, completed_on: str | None = None
) -> list[tuple[str, bytes]]:
    """CSV files of new jobseekers of the three PES who started (or, with completed_on, the
    same jobseekers having completed), at most 5,000 rows each, as the project writes CSV
    (crossborder.core.writers)."""
    from crossborder.core.writers import write_csv

    pes = ("vdab", "le-forem", "pole-emploi")
    outcome = (
        {"status": "completed", "completed_on": completed_on}
        if completed_on
        else {"status": "started"}
    )
    files = []
    for first in range(0, rows, IMPORT_FILE_ROWS):
        people = [
            {
                "pes": pes[n % 3],
                "reference": f"LOAD-IMP-{n:06d}",
                "given_name": "Anna",
                "family_name": "Peeters",
                "started_on": started_on,
                **outcome,
            }
            for n in range(first, min(rows, first + IMPORT_FILE_ROWS))
        ]
        files.append((f"participations-{first // IMPORT_FILE_ROWS + 1}.csv", write_csv(people)))
    return files


def job_fair(reference: str, title: str, day: Any) -> Any:
    """A new job fair of the load's first project on that day, which an import or a push fills
    (inside the run's transaction, rolled back)."""
    from actions.models import Action
    from crossborder.core.periods import semester_of
    from crossborder.core.vocabulary import ActionStatus, ActionType
    from crossborder.demo import loadgen

    return Action.objects.create(
        project=loadgen.load_projects().earliest("slug"),
        reference=reference,
        action_type=ActionType.JOB_FAIR,
        title=title,
        status=ActionStatus.COMPLETED,
        start_date=day,
        end_date=day,
        year=day.year,
        semester=semester_of(day),
    )


def bench_import(rows: int, runs: int) -> list[Timing]:
    """`manage.py import_participations` of `rows` rows into a new job fair, in files of 5,000
    rows; then, into a job fair where they were imported so, the same rows again with every
    record changed (`--update`, only that import timed). Each run is rolled back so that the
    load stays as generated."""
    import datetime

    from django.core.management import call_command
    from django.db import transaction

    day = datetime.date(2024, 3, 14)
    files = import_files(rows, day.isoformat())
    changed = import_files(rows, day.isoformat(), completed_on=day.isoformat())
    with tempfile.TemporaryDirectory() as directory:
        paths: list[Path] = []
        changed_paths: list[Path] = []
        for kind, written, listed in (("new", files, paths), ("changed", changed, changed_paths)):
            for name, data in written:
                path = Path(directory) / f"{kind}-{name}"
                path.write_bytes(data)
                listed.append(path)

        def imported(files: list[Path], **options: Any) -> None:
            for path in files:
                call_command(
                    "import_participations",
                    str(path),
                    action=IMPORT_ACTION,
                    stdout=io.StringIO(),
                    **options,
                )

        def run() -> None:
            with transaction.atomic():
                job_fair(IMPORT_ACTION, "Benchmark import", day)
                imported(paths)
                transaction.set_rollback(True)

        def run_updated() -> float:
            with transaction.atomic():
                job_fair(IMPORT_ACTION, "Benchmark import", day)
                imported(paths)
                started = time.perf_counter()
                imported(changed_paths, update=True)
                seconds = time.perf_counter() - started
                transaction.set_rollback(True)
            return seconds

        # Seconds each: no warm-up run, and no third run after two minutes.
        times = measure(run, runs, warm_up=False, budget=120)
        updated_times: list[float] = []
        while len(updated_times) < runs and sum(updated_times) <= 120:
            updated_times.append(run_updated())
    files_note = (
        f"{rows} rows in {len(files)} file(s) of at most {IMPORT_FILE_ROWS} rows (the import's "
        "limit)"
    )
    return [
        Timing(
            "import_participations",
            times,
            note=f"{files_note}, new jobseekers, one job fair; rolled back after each run",
        ),
        Timing(
            "import_participations_updated",
            updated_times,
            note=f"the same {rows} rows again, each completed (--update): every record held, "
            "every one changed; rolled back after each run",
        ),
    ]


# The bulk push.


def bench_partner() -> Any:
    """A partner of VDAB (writes its jobseekers' participation)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from projects.models import Membership, Organisation
    from projects.roles import PARTNER, ensure_roles

    ensure_roles()
    user, created = get_user_model().objects.get_or_create(username=PUSH_USER)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=PARTNER))
    if not Membership.objects.filter(user=user).exists():
        Membership.objects.create(user=user, organisation=Organisation.objects.get(slug="vdab"))
    return user


def bench_push(items: int, runs: int) -> list[Timing]:
    """POST /api/v1/participations/push/ of `items` new participations by references (the
    action's reference, each jobseeker's PES and reference) into a new job fair whose
    jobseekers are known, through the test Client as a partner of VDAB; then the same push
    again, which finds every record unchanged, and once more with a day each found work, which
    changes every record. Each run is rolled back."""
    import datetime
    import json as json_module

    from django.db import transaction
    from rest_framework.test import APIClient

    from participants.models import Jobseeker
    from projects.models import Organisation

    user = bench_partner()
    client = APIClient()
    client.force_authenticate(user)
    vdab = Organisation.objects.get(slug="vdab")
    day = datetime.date(2024, 3, 14)
    references = [f"LOAD-PUSH-{n:06d}" for n in range(items)]
    body = json_module.dumps(
        {
            "participations": [
                {
                    "action": PUSH_ACTION,
                    "jobseeker": {"pes": "vdab", "ref": reference},
                    "status": "completed",
                    "started_on": day.isoformat(),
                    "completed_on": day.isoformat(),
                }
                for reference in references
            ]
        }
    )
    # The same push with every record changed: a day each found work.
    changed = json_module.dumps(
        {
            "participations": [
                {**item, "placed_on": day.isoformat()}
                for item in json_module.loads(body)["participations"]
            ]
        }
    )
    pushes = (("created", body), ("unchanged", body), ("updated", changed))
    runs_of: dict[str, list[float]] = {expected: [] for expected, _body in pushes}
    for _ in range(runs + 1):
        with transaction.atomic():
            job_fair(PUSH_ACTION, "Benchmark push", day)
            Jobseeker.objects.bulk_create(
                Jobseeker(pes=vdab, external_ref=reference, birth_year=1990)
                for reference in references
            )
            times = {}
            for expected, sent in pushes:
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/participations/push/", sent, content_type="application/json"
                )
                times[expected] = time.perf_counter() - started
                answer = response.json()
                if response.status_code != 200 or answer[expected] != items:
                    raise SystemExit(f"The push failed: {response.status_code} {answer}")
            transaction.set_rollback(True)
        # The first run warms the caches.
        if _:
            for expected, seconds in times.items():
                runs_of[expected].append(seconds)
    note = (
        f"{items} participations by references in one request, new records of known "
        "jobseekers in one job fair; rolled back after each run"
    )
    return [
        Timing("push_participations", runs_of["created"], note=note),
        Timing(
            "push_participations_again",
            runs_of["unchanged"],
            note="the same push again: all unchanged",
        ),
        Timing(
            "push_participations_changed",
            runs_of["updated"],
            note="the same push with a day each found work: all changed",
        ),
    ]


# Throughput under gunicorn.


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests a second, latency percentiles and errors from wrk's report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    latency = {
        percent: value
        for percent, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE)
    }
    requests = re.search(r"(\d+) requests in", output)
    return {
        "requests_per_s": float(rate.group(1)) if rate else None,
        "requests": int(requests.group(1)) if requests else None,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else None,
        "latency": latency,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Every request of the uncached run asks for a URL of its own: the benchmark's page with a
# parameter the endpoint ignores (and the response cache does not: it keys on the whole query
# string), so that each one is built from the database as on a first visit.
MISS_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&miss=" .. id .. "-" .. counter)
end
"""


def run_wrk(
    url: str, token: str, duration: int, connections: int, script: str | None = None
) -> dict[str, Any]:
    """One wrk run against the URL (with a Lua script when given); its report, parsed, with the
    load average of the machine at its start and end."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        options = []
        if script is not None:
            lua.write(script)
            lua.flush()
            options = ["-s", lua.name]
        load_before = os.getloadavg()[0]
        result = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                "--latency",
                *options,
                "-H",
                f"Authorization: Token {token}",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    parsed = parse_wrk(result.stdout)
    parsed["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return parsed


def bench_throughput(duration: int, connections: int) -> dict[str, Any]:
    """The API list page under gunicorn (2 workers) loaded by wrk from another process: the same
    URL again and again (what the target is judged on: after the first request each worker
    answers it from its response cache), then every request a URL of its own (no cache)."""
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    token = bench_key(bench_user())
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/actions/?page_size=100"
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # One user makes every request: the per-user throttle (2000/hour) would answer 429.
        "API_THROTTLE_RATE": "100000000/hour",
        # A page missing the cache makes its actions' figures anew too (reports.answers).
        "REPORT_ANSWERS_SECONDS": "0",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crossborder.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    return {"skipped": "gunicorn did not answer"}
                time.sleep(0.5)
        # One request more per worker, so neither is measured cold.
        for _ in range(4):
            urllib.request.urlopen(request, timeout=10).read()
        cached = run_wrk(url, token, duration, connections)
        uncached = run_wrk(url, token, duration, connections, script=MISS_SCRIPT)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    command = f"wrk -t2 -c{connections} -d{duration}s --latency (gunicorn -w 2)"
    cached.update(
        {
            "command": command,
            "target": TARGETS["api_list_throughput"],
            "met": bool(cached["requests_per_s"] and cached["requests_per_s"] >= 200)
            and not cached["non_2xx"],
            "uncached": {
                **uncached,
                "command": f"{command}, each request with its own &miss=<n>",
                "target": TARGETS["api_list_throughput_uncached"],
                "met": bool(uncached["requests_per_s"] and uncached["requests_per_s"] >= 300)
                and not uncached["non_2xx"],
            },
        }
    )
    return cached


# The run.


def configure(database_url: str) -> None:
    """Environment of this process (and its gunicorn): production-like settings, DEBUG off."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossborder.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("PSEUDONYM_KEY", "benchmark-pseudonym-key")
    # Local HTTP: cookies must not be limited to HTTPS for the test Client's session.
    os.environ.setdefault("SECURE_COOKIES", "false")


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database when missing (never drops one)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    if "postgresql" not in config["ENGINE"]:
        return
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def ensure_load(participations: int, seed: int, *, keep: bool = False) -> tuple[Any, float | None]:
    """The generated load at this size: kept when already there, made (again) otherwise;
    `keep`: any load already there is kept, whatever its size. Returns what is there and the
    seconds generating took (None when kept)."""
    from crossborder.demo import loadgen

    current = loadgen.summary()
    if current.participations == participations or (keep and loadgen.has_load()):
        return current, None
    foreign = loadgen.foreign_data()
    if foreign:
        raise SystemExit(
            f"The benchmark database holds {' and '.join(foreign)} that were not generated; "
            "point DATABASE_URL at a database of its own."
        )
    started = time.perf_counter()
    if loadgen.has_load():
        loadgen.reset()
    loadgen.generate(loadgen.Scale.for_participations(participations), seed=seed)
    return loadgen.summary(), time.perf_counter() - started


def _format(timing: Timing) -> str:
    line = (
        f"{timing.name:<24} median {timing.median * 1000:9.1f} ms"
        f"  worst {timing.worst * 1000:9.1f} ms"
    )
    if timing.raw is not None:
        line += f"  | from the records: {timing.raw * 1000:8.1f} ms"
    if timing.kept is not None:
        line += f"  | answer kept: {timing.kept * 1000:7.1f} ms"
    if timing.made_again is not None and timing.warm is not None:
        line += (
            f"  | after a write, made again: {timing.made_again * 1000:7.1f} ms"
            f" (the worker's warm {timing.warm:5.2f} s)"
        )
    if timing.floor is not None:
        line += (
            f"  | {timing.floor_label}: {timing.floor * 1000:8.1f} ms  ratio {timing.ratio:5.2f}"
        )
    verdict = met(timing)
    if verdict is not None:
        line += f"  [{TARGETS[timing.name]}: {'met' if verdict else 'MISSED'}]"
    if timing.note:
        line += f"\n{'':<26}{timing.note}"
    if timing.statements is not None:
        line += f"\n{'':<26}{_spent(timing, timing.statements, verdict is False)}"
    return line


def _spent(timing: Timing, statements: float, missed: bool) -> str:
    """Where a report's or page's time made anew goes: its statements and the rest (Python:
    checking the filters, building the statements, shaping the answer, rendering); for a
    target missed, where the reasons are written."""
    rest = max(timing.median - statements, 0.0)
    said = f"made anew: its statements {statements * 1000:.1f} ms, the rest {rest * 1000:.1f} ms"
    if missed:
        said += " (why: docs/performance.md, 'Still missed, and why')"
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )
    parser.add_argument("--participations", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=7, help="runs of each measurement")
    parser.add_argument("--import-rows", type=int, default=10_000, help="0: no import")
    parser.add_argument("--import-runs", type=int, default=3)
    parser.add_argument("--wrk-duration", type=int, default=10, help="seconds; 0: no wrk")
    parser.add_argument("--wrk-connections", type=int, default=4)
    parser.add_argument("--output", default=str(ROOT / "var" / "bench.json"))
    parser.add_argument("--push-items", type=int, default=5000, help="0: no push")
    parser.add_argument("--push-runs", type=int, default=3)
    parser.add_argument(
        "--only",
        choices=["push", "reports"],
        help="measure only this (on the load already there, whatever its size, or generated at"
        " --participations): the push, or the reports, their breakdowns by who took part and the"
        " overview and year report pages",
    )
    parser.add_argument(
        "--explain", help="also write EXPLAIN ANALYZE of the reports and their floor to this file"
    )
    args = parser.parse_args(argv)

    configure(args.database_url)
    ensure_database(args.database_url)
    import django

    # Whitenoise looks for collectstatic's directory, which a benchmark does without.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    only_push, only_reports = args.only == "push", args.only == "reports"
    load, generated_in = ensure_load(args.participations, args.seed, keep=bool(args.only))
    print(
        f"Load: {load}" + (f" (generated in {generated_in:.1f} s)" if generated_in else " (kept)")
    )
    print(f"Rollups: {ensure_rollups()}", flush=True)

    timings = [] if only_push else bench_reports(args.runs) + bench_personal_reports(args.runs)
    for timing in timings:
        print(_format(timing), flush=True)
    page_timings, missing = (
        ([], ["all but the push: --only push"])
        if only_push
        else bench_pages(args.runs, {"overview_page", "year_report_page"} if only_reports else None)
    )
    if only_reports:
        missing.append("all but the reports, the overview and the year report page: --only reports")
    for timing in page_timings:
        print(_format(timing), flush=True)
    import_timings = []
    if args.import_rows and not args.only:
        import_timings = bench_import(args.import_rows, args.import_runs)
        for timing in import_timings:
            print(_format(timing), flush=True)
    elif not args.only:
        missing.append("import_participations: skipped (--import-rows 0)")
    push_timings = (
        bench_push(args.push_items, args.push_runs) if args.push_items and not only_reports else []
    )
    for timing in push_timings:
        print(_format(timing), flush=True)
    if not args.push_items and not only_reports:
        missing.append("push_participations: skipped (--push-items 0)")
    throughput: dict[str, Any] = (
        bench_throughput(args.wrk_duration, args.wrk_connections)
        if args.wrk_duration and not args.only
        else {"skipped": f"--only {args.only}" if args.only else "--wrk-duration 0"}
    )
    if "skipped" in throughput:
        print(f"{'api_list_throughput':<24} skipped: {throughput['skipped']}")
    else:
        print(
            f"{'api_list_throughput':<24} {throughput['requests_per_s']:.1f} req/s, "
            f"{throughput['non_2xx']} non-2xx, latency {throughput['latency']}  "
            f"[{TARGETS['api_list_throughput']}: {'met' if throughput['met'] else 'MISSED'}]"
        )
        uncached = throughput["uncached"]
        print(
            f"{'  every request a miss':<24} {uncached['requests_per_s']:.1f} req/s, "
            f"{uncached['non_2xx']} non-2xx, latency {uncached['latency']}, "
            f"load average {uncached['load_average']}  "
            f"[{uncached['target']}: {'met' if uncached['met'] else 'MISSED'}]"
        )
    for line in missing:
        print(f"not measured: {line}")
    if args.explain:
        Path(args.explain).write_text(explain_reports())
        print(f"Query plans written to {args.explain}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
    report = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "database": server,
        },
        "load": vars(load),
        "load_generated_s": None if generated_in is None else round(generated_in, 1),
        "runs": args.runs,
        "results": {
            t.name: t.as_dict() for t in [*timings, *page_timings, *import_timings, *push_timings]
        },
        "api_list_throughput": throughput,
        "not_measured": missing,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
