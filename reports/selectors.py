"""The one aggregation layer: every page, export and API endpoint reads its figures here.

The outcomes report combines the two forms of figures of the domain brief in one database query:
participation records (one jobseeker in one action) and aggregate figures (a count per PES, or
unsplit), plus the employers present. The model lets only one form count for one action, PES and
metric, and an unsplit figure is a remainder, so adding them up counts nothing twice.

Rules:
- An action's figures belong to the year and semester in which it starts (its columns).
- Only realised actions (ongoing, completed) are counted unless statuses are asked for.
- Grouped by PES, unsplit figures, employers (who belong to no PES) and actions without any
  figure fall under PES ``None`` ("unknown"), so the rows of an additive metric add up to the
  total. ``actions`` and ``people`` are distinct counts: an action with jobseekers of three PES
  counts once in each PES row and once in the total.
- ``people`` counts distinct jobseekers who started, from participation records only; it is
  None where a row has no record at all.
- A figure flagged as a lower bound ("more than 200") makes its metric, in every row and total
  that includes it, a lower bound too.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from actions.models import Action, ActionEmployer, Figure, Sector
from crossborder.vocabulary import REALISED_STATUSES, ActionStatus, Metric
from participants.models import STARTED_STATUSES, Jobseeker, Participation, ParticipationStatus
from projects.models import Organisation, OrganisationKind, Project

from .filters import UNKNOWN_PES, ActionFilterSet, split_commas

DIMENSIONS: tuple[str, ...] = (
    "year",
    "semester",
    "project",
    "action_type",
    "pes",
    "sector",
    "status",
)
# Metrics summed over the facts; `actions` and `people` are counted distinct.
SUMMED_METRICS: tuple[str, ...] = tuple(m.value for m in Metric if m != Metric.ACTIONS)
METRICS: tuple[str, ...] = (Metric.ACTIONS.value, *SUMMED_METRICS, "people")

_DIMENSION_SQL = {
    "year": "a.year",
    "semester": "NULLIF(a.semester, '')",
    "project": "pr.slug",
    "action_type": "a.action_type",
    "pes": "o.slug",
    "sector": "sec.slug",
    "status": "a.status",
    # One row per action, for the year report and the action list: known to the SQL only, never
    # a `group_by` a URL may ask for (parse_group_by, the one door of `group_by`, refuses it).
    "action": "a.id",
}


class ReportParameterError(ValidationError):
    """A report asked with a parameter that is not understood; messages are keyed by parameter."""


@dataclass
class OutcomeTable:
    group_by: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"group_by": self.group_by, "results": self.rows, "totals": self.totals}


def parse_group_by(value: str | Sequence[str] | None) -> list[str]:
    """Dimensions from `semester,pes` (or a list); an unknown one is an error on `group_by`."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [v for x in value for v in x.split(",")]
    group_by = [item.strip() for item in items if item.strip()]
    unknown = [item for item in group_by if item not in DIMENSIONS]
    if unknown:
        raise ReportParameterError(
            {
                "group_by": [
                    _("Unknown dimension “%(value)s”; use any of: %(choices)s.")
                    % {"value": value, "choices": ", ".join(DIMENSIONS)}
                    for value in unknown
                ]
            }
        )
    if len(set(group_by)) != len(group_by):
        raise ReportParameterError({"group_by": [_("A dimension may be given only once.")]})
    return group_by


def report_actions(
    filters: Mapping[str, Any] | QueryDict | None,
) -> tuple[QuerySet[Action], list[str]]:
    """The actions a report counts, and the PES asked for (slugs, or "unknown").

    Filters go through the shared ActionFilterSet; the status defaults to realised.
    """
    data = split_commas(filters or QueryDict(), ActionFilterSet.MULTI)
    if not data.getlist("status"):
        data.setlist("status", list(REALISED_STATUSES))
    filterset = ActionFilterSet(data, queryset=Action.objects.order_by())
    if not filterset.is_valid():
        raise ReportParameterError(
            {
                name: [str(message) for message in messages]
                for name, messages in filterset.errors.items()
            }
        )
    return filterset.qs, list(filterset.form.cleaned_data.get("pes") or [])


def outcomes(
    *,
    group_by: Sequence[str] = (),
    filters: Mapping[str, Any] | QueryDict | None = None,
) -> OutcomeTable:
    """The outcomes table: one row per combination of the dimensions, in the order asked, and
    the totals. Two queries whatever the number of rows (one without dimensions: the only row is
    the totals)."""
    group_by = parse_group_by(list(group_by))
    actions, pes = report_actions(filters)
    rows = _run(group_by, actions, pes)
    totals = _run([], actions, pes)[0] if group_by else rows[0]
    return OutcomeTable(group_by=group_by, rows=rows, totals=totals)


def outcomes_from_params(params: QueryDict | Mapping[str, Any]) -> OutcomeTable:
    """The outcomes table for request parameters: `group_by` plus the filters."""
    data = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        for key, value in params.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                data.appendlist(key, str(item))
    group_by = data.getlist("group_by")
    for name in ("group_by", "format", "lang"):
        data.pop(name, None)
    unknown = sorted(set(data) - set(ActionFilterSet.base_filters))
    if unknown:
        raise ReportParameterError({name: [_("Unknown parameter.")] for name in unknown})
    return outcomes(group_by=parse_group_by(group_by), filters=data)


def _sql(group_by: list[str], actions: QuerySet[Action], pes: list[str]) -> tuple[str, list[Any]]:
    action_sql, action_params = actions.values("id").query.sql_with_params()
    figure, participation = Figure._meta.db_table, Participation._meta.db_table
    employer, jobseeker = ActionEmployer._meta.db_table, Jobseeker._meta.db_table
    organisation, action = Organisation._meta.db_table, Action._meta.db_table
    params: list[Any] = list(action_params)

    def placeholders(values: Sequence[Any]) -> str:
        params.extend(values)
        return ", ".join(["%s"] * len(values))

    def lit(*values: str) -> str:
        """Our own vocabulary as SQL literals: constants, never user input (kept out of the
        parameters so that their order is the order of the text)."""
        for value in values:
            if not re.fullmatch(r"[a-z_]+", value):
                raise ValueError(value)
        return ", ".join(f"'{value}'" for value in values)

    def flag(condition: str, then: str = "1") -> str:
        return f"CASE WHEN {condition} THEN {then} ELSE 0 END"

    figure_columns = [flag(f"fg.metric = {lit(m)}", "fg.value") for m in SUMMED_METRICS]
    figure_columns += [flag(f"fg.metric = {lit(m)} AND fg.is_lower_bound") for m in SUMMED_METRICS]
    started = lit(*STARTED_STATUSES)
    record_metric = {
        Metric.INTERESTED: flag(f"p.status = {lit(ParticipationStatus.INTERESTED)}"),
        Metric.STARTS: flag(f"p.status IN ({started})"),
        Metric.COMPLETIONS: flag(f"p.status = {lit(ParticipationStatus.COMPLETED)}"),
        Metric.PLACEMENTS: flag("p.placed_on IS NOT NULL"),
        Metric.HIRES: flag("p.hired_on IS NOT NULL"),
        Metric.CERTIFICATES: flag("p.certified_on IS NOT NULL"),
    }
    record_columns = [record_metric.get(m, "0") for m in SUMMED_METRICS]
    record_columns += ["0"] * len(SUMMED_METRICS)
    person = f"CASE WHEN p.status IN ({lit(*STARTED_STATUSES)}) THEN p.jobseeker_id END"
    employer_metric = {
        Metric.EMPLOYERS: flag(f"eo.kind = {lit(OrganisationKind.COMPANY)}"),
        Metric.AGENCIES: flag(f"eo.kind = {lit(OrganisationKind.AGENCY)}"),
        Metric.VACANCIES: "COALESCE(e.vacancies, 0)",
    }
    employer_columns = [employer_metric.get(m, "0") for m in SUMMED_METRICS]
    employer_columns += ["0"] * len(SUMMED_METRICS)
    names = [f"m_{m}" for m in SUMMED_METRICS] + [f"lb_{m}" for m in SUMMED_METRICS]

    def select(columns: list[str]) -> str:
        return ", ".join(f"{sql} AS {name}" for sql, name in zip(columns, names, strict=True))

    zeros = select(["0"] * len(names))
    facts = f"""
        SELECT fg.action_id AS action_id, fg.pes_id AS pes_id, NULL AS person_id, 0 AS is_record,
               {select(figure_columns)}
          FROM {figure} fg WHERE fg.action_id IN (SELECT id FROM sel)
        UNION ALL
        SELECT p.action_id, j.pes_id, {person}, 1, {select(record_columns)}
          FROM {participation} p JOIN {jobseeker} j ON j.id = p.jobseeker_id
         WHERE p.action_id IN (SELECT id FROM sel)
        UNION ALL
        SELECT e.action_id, NULL, NULL, 0, {select(employer_columns)}
          FROM {employer} e JOIN {organisation} eo ON eo.id = e.organisation_id
         WHERE e.action_id IN (SELECT id FROM sel)
        UNION ALL
        SELECT s.id, NULL, NULL, 0, {zeros}
          FROM sel s
         WHERE NOT EXISTS (SELECT 1 FROM {figure} x WHERE x.action_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM {participation} x WHERE x.action_id = s.id)
           AND NOT EXISTS (SELECT 1 FROM {employer} x WHERE x.action_id = s.id)
    """
    joins = [f"JOIN {action} a ON a.id = f.action_id"]
    if "project" in group_by:
        joins.append(f"JOIN {Project._meta.db_table} pr ON pr.id = a.project_id")
    if "pes" in group_by or pes:
        joins.append(f"LEFT JOIN {organisation} o ON o.id = f.pes_id")
    if "sector" in group_by:
        joins.append(f"LEFT JOIN {Sector._meta.db_table} sec ON sec.id = a.sector_id")
    where = ""
    if pes:
        known = [slug for slug in pes if slug != UNKNOWN_PES]
        conditions = [f"o.slug IN ({placeholders(known)})"] if known else []
        if UNKNOWN_PES in pes:
            conditions.append("f.pes_id IS NULL")
        where = "WHERE " + " OR ".join(conditions)
    dimensions = [f"{_DIMENSION_SQL[d]} AS {d}" for d in group_by]
    aggregates = [
        "COUNT(DISTINCT f.action_id) AS actions",
        *[f"COALESCE(SUM(f.m_{m}), 0) AS {m}" for m in SUMMED_METRICS],
        "CASE WHEN SUM(f.is_record) > 0 THEN COUNT(DISTINCT f.person_id) END AS people",
        *[f"COALESCE(MAX(f.lb_{m}), 0) AS lb_{m}" for m in SUMMED_METRICS],
    ]
    sql = (
        f"WITH sel AS ({action_sql}) SELECT {', '.join(dimensions + aggregates)}"
        f" FROM ({facts}) f {' '.join(joins)} {where}"
    )
    if group_by:
        # NULLs last on every database, in the order of the dimensions asked.
        keys = [_DIMENSION_SQL[d] for d in group_by]
        sql += " GROUP BY " + ", ".join(keys)
        sql += " ORDER BY " + ", ".join(
            f"CASE WHEN {k} IS NULL THEN 1 ELSE 0 END, {k}" for k in keys
        )
    return sql, params


def _run(group_by: list[str], actions: QuerySet[Action], pes: list[str]) -> list[dict[str, Any]]:
    sql, params = _sql(group_by, actions, pes)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        raw_rows = cursor.fetchall()
    rows = []
    for raw in raw_rows:
        values = dict(zip(columns, raw, strict=True))
        row: dict[str, Any] = {d: values[d] for d in group_by}
        row["actions"] = int(values["actions"])
        for metric in SUMMED_METRICS:
            row[metric] = int(values[metric])
        row["people"] = None if values["people"] is None else int(values["people"])
        bounds = [m for m in SUMMED_METRICS if values[f"lb_{m}"]]
        row["lower_bound"] = bool(bounds)
        row["lower_bounds"] = bounds
        rows.append(row)
    return rows


@dataclass
class TargetProgress:
    kind: str
    year: int
    target: int
    actual: int
    lower_bound: bool

    @property
    def ratio(self) -> float | None:
        """Share of the target reached (1.0 is reached); None for a target of 0."""
        return self.actual / self.target if self.target else None


@dataclass
class IndicatorProgress:
    """An indicator's actual value, derived from the records, against its targets."""

    code: str
    name: str
    unit: str
    project: str | None  # a project slug; None for the whole programme
    actual: int
    lower_bound: bool
    targets: list[TargetProgress] = field(default_factory=list)


def indicator_progress(
    *, projects: Sequence[str] | None = None, until_year: int | None = None
) -> list[IndicatorProgress]:
    """Progress of every indicator per project (those with a target or given) and for the
    programme. Actuals count realised actions up to a target's year (or ``until_year``), never a
    typed-in value. A fixed number of queries."""
    from projects.models import Indicator, IndicatorSource, ProjectPartner, Target

    filters: dict[str, Any] = {"project": list(projects)} if projects else {}
    if until_year is not None:
        filters["date_to"] = f"{until_year}-12-31"
    # The rows only: the totals would be a second pass over the data that nothing here reads.
    actions, _pes = report_actions(filters)
    rows = _run(["project", "action_type", "year"], actions, [])
    indicators = list(Indicator.objects.order_by("code"))
    target_rows = Target.objects.select_related("project", "indicator")
    if projects:
        target_rows = target_rows.filter(project__slug__in=projects)
    targets = list(target_rows)
    partner_rows = ProjectPartner.objects.values_list("project__slug", "organisation_id")
    if projects:
        partner_rows = partner_rows.filter(project__slug__in=projects)
    partners: dict[str, set[int]] = {}
    for slug, organisation_id in partner_rows:
        partners.setdefault(slug, set()).add(organisation_id)

    def actual(indicator: Indicator, project: str | None, year: int | None) -> tuple[int, bool]:
        if indicator.source == IndicatorSource.PARTNERS:
            if project is None:
                return len(set().union(*partners.values())) if partners else 0, False
            return len(partners.get(project, set())), False
        total, bound = 0, False
        for row in rows:
            if project is not None and row["project"] != project:
                continue
            if indicator.action_types and row["action_type"] not in indicator.action_types:
                continue
            if year is not None and row["year"] > year:
                continue
            total += row[indicator.source]
            bound = bound or indicator.source in row["lower_bounds"]
        return total, bound

    project_slugs = sorted(set(projects or ()) | {t.project.slug for t in targets})
    result: list[IndicatorProgress] = []
    for scope in [*project_slugs, None]:
        for indicator in indicators:
            own = [
                t
                for t in targets
                if t.indicator_id == indicator.pk and (scope is None or t.project.slug == scope)
            ]
            if scope is not None and not own and not projects:
                continue
            value, bound = actual(indicator, scope, until_year)
            progress = IndicatorProgress(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                project=scope,
                actual=value,
                lower_bound=bound,
            )
            by_key: dict[tuple[str, int], int] = {}
            for target in own:
                by_key[(target.kind, target.year)] = (
                    by_key.get((target.kind, target.year), 0) + target.value
                )
            for (kind, year), target_value in sorted(
                by_key.items(), key=lambda item: (item[0][1], item[0][0])
            ):
                reached, reached_bound = actual(
                    indicator, scope, min(year, until_year) if until_year else year
                )
                progress.targets.append(
                    TargetProgress(
                        kind=kind,
                        year=year,
                        target=target_value,
                        actual=reached,
                        lower_bound=reached_bound,
                    )
                )
            result.append(progress)
    return result


def outcome_tables(
    *,
    groupings: Sequence[Sequence[str]],
    filters: Mapping[str, Any] | QueryDict | None = None,
) -> list[OutcomeTable]:
    """The outcomes table of the same actions under several groupings, as ``outcomes()`` gives
    each: the filters are checked once and the totals, the same for every grouping, counted
    once. One query per grouping plus one."""
    parsed = [parse_group_by(list(group_by)) for group_by in groupings]
    actions, pes = report_actions(filters)
    totals = _run([], actions, pes)[0]
    return [
        OutcomeTable(group_by=group_by, rows=_run(group_by, actions, pes), totals=totals)
        for group_by in parsed
    ]


def action_outcomes(
    *, filters: Mapping[str, Any] | QueryDict | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The figures of each action (rows keyed by ``action``, its id) and of each action and PES
    (keyed by ``action`` and ``pes``), with the counting rules of ``outcomes()``. Two queries."""
    actions, pes = report_actions(filters)
    return _run(["action"], actions, pes), _run(["action", "pes"], actions, pes)


def action_figures(actions: QuerySet[Action]) -> dict[int, dict[str, Any]]:
    """The metrics of each of these actions, keyed by its id, whatever their status (the action
    list and its exports, a project's actions), with the counting rules of ``outcomes()``: the
    SQL dimension ``action`` above. One query for any number of actions."""
    return {row.pop("action"): row for row in _run(["action"], actions.order_by(), [])}


def action_outcomes_by_pes(action: Action) -> OutcomeTable:
    """One action's figures per PES (unsplit figures and employers under PES None) and its
    totals, whatever its status (a planned action may already have interested jobseekers).
    Two queries."""
    actions = Action.objects.filter(pk=action.pk).order_by()
    return OutcomeTable(
        group_by=["pes"], rows=_run(["pes"], actions, []), totals=_run([], actions, [])[0]
    )


def planned_actions(
    *,
    filters: Mapping[str, Any] | QueryDict | None = None,
    after: datetime.date | None = None,
    limit: int = 10,
) -> list[Action]:
    """The next planned actions, soonest first: those starting on or after ``after`` (an action
    known only by its semester or year counts when that period reaches the day), through the
    shared ActionFilterSet (project, action type, sector, ...). One query."""
    data = split_commas(filters or QueryDict(), ActionFilterSet.MULTI)
    data.setlist("status", [ActionStatus.PLANNED])
    if after is not None:
        data["date_from"] = after.isoformat()
    filterset = ActionFilterSet(data, queryset=Action.objects.select_related("project", "sector"))
    if not filterset.is_valid():
        raise ReportParameterError(
            {
                name: [str(message) for message in messages]
                for name, messages in filterset.errors.items()
            }
        )
    return list(filterset.qs.order_by("year", "semester", "start_date", "pk")[:limit])
