"""The floor of the outcomes report: the same table by plain SQL written by hand (PostgreSQL and
SQLite), grouped by semester, project and PES, with its totals.

Same semantics as reports.selectors.outcomes(group_by=["semester", "project", "pes"]) over the
realised actions (optionally of one project and one year): the facts are figures, participation
records (the PES kept on the record), employers present and actions without any fact;
`actions` and `people` are distinct counts; a lower-bound figure makes its metric a lower bound
in its row. What each metric counts is read from the metric registry, as the report reads it.
Every row also carries the result measures of the records' follow-ups as of a day (RESULTS),
written here from the model's rule (Participation.follow_up_state), not from the report's SQL.
With `who`, the same by dimensions of who took part instead (WHO: the jobseekers and, for the
age band, the actions joined to the records), as outcomes(group_by=who).
The benchmark checks that both give the same rows before comparing their times.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from crossborder.core.metrics import (
    PEOPLE,
    REGISTRY,
    SUMMED_METRICS,
    WORK_FOUND_ACTION_TYPES,
    EmployerRule,
    RecordRule,
)
from crossborder.core.periods import add_months
from crossborder.core.vocabulary import STARTED_STATUSES
from participants.models import IN_WORK_SITUATIONS, SixMonthSituation

# The summed metrics, in the registry's order (the report's columns).
METRICS: tuple[str, ...] = SUMMED_METRICS

# The result measures of the follow-ups, in the report's order: per follow-up (on leaving,
# six months on) its situations that count, then known, not yet known and unknown as of a day.
RESULTS: tuple[str, ...] = (
    "in_work_on_leaving",
    "on_leaving_known",
    "on_leaving_not_yet_known",
    "on_leaving_unknown",
    "in_work_six_months",
    "better_situation",
    "six_months_known",
    "six_months_not_yet_known",
    "six_months_unknown",
)

# The tables by name, as the migrations create them: the floor reads no model.
SEL = """
    sel AS (
        SELECT a.id
          FROM actions_action a
         WHERE a.status IN ('ongoing', 'completed') {action_filter}
    )"""


# How a record or an employer counts for a metric is the registry's rule; the floor writes each
# rule as SQL of its own, so that it stays a check of the report's statement, not a copy of it.


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _record(rule: RecordRule) -> str:
    """The condition on a participation record `p` under which it counts."""
    if rule.dated:
        return f"p.{rule.dated} IS NOT NULL"
    return f"p.status IN ({_quoted(rule.statuses)})"


def _employer(rule: EmployerRule) -> str:
    """What one employer present `e` (its organisation `eo`) counts."""
    if rule.summed:
        return f"COALESCE(e.{rule.summed}, 0)"
    return f"CASE WHEN eo.kind = '{rule.kind}' THEN 1 ELSE 0 END"


def _columns(metric_sql: Callable[[str], str]) -> str:
    return ",\n               ".join(f"{metric_sql(m)} AS {m}" for m in METRICS)


def _figure_column(metric: str) -> str:
    return f"CASE WHEN fg.metric = '{metric}' THEN fg.value ELSE 0 END"


def _record_column(metric: str) -> str:
    rule = REGISTRY[metric].record
    return f"CASE WHEN {_record(rule)} THEN 1 ELSE 0 END" if rule else "0"


def _employer_column(metric: str) -> str:
    rule = REGISTRY[metric].employer
    return _employer(rule) if rule else "0"


def _people() -> str:
    rule = REGISTRY[PEOPLE].record
    if rule is None:
        raise ValueError(f"The metric {PEOPLE} needs a rule for participation records.")
    return _record(rule)


# A record's follow-up, in its facts' column r_<kind>: IN_WORK or BETTER when its situation is
# known on the report's day (recorded, and checked on or before it), KNOWN for another known
# situation, OPEN when not known and the jobseeker started (whether it is due is the day they
# left: the record's day of completion, else its action's end, else start), NULL otherwise.
IN_WORK, BETTER, KNOWN, OPEN = 1, 2, 3, 0
FOLLOW_UPS = {
    "leaving": ("leaving_situation", "leaving_checked_on", ()),
    "six": ("six_month_situation", "six_month_checked_on", (SixMonthSituation.BETTER_SITUATION,)),
}


def _follow_up(situation: str, checked_on: str, better: tuple[str, ...]) -> str:
    known = f"p.{situation} <> '' AND (p.{checked_on} IS NULL OR p.{checked_on} <= %s)"
    better_case = f" WHEN p.{situation} IN ({_quoted(better)}) THEN {BETTER}" if better else ""
    return (
        f"CASE WHEN {known} THEN CASE WHEN p.{situation} IN ({_quoted(IN_WORK_SITUATIONS)})"
        f" THEN {IN_WORK}{better_case} ELSE {KNOWN} END"
        f" WHEN p.status IN ({_quoted(STARTED_STATUSES)}) THEN {OPEN} END"
    )


def _first_left_on(months: int, due_from: datetime.date) -> datetime.date:
    """The first day of leaving whose follow-up, due `months` after it, is due on or after
    `due_from` (the due day never goes back as the day of leaving moves on)."""
    day = add_months(due_from, -months) - datetime.timedelta(days=7)
    while add_months(day, months) < due_from:
        day += datetime.timedelta(days=1)
    return day


def _result_columns() -> str:
    """The result measures over the facts `f` of the actions `a`: an open follow-up counts only
    after an action after which work can be found, unknown when overdue on the report's day
    (due more than FOLLOW_UP_GRACE_DAYS before it), else not yet known; each needs a day of
    leaving. Parameters: the two first days of leaving that are not overdue."""
    left_on = "COALESCE(f.completed_on, a.end_date, a.start_date)"
    workable = f"a.action_type IN ({_quoted(WORK_FOUND_ACTION_TYPES)})"

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    columns = []
    for kind in FOLLOW_UPS:
        code, open_ = f"f.r_{kind}", f"f.r_{kind} = {OPEN} AND {workable}"
        situations = [count(f"{code} = {IN_WORK}")]
        if kind == "six":
            situations.append(count(f"{code} = {BETTER}"))
        columns += [
            *situations,
            count(f"{code} > {OPEN}"),
            count(f"{open_} AND {left_on} >= %s"),
            count(f"{open_} AND {left_on} < %s"),
        ]
    return ", ".join(f"{sql} AS {name}" for sql, name in zip(columns, RESULTS, strict=True))


def _result_params(as_of: datetime.date) -> list[datetime.date]:
    """The parameters of the facts' follow-ups (the report's day, twice) and of
    _result_columns (the first days of leaving not overdue: on leaving, six months on)."""
    due_from = as_of - datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS)
    on_leaving, six_months = _first_left_on(0, due_from), _first_left_on(6, due_from)
    return [as_of, as_of, on_leaving, on_leaving, six_months, six_months]


# Who took part, for the floor of a breakdown by it: each dimension of a record `p` (its
# jobseeker `j`, its action `pa`) as SQL, NULL where the record does not say it.
AGE_BANDS = (("under_25", 0, 24), ("25_54", 25, 54), ("55_plus", 55, None))
WHO: dict[str, str] = {
    "gender": "NULLIF(j.gender, '')",
    "education_level": "NULLIF(j.education_level, '')",
    "entry_status": "NULLIF(p.entry_status, '')",
    "age_band": "CASE "
    + " ".join(
        f"WHEN pa.year - j.birth_year >= {first}"
        + (f" AND pa.year - j.birth_year <= {last}" if last is not None else "")
        + f" THEN '{band}'"
        for band, first, last in AGE_BANDS
    )
    + " END",
}


def _facts(who: tuple[str, ...] = ()) -> str:
    """Every fact of the selected actions, one row each; with `who`, its dimensions of who took
    part as columns `d_<slug>` (NULL on every fact but a record that says it)."""
    nothing = "".join(f", NULL AS d_{slug}" for slug in who)
    said = "".join(f", {WHO[slug]} AS d_{slug}" for slug in who)
    records = "participants_participation p"
    if who:
        records += " JOIN participants_jobseeker j ON j.id = p.jobseeker_id"
    if "age_band" in who:
        records += " JOIN actions_action pa ON pa.id = p.action_id"
    return (
        SEL
        + f""",
    facts AS (
        SELECT fg.action_id, fg.pes_id, NULL AS person, 0 AS is_record,
               {_columns(_figure_column)},
               CASE WHEN fg.is_lower_bound THEN fg.metric END AS bound,
               NULL AS r_leaving, NULL AS r_six, NULL AS completed_on{nothing}
          FROM actions_figure fg WHERE fg.action_id IN (SELECT id FROM sel)
        UNION ALL
        SELECT p.action_id, p.pes_id,
               CASE WHEN {_people()} THEN p.jobseeker_id END,
               1,
               {_columns(_record_column)},
               NULL, {_follow_up(*FOLLOW_UPS["leaving"])}, {_follow_up(*FOLLOW_UPS["six"])},
               p.completed_on{said}
          FROM {records} WHERE p.action_id IN (SELECT id FROM sel)
        UNION ALL
        SELECT e.action_id, NULL, NULL, 0,
               {_columns(_employer_column)},
               NULL, NULL, NULL, NULL{nothing}
          FROM actions_actionemployer e
          JOIN projects_organisation eo ON eo.id = e.organisation_id
         WHERE e.action_id IN (SELECT id FROM sel)
        UNION ALL
        SELECT s.id, NULL, NULL, 0, {", ".join("0" for _m in METRICS)}, NULL, NULL, NULL,
               NULL{nothing}
          FROM sel s
         WHERE NOT EXISTS (SELECT 1 FROM actions_figure x WHERE x.action_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM participants_participation x WHERE x.action_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM actions_actionemployer x WHERE x.action_id = s.id)
    )
"""
    )


AGGREGATES = (
    "COUNT(DISTINCT action_id) AS actions, "
    + ", ".join(f"SUM({m}) AS {m}" for m in METRICS)
    + ", CASE WHEN SUM(is_record) > 0 THEN COUNT(DISTINCT person) END AS people, "
    + ", ".join(f"MAX(CASE WHEN bound = '{m}' THEN 1 ELSE 0 END) AS lb_{m}" for m in METRICS)
)

GROUPED = f"""
WITH {_facts()}
SELECT g.*, NULLIF(g.semester, '') AS semester, pr.slug AS project, o.slug AS pes
  FROM (SELECT a.semester, a.project_id, f.pes_id, {AGGREGATES}, {_result_columns()}
          FROM facts f JOIN actions_action a ON a.id = f.action_id
         GROUP BY a.semester, a.project_id, f.pes_id) g
  JOIN projects_project pr ON pr.id = g.project_id
  LEFT JOIN projects_organisation o ON o.id = g.pes_id
"""


def _grouped_by_who(who: tuple[str, ...]) -> str:
    """The rows of a breakdown by who took part: figures, employers present and actions without
    any fact fall under None, as records that do not say it."""
    keys = ", ".join(f"f.d_{slug}" for slug in who)
    shown = ", ".join(f"f.d_{slug} AS {slug}" for slug in who)
    return f"""
WITH {_facts(who)}
SELECT {shown}, {AGGREGATES}, {_result_columns()}
  FROM facts f JOIN actions_action a ON a.id = f.action_id
 GROUP BY {keys}
"""


# The totals' additive metrics are the sums of the grouped rows (they partition the facts) and
# every selected action has a fact; only the distinct jobseekers need a second, narrow pass.
TOTALS = f"""
WITH {SEL}
SELECT (SELECT COUNT(*) FROM sel) AS actions, COUNT(*) AS records,
       COUNT(DISTINCT CASE WHEN {_people()} THEN p.jobseeker_id END) AS people
  FROM participants_participation p WHERE p.action_id IN (SELECT id FROM sel)
"""


def floor_sql(
    *,
    project_id: int | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
    who: tuple[str, ...] = (),
) -> list[tuple[str, list]]:
    """The two statements (grouped rows, totals) with their parameters; the result measures as
    of `as_of` (today by default, as the report). Grouped by semester, project and PES, or by
    the dimensions of who took part `who` (of WHO)."""
    conditions, params = [], []
    if project_id is not None:
        conditions.append("AND a.project_id = %s")
        params.append(project_id)
    if year is not None:
        conditions.append("AND a.year = %s")
        params.append(year)
    action_filter = " ".join(conditions)
    follow_ups = _result_params(as_of or timezone.localdate())
    return [
        (
            (_grouped_by_who(who) if who else GROUPED).format(action_filter=action_filter),
            params + follow_ups,
        ),
        (TOTALS.format(action_filter=action_filter), params),
    ]


def _row(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    row: dict[str, Any] = {key: values[key] for key in keys}
    row["actions"] = int(values["actions"] or 0)
    for metric in (*METRICS, *RESULTS):
        row[metric] = int(values[metric] or 0)
    row["people"] = None if values["people"] is None else int(values["people"])
    row["lower_bounds"] = [m for m in METRICS if values[f"lb_{m}"]]
    return row


def floor_outcomes(
    *,
    project_id: int | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
    who: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the floor: the rows (in no particular order) and the totals."""
    results = []
    with connection.cursor() as cursor:
        for sql, params in floor_sql(project_id=project_id, year=year, as_of=as_of, who=who):
            cursor.execute(sql, params)
            columns = [column[0] for column in cursor.description]
            results.append([dict(zip(columns, raw, strict=True)) for raw in cursor.fetchall()])
    grouped, (counts,) = results
    rows = [_row(values, who or ("semester", "project", "pes")) for values in grouped]
    totals: dict[str, Any] = {"actions": int(counts["actions"])}
    for metric in (*METRICS, *RESULTS):
        totals[metric] = sum(row[metric] for row in rows)
    totals["people"] = int(counts["people"]) if counts["records"] else None
    totals["lower_bounds"] = [m for m in METRICS if any(m in row["lower_bounds"] for row in rows)]
    return rows, totals
