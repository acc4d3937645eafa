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
- ``reached`` (visitors of fairs and info sessions) is a metric of its own, never in ``starts``.
- ``work_found`` (metrics.WORK_FOUND) is a placement or a hire by an employer of the action: a
  participation record that says both counts once, figures of both are added up.
- The placement rate (placement_rate) is ``rate_work_found`` over ``rate_starts``: the work
  found and the starts of the actions after which work can be found
  (metrics.WORK_FOUND_ACTION_TYPES) and is known on the report's date (Action.outcomes_pending
  is false). ``outcomes_pending`` counts the actions of those types whose work found is not
  known yet: left out of both parts of the rate, and shown as "not yet known", never 0.
- A figure flagged as a lower bound ("more than 200") makes its metric, in every row and total
  that includes it, a lower bound too.
- Reporting periods (projects.models.ReportingPeriod): a figure or record of PES p in an action
  of project P with year y and semester s belongs to the period (P, y, s, p). With `approved`
  only the figures and records of approved periods count; figures without a PES (unsplit
  counts, and the employers present, who belong to no PES) belong to no period, cannot be
  approved and are left out; the actions themselves still count, an action without an approved
  fact under PES None like an action without any figure. Otherwise every fact counts and a row
  is `provisional` when it counts a fact that `approved` would leave out.
- Who took part (participants.attributes.PERSONAL_DIMENSIONS, the one declaration: gender and
  education level of the jobseeker, the status at entry of the record, the age band and youth
  band at entry, from the year of birth and the year the action starts): only participation
  records say it. Grouped by a personal dimension, figures, employers present, actions without
  any fact and records that do not say it fall under the value None ("not recorded"), as unsplit
  figures fall under PES None, so the rows of an additive metric still add up to the total; an
  action counts once in each row it has facts in. With a personal filter (`gender=woman`) only
  the matching records count: figures and employers cannot be attributed and are left out, and
  the actions counted are those with a matching record. The jobseekers (and, for the age, the
  actions) are joined to the records only when a personal dimension or filter is asked.
- The result measures (RESULT_MEASURES) come from participation records only: in work on
  leaving and six months on (IN_WORK_SITUATIONS), in a better situation six months on, and for
  each follow-up how many are known, not yet known (not done and not overdue on `as_of`: not
  yet due, or due within settings.FOLLOW_UP_GRACE_DAYS) and unknown (overdue), by the rule of
  Participation.follow_up_state. The cut-off days are computed in Python and compared in SQL,
  the same on SQLite and PostgreSQL. A result of 0 where none is known and some are not yet
  known reads "not yet known", never 0 (result_reading).
"""

from __future__ import annotations

import binascii
import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, router
from django.db.models import Count, Field, Model, QuerySet, Window
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyroaring import BitMap

from actions.models import Action, ActionEmployer, Figure, Sector
from crossborder.core.metrics import (
    DERIVED_METRICS,
    PEOPLE,
    REGISTRY,
    SUMMED_METRICS,
    WORK_FOUND,
    WORK_FOUND_ACTION_TYPES,
    EmployerRule,
    Metric,
    RecordRule,
    record_rules,
)
from crossborder.core.periods import add_months, semester_of
from crossborder.core.vocabulary import REALISED_STATUSES, STARTED_STATUSES, ActionStatus
from participants.attributes import PERSONAL_DIMENSIONS, band_sql
from participants.models import (
    IN_WORK_SITUATIONS,
    FollowUpKind,
    FollowUpState,
    Jobseeker,
    Participation,
    SixMonthSituation,
)
from projects.models import Organisation, PeriodStatus, Project, ReportingPeriod

from . import answers
from .filters import (
    APPROVED,
    UNKNOWN_PES,
    ActionFilterSet,
    ended_before,
    parse_approved,
    personal_filters,
    split_commas,
)
from .models import (
    BY_ACTION,
    CellMember,
    DirtyAction,
    FactRollup,
    OpenFollowUp,
    RollupCell,
    RollupState,
    code_column,
    settled_codes,
    situations_of,
)

# The dimensions of the actions and of their facts' PES.
ACTION_DIMENSIONS: tuple[str, ...] = (
    "year",
    "semester",
    "project",
    "action_type",
    "pes",
    "sector",
    "status",
)
# Who took part (participants.attributes, the one declaration): read from participation
# records only, figures and employers present fall under None.
PERSONAL: tuple[str, ...] = tuple(PERSONAL_DIMENSIONS)
DIMENSIONS: tuple[str, ...] = (*ACTION_DIMENSIONS, *PERSONAL)


class ReportParameterError(ValidationError):
    """A report asked with a parameter that is not understood; messages are keyed by parameter."""


@dataclass
class OutcomeTable:
    group_by: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"group_by": self.group_by, "results": self.rows, "totals": self.totals}


# What the follow-ups of participation records say (Participation.FOLLOW_UP_FIELDS,
# follow_up_state): the ESF+ result indicators, and how many follow-ups are known, not yet known
# (not due yet, or due and within the grace days) or unknown (overdue) on the report's day.
KNOWN, NOT_YET_KNOWN, UNKNOWN = "known", "not_yet_known", "unknown"
_STATES_OF = {
    KNOWN: (FollowUpState.DONE.value,),
    NOT_YET_KNOWN: (FollowUpState.NOT_DUE.value, FollowUpState.DUE.value),
    UNKNOWN: (FollowUpState.OVERDUE.value,),
}


@dataclass(frozen=True)
class ResultMeasure:
    """A result measure, counted from participation records only (a figure cannot say it): a
    record counts once when the situation of its follow-up `kind` is one of `situations`, or
    when that follow-up stands in one of `states` (FollowUpState) on the report's day."""

    slug: str
    heading: Promise
    definition: Promise
    kind: str
    situations: tuple[str, ...] = ()
    states: tuple[str, ...] = ()


def _state_measure(kind: str, reading: str, heading: Promise, definition: Promise) -> ResultMeasure:
    return ResultMeasure(f"{kind}_{reading}", heading, definition, kind, states=_STATES_OF[reading])


# In the order every table and file shows them, after the metrics.
RESULT_MEASURES: dict[str, ResultMeasure] = {
    measure.slug: measure
    for measure in (
        ResultMeasure(
            "in_work_on_leaving",
            gettext_lazy("In work on leaving"),
            gettext_lazy(
                "Participants in employment or self-employed on leaving (the situation on"
                " leaving, checked within four weeks of the end)."
            ),
            FollowUpKind.ON_LEAVING,
            situations=IN_WORK_SITUATIONS,
        ),
        _state_measure(
            FollowUpKind.ON_LEAVING,
            KNOWN,
            gettext_lazy("Known on leaving"),
            gettext_lazy("Participants whose situation on leaving is recorded."),
        ),
        _state_measure(
            FollowUpKind.ON_LEAVING,
            NOT_YET_KNOWN,
            gettext_lazy("Not yet known on leaving"),
            gettext_lazy(
                "Participants whose situation on leaving is not recorded and not overdue on the"
                " report's day: not yet due, or due within the grace days."
            ),
        ),
        _state_measure(
            FollowUpKind.ON_LEAVING,
            UNKNOWN,
            gettext_lazy("Unknown on leaving"),
            gettext_lazy(
                "Participants whose situation on leaving is not recorded and overdue on the"
                " report's day."
            ),
        ),
        ResultMeasure(
            "in_work_six_months",
            gettext_lazy("In work six months on"),
            gettext_lazy("Participants in employment or self-employed six months after leaving."),
            FollowUpKind.SIX_MONTHS,
            situations=IN_WORK_SITUATIONS,
        ),
        ResultMeasure(
            "better_situation",
            gettext_lazy("Better situation six months on"),
            gettext_lazy(
                "Participants in a better labour-market situation six months after leaving"
                " (not in work: in work counts as in work six months on)."
            ),
            FollowUpKind.SIX_MONTHS,
            situations=(SixMonthSituation.BETTER_SITUATION.value,),
        ),
        _state_measure(
            FollowUpKind.SIX_MONTHS,
            KNOWN,
            gettext_lazy("Known six months on"),
            gettext_lazy("Participants whose situation six months after leaving is recorded."),
        ),
        _state_measure(
            FollowUpKind.SIX_MONTHS,
            NOT_YET_KNOWN,
            gettext_lazy("Not yet known six months on"),
            gettext_lazy(
                "Participants whose situation six months after leaving is not recorded and not"
                " overdue on the report's day: not yet due, or due within the grace days."
            ),
        ),
        _state_measure(
            FollowUpKind.SIX_MONTHS,
            UNKNOWN,
            gettext_lazy("Unknown six months on"),
            gettext_lazy(
                "Participants whose situation six months after leaving is not recorded and"
                " overdue on the report's day."
            ),
        ),
    )
}
RESULTS: tuple[str, ...] = tuple(RESULT_MEASURES)


def result_reading(row: Mapping[str, Any], slug: str) -> str:
    """How a result measure of a row reads where its number says nothing: NOT_YET_KNOWN for 0
    when none of the row's follow-ups of its kind is known and some are not yet known (never
    0), UNKNOWN when all of them are overdue; "" when the number stands (a count of follow-up
    states always does), or when a count it reads is withheld (reports.protection: its reading
    would tell it)."""
    measure = RESULT_MEASURES[slug]
    known, pending, overdue = (
        row.get(f"{measure.kind}_{reading}") for reading in (KNOWN, NOT_YET_KNOWN, UNKNOWN)
    )
    if measure.states or row.get(slug) != 0 or None in (known, pending, overdue) or known:
        return ""
    if pending:
        return NOT_YET_KNOWN
    if overdue:
        return UNKNOWN
    return ""


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

    Filters go through the shared ActionFilterSet; the status defaults to realised. `approved`
    and the personal filters are no filters of actions (see approved_only, personal_only): they
    are left out here.
    """
    data = split_commas(filters or QueryDict(), ActionFilterSet.MULTI)
    for name in (APPROVED, *PERSONAL):
        data.pop(name, None)
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


def approved_only(filters: Mapping[str, Any] | QueryDict | None) -> bool:
    """Whether the filters ask for the figures of approved periods only (`approved=true`);
    ReportParameterError naming `approved` for a value that is no yes or no."""
    if not filters:
        return False
    values = filters.getlist(APPROVED) if isinstance(filters, QueryDict) else filters.get(APPROVED)
    if isinstance(values, list | tuple):
        values = values[-1] if values else None
    try:
        return parse_approved(values)
    except ValidationError as error:
        raise ReportParameterError({APPROVED: list(error.messages)}) from error


def personal_only(filters: Mapping[str, Any] | QueryDict | None) -> dict[str, list[str]]:
    """The personal filters among the filters (reports.filters.personal_filters): with any,
    only the participation records that match count; ReportParameterError naming each
    parameter with a value that is none of its choices."""
    try:
        return personal_filters(filters)
    except ValidationError as error:
        raise ReportParameterError(error.message_dict) from error


def outcomes(
    *,
    group_by: Sequence[str] = (),
    filters: Mapping[str, Any] | QueryDict | None = None,
    as_of: datetime.date | None = None,
) -> OutcomeTable:
    """The outcomes table: one row per combination of the dimensions, in the order asked, and
    the totals. Two queries whatever the number of rows (one without dimensions: the only row is
    the totals). `approved` among the filters: the approved periods' figures only; personal
    filters (`gender`, `age_band`, ...): the matching participation records only. `as_of`
    (default today) decides which actions' work found is known (Action.outcomes_pending) and
    where each follow-up stands (the result measures)."""
    group_by = parse_group_by(list(group_by))
    approved = approved_only(filters)
    who = personal_only(filters)
    day = as_of or timezone.localdate()

    def table() -> OutcomeTable:
        actions, pes = report_actions(filters)
        return _table(group_by, actions, pes, approved, day, who)

    asked = _asked_filters(filters)
    if asked is not None and _rollup_eligible(group_by, who):
        # Kept by what was asked, so that a kept table is given without checking the filters
        # and building its statement again (which `_table` keys its answer by): the filters
        # that name rows (a project's slug) name the same rows while the data version stands.
        kept = answers.asked(
            "outcomes",
            router.db_for_read(Action),
            day,
            table,
            group_by=tuple(group_by),
            filters=_as_filters(asked),
        )
        if kept is not None:
            return kept
    return table()


def _asked_filters(filters: Mapping[str, Any] | QueryDict | None) -> tuple[Any, ...] | None:
    """The filters as a part of an answer's key (reports.answers): each name with its values, in
    the order of the names; None when a value is not plain (a model instance, say, whose text
    might not tell it from another), and the answer is then not kept by them."""
    if not filters:
        return ()
    items = (
        filters.lists()
        if isinstance(filters, QueryDict)
        else (
            (name, list(value) if isinstance(value, list | tuple) else [value])
            for name, value in filters.items()
        )
    )
    asked = []
    for name, values in sorted(items, key=lambda item: str(item[0])):
        if not all(isinstance(value, _PLAIN) for value in values):
            return None
        asked.append((str(name), tuple(values)))
    return tuple(asked)


_PLAIN = (str, int, datetime.date, type(None))


def _as_filters(asked: tuple[Any, ...]) -> dict[str, list[Any]]:
    """The filters of _asked_filters again, as outcomes() takes them (reports.answers.warm)."""
    return {name: list(values) for name, values in asked}


def outcomes_from_params(
    params: QueryDict | Mapping[str, Any], *, as_of: datetime.date | None = None
) -> OutcomeTable:
    """The outcomes table for request parameters: `group_by` plus the filters, as of `as_of`
    (read by the caller: the API's `as_of`)."""
    data = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        for key, value in params.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                data.appendlist(key, str(item))
    group_by = data.getlist("group_by")
    # The CSV's separator (`sep`) is the renderer's, checked by the API's negotiation.
    for name in ("group_by", "format", "lang", "sep", "as_of"):
        data.pop(name, None)
    unknown = sorted(set(data) - {*ActionFilterSet.base_filters, APPROVED, *PERSONAL})
    if unknown:
        raise ReportParameterError({name: [_("Unknown parameter.")] for name in unknown})
    return outcomes(group_by=parse_group_by(group_by), filters=data, as_of=as_of)


# How a grouped row names each dimension: the statement groups on ids and codes of the action
# (`a`, joined to the facts by primary key) and of the fact's PES, and joins the slugs of the
# few resulting rows afterwards.
_GROUP_KEYS = {
    "year": "a.year",
    "semester": "NULLIF(a.semester, '')",
    "project": "a.project_id",
    "action_type": "a.action_type",
    "pes": "f.pes_id",
    "sector": "a.sector_id",
    "status": "a.status",
    # Who took part: columns of the facts (_facts), None but on participation records.
    **{slug: f"f.d_{slug}" for slug in PERSONAL},
    # One row per action, for the year report and the action list: known to the SQL only, never
    # a `group_by` a URL may ask for (parse_group_by, the one door of `group_by`, refuses it).
    "action": "a.id",
}
# Dimensions shown by slug: (table, alias) of the slug joined after grouping.
_SLUG_TABLES = {
    "project": (Project._meta.db_table, "pr"),
    "pes": (Organisation._meta.db_table, "o"),
    "sector": (Sector._meta.db_table, "sec"),
}


def _lit(*values: str) -> str:
    """Our own vocabulary as SQL literals: constants, never user input (kept out of the
    parameters so that their order is the order of the text)."""
    for value in values:
        if not re.fullmatch(r"[a-z_]+", value):
            raise ValueError(value)
    return ", ".join(f"'{value}'" for value in values)


def _flag(condition: str, then: str = "1") -> str:
    return f"CASE WHEN {condition} THEN {then} ELSE 0 END"


class _Statement:
    """The text of one statement and its parameters, in the order of the text."""

    def __init__(self, actions: QuerySet[Action]) -> None:
        if not actions.query.is_sliced:
            # A set of ids: the order of a list would make the database sort them for nothing.
            actions = actions.order_by()
        try:
            action_sql, action_params = actions.values("id").query.sql_with_params()
        except EmptyResultSet:
            # Django writes no SQL for a filter that matches nothing (`pk__in=[]`, an empty
            # page of the action list): the same statement over no action instead.
            action_sql, action_params = f"SELECT id FROM {Action._meta.db_table} WHERE 1 = 0", ()
        self.params: list[Any] = list(action_params)
        # Not materialized on PostgreSQL: each reference reads the actions again, with the
        # planner's statistics of their table (a materialized selection has none: estimated at
        # 200 rows, it had a hundred thousand actions looked up one by one at ten million).
        inlined = " NOT MATERIALIZED" if connections[actions.db].vendor == "postgresql" else ""
        self.sel = f"WITH sel AS{inlined} ({action_sql})"
        # Measures a grouped statement carries beyond the table's (the rollups' people).
        self.extra_measures: list[str] = []

    def placeholders(self, values: Sequence[Any]) -> str:
        self.params.extend(values)
        return ", ".join(["%s"] * len(values))

    def pes_condition(self, column: str, pes: list[str], *, unknown: bool = True) -> str:
        """`column` (a PES id) is one of the PES asked for; "unknown" matches no PES, unless
        `unknown` is False (participation records always have one)."""
        known = [slug for slug in pes if slug != UNKNOWN_PES]
        conditions = []
        if known:
            conditions.append(
                f"{column} IN (SELECT id FROM {Organisation._meta.db_table}"
                f" WHERE slug IN ({self.placeholders(known)}))"
            )
        if unknown and UNKNOWN_PES in pes:
            conditions.append(f"{column} IS NULL")
        return "(" + (" OR ".join(conditions) or "1 = 0") + ")"


def _column(model: type[Model], name: str) -> str:
    """The column of a model's field that a registry rule names."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is no column: a metric's rule must name one.")
    return field.column


def _record_condition(rule: RecordRule) -> str:
    """The participation records (`p`) that count for a metric, from its registry rule."""
    if rule.dated:
        return f"p.{_column(Participation, rule.dated)} IS NOT NULL"
    if len(rule.statuses) == 1:
        return f"p.status = {_lit(*rule.statuses)}"
    return f"p.status IN ({_lit(*rule.statuses)})"


def _employer_column(rule: EmployerRule) -> str:
    """What one employer present (`e`, its organisation `eo`) counts for a metric, from its
    registry rule."""
    if rule.summed:
        return f"COALESCE(e.{_column(ActionEmployer, rule.summed)}, 0)"
    return _flag(f"eo.kind = {_lit(rule.kind)}")


def _among(column: str, values: Sequence[str]) -> str:
    """`column` is one of our own vocabulary's `values` (metrics, types, statuses)."""
    if len(values) == 1:
        return f"{column} = {_lit(*values)}"
    return f"{column} IN ({_lit(*values)})"


def _parts(metric: str) -> tuple[str, ...]:
    """The figure metrics a measure sums: its own, or those a derived measure adds."""
    return REGISTRY[metric].adds or (metric,)


def _records_condition(metric: str) -> str | None:
    """The participation records (`p`) that count once for a metric or a derived measure (any
    of its parts' rules), from the registry; None when no record counts for it."""
    conditions = [_record_condition(rule) for rule in record_rules(metric)]
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else "(" + " OR ".join(conditions) + ")"


def _employers_column(metric: str) -> str:
    """What one employer present counts for a metric or a derived measure (the sum of its
    parts'), from the registry."""
    columns = [
        _employer_column(rule)
        for rule in (REGISTRY[part].employer for part in _parts(metric))
        if rule is not None
    ]
    return " + ".join(columns) or "0"


def _approved_fact(alias: str) -> str:
    """The figure or participation record `alias` (its `action_id` and `pes_id`) belongs to an
    approved reporting period: the one of its PES in its action's project, year and semester.
    A fact without a PES belongs to no period, so it never is. Written in a WHERE clause, where
    the database joins it once (a semi-join) rather than asking row by row."""
    period, action = ReportingPeriod._meta.db_table, Action._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {period} rp JOIN {action} ra ON ra.project_id = rp.project_id"
        f" AND ra.year = rp.year AND ra.semester = rp.semester"
        f" WHERE ra.id = {alias}.action_id AND rp.pes_id = {alias}.pes_id"
        f" AND rp.status = {_lit(PeriodStatus.APPROVED)})"
    )


def _person() -> str:
    """The jobseeker of a record that counts for `people`, else NULL (for COUNT DISTINCT)."""
    rule = REGISTRY[PEOPLE].record
    if rule is None:
        raise ValueError(f"The metric {PEOPLE} needs a rule for participation records.")
    return f"CASE WHEN {_record_condition(rule)} THEN p.jobseeker_id END"


# The measures every fact carries as a column, summed per row: the metrics a figure may count,
# then the measures derived from them.
FACT_METRICS: tuple[str, ...] = (*SUMMED_METRICS, *DERIVED_METRICS)
# The placement rate's parts (see placement_rate): the starts and the work found of the actions
# after which work can be found and is known.
RATE_STARTS, RATE_WORK_FOUND = "rate_starts", "rate_work_found"
RATE_MEASURES: tuple[str, ...] = (RATE_STARTS, RATE_WORK_FOUND)
# The number of such actions whose work found is not known yet.
OUTCOMES_PENDING = "outcomes_pending"
# Every measure of a row that may be a lower bound, in the order `lower_bounds` lists them.
BOUNDED_MEASURES: tuple[str, ...] = (*FACT_METRICS, *RATE_MEASURES)


def _personal_sql(slug: str) -> str:
    """A personal dimension of a participation record `p` (its jobseeker `j`, its action `pa`)
    as SQL, read from its declaration (participants.attributes); NULL where the record does not
    say it. The age band is the band of the age at entry: the action's year (the year it
    starts) less the year of birth (attributes.age_at_entry)."""
    dimension = PERSONAL_DIMENSIONS[slug]
    if dimension.source == "age":
        age = f"(pa.{_column(Action, 'year')} - j.{_column(Jobseeker, 'birth_year')})"
        return band_sql(age, dimension.bands)
    if dimension.source == "jobseeker":
        return f"NULLIF(j.{_column(Jobseeker, dimension.field)}, '')"
    if dimension.source == "participation":
        return f"NULLIF(p.{_column(Participation, dimension.field)}, '')"
    raise ValueError(f"{slug}: no SQL for the source {dimension.source!r}.")


def _records_from(personal: Sequence[str]) -> str:
    """The participation records `p`, joined to their jobseeker `j` and action `pa` only where
    one of these personal dimensions or filters reads them: the reports without any read
    neither, and keep their speed."""
    sources = {PERSONAL_DIMENSIONS[slug].source for slug in personal}
    sql = f"{Participation._meta.db_table} p"
    if sources & {"jobseeker", "age"}:
        sql += f" JOIN {Jobseeker._meta.db_table} j ON j.id = p.jobseeker_id"
    if "age" in sources:
        sql += f" JOIN {Action._meta.db_table} pa ON pa.id = p.action_id"
    return sql


def _personal_condition(statement: _Statement, filters: Mapping[str, Sequence[str]]) -> str:
    """` AND ...`: the records `p` that match every personal filter (values checked against
    their choices by reports.filters.personal_filters, and passed as parameters)."""
    return "".join(
        f" AND {_personal_sql(slug)} IN ({statement.placeholders(list(values))})"
        for slug, values in filters.items()
    )


def _due_on(kind: str, left_on: datetime.date) -> datetime.date:
    """Participation.follow_up_due_on for a day of leaving (a test holds the two together)."""
    return left_on if kind == FollowUpKind.ON_LEAVING else add_months(left_on, 6)


def _first_left_on(kind: str, due: datetime.date) -> datetime.date:
    """The first day of leaving whose follow-up of `kind` falls due on or after `due`. The due
    day never goes back as the day of leaving moves on (six months on, 29, 30 and 31 August all
    fall due on 28 February), so the records due on or after `due` are those that left on or
    after this day: one comparison in SQL, the same on SQLite and PostgreSQL."""
    day = due
    while _due_on(kind, day) >= due:
        day -= datetime.timedelta(days=31)
    while _due_on(kind, day) < due:
        day += datetime.timedelta(days=1)
    return day


# The states of an open follow-up (not done), from the earliest days of leaving to the latest.
_OPEN_STATES = (FollowUpState.OVERDUE.value, FollowUpState.DUE.value, FollowUpState.NOT_DUE.value)


def _left_on_range(
    kind: str, states: Sequence[str], as_of: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
    """The days of leaving (from, before: None unbounded) of the records whose follow-up of
    `kind`, not done, stands in one of `states` on `as_of` (Participation.follow_up_state):
    overdue when due more than settings.FOLLOW_UP_GRACE_DAYS before `as_of`, due up to
    `as_of`, not due after it. The dates are computed here, the database only compares."""
    grace = datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS)
    overdue_before = _first_left_on(kind, as_of - grace)
    due_before = _first_left_on(kind, as_of + datetime.timedelta(days=1))
    ranges = {
        FollowUpState.OVERDUE.value: (None, overdue_before),
        FollowUpState.DUE.value: (overdue_before, due_before),
        FollowUpState.NOT_DUE.value: (due_before, None),
    }
    positions = sorted(_OPEN_STATES.index(state) for state in states)
    if positions != list(range(positions[0], positions[-1] + 1)):
        raise ValueError(f"{states}: not neighbouring states of an open follow-up.")
    return ranges[_OPEN_STATES[positions[0]]][0], ranges[_OPEN_STATES[positions[-1]]][1]


def _between(
    column: str,
    statement: _Statement,
    bounds: tuple[datetime.date | None, datetime.date | None],
) -> str:
    """`column` (a date) within bounds (from, before), each a parameter."""
    start, before = bounds
    conditions = [f"{column} IS NOT NULL"]
    if start is not None:
        conditions.append(f"{column} >= {statement.placeholders([start])}")
    if before is not None:
        conditions.append(f"{column} < {statement.placeholders([before])}")
    return " AND ".join(conditions)


def _by_left_on(measure: ResultMeasure) -> bool:
    """Whether a result measure counts open follow-ups by the day the jobseeker left (their
    state on the report's day), rather than by what the record says."""
    return bool(measure.states) and FollowUpState.DONE not in measure.states


# What a record's follow-up of one kind is, in the facts' column `c_<kind>`: its situation when
# recorded; when open, its state by the record's own day of completion, or BY_ACTION when the
# action's end (else start) day decides (_result_aggregates); NULL for no follow-up.
_OPEN_CODES = (BY_ACTION, *_OPEN_STATES)


def _record_follow_up_terms() -> tuple[str, str, datetime.timedelta]:
    """What a record `p`'s follow-ups are read by: it started, its day of completion, and the
    grace days a due follow-up has before it is overdue."""
    return (
        _among("p.status", STARTED_STATUSES),
        f"p.{_column(Participation, 'completed_on')}",
        datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS),
    )


def _follow_up_columns() -> list[tuple[str, str, str]]:
    """Each follow-up kind of a record `p` with its situation's and checked day's columns."""
    return [
        (kind, f"p.{_column(Participation, situation)}", f"p.{_column(Participation, day)}")
        for kind, (situation, day, _source) in Participation.FOLLOW_UP_FIELDS.items()
    ]


def _follow_up_codes(statement: _Statement, as_of: datetime.date) -> list[str]:
    """One column per follow-up (Participation.FOLLOW_UP_FIELDS) of a participation record `p`:
    two small columns through the facts rather than one per measure, so that the reports keep
    their speed; the measures are counted from them in _result_aggregates."""
    started, completed, grace = _record_follow_up_terms()
    columns = []
    for kind, situation, checked_on in _follow_up_columns():
        not_due_from = _first_left_on(kind, as_of + datetime.timedelta(days=1))
        due_from = _first_left_on(kind, as_of - grace)
        # Checked after `as_of`: not known yet on that day (Participation.follow_up_state).
        columns.append(
            f"CASE WHEN {situation} <> '' AND ({checked_on} IS NULL"
            f" OR {checked_on} <= {statement.placeholders([as_of])}) THEN {situation}"
            f" WHEN NOT ({started}) THEN NULL"
            f" WHEN {completed} IS NULL THEN {_lit(BY_ACTION)}"
            f" WHEN {completed} >= {statement.placeholders([not_due_from])}"
            f" THEN {_lit(FollowUpState.NOT_DUE)}"
            f" WHEN {completed} >= {statement.placeholders([due_from])}"
            f" THEN {_lit(FollowUpState.DUE)}"
            f" ELSE {_lit(FollowUpState.OVERDUE)} END"
        )
    return columns


def settled_sql(statement: _Statement, horizon: datetime.date) -> str:
    """A participation record `p` (or a rollup's group of them, which has the same columns)
    whose follow-ups read the same on every day from `horizon` on (_follow_up_codes): each is
    recorded and checked by then, or not recorded and either not started, left to the action's
    dates (no day of completion) or already overdue on the horizon. The rollups count such a
    record by its reading; any other stays in their open follow-ups (reports.models)."""
    started, completed, grace = _record_follow_up_terms()
    kinds = []
    for kind, situation, checked_on in _follow_up_columns():
        recorded = (
            f"{situation} <> '' AND ({checked_on} IS NULL"
            f" OR {checked_on} <= {statement.placeholders([horizon])})"
        )
        overdue_before = _first_left_on(kind, horizon - grace)
        open_for_good = (
            f"{situation} = '' AND (NOT ({started}) OR {completed} IS NULL"
            f" OR {completed} < {statement.placeholders([overdue_before])})"
        )
        kinds.append(f"(({recorded}) OR ({open_for_good}))")
    return " AND ".join(kinds)


def _result_aggregates(statement: _Statement, as_of: datetime.date) -> list[str]:
    """The result measures of a row, over the facts `f` of the actions `a`, from the records'
    follow-up columns (_follow_up_codes), each record once (`is_record`: 1, or the number of
    records summed in one fact). A situation or a follow-up done is the record's to say. An open
    follow-up counts only after an action after which work can be found
    (metrics.WORK_FOUND_ACTION_TYPES), by its state on `as_of`: from the record's day of
    completion, else from the action's end (else start) day. Each column is written in the
    order of the text, which is the order of its parameters."""
    workable = _among("a.action_type", WORK_FOUND_ACTION_TYPES)
    left_on = f"COALESCE(a.{_column(Action, 'end_date')}, a.{_column(Action, 'start_date')})"
    columns = []
    for slug, measure in RESULT_MEASURES.items():
        code = f"f.c_{measure.kind}"
        if measure.situations:
            counted = _among(code, measure.situations)
        elif not _by_left_on(measure):
            if tuple(measure.states) != (FollowUpState.DONE.value,):
                raise ValueError(f"{measure.slug}: a state done only, or open states only.")
            counted = f"NOT {_among(code, _OPEN_CODES)}"
        else:
            bounds = _left_on_range(measure.kind, measure.states, as_of)
            counted = (
                f"{workable} AND ({_among(code, measure.states)}"
                f" OR ({code} = {_lit(BY_ACTION)} AND {_between(left_on, statement, bounds)}))"
            )
        columns.append(f"COALESCE(SUM({_flag(counted, 'f.is_record')}), 0) AS {slug}")
    return columns


def _facts(
    statement: _Statement,
    people: bool,
    approved: bool,
    as_of: datetime.date,
    dimensions: Sequence[str] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
    *,
    among: str = "sel",
    settled_on: datetime.date | None = None,
) -> str:
    """Every fact of the selected actions, one row each: figures, participation records (with
    their PES, kept on the record), employers present, and one empty row per action without
    any, so that it is counted. The metrics are columns; `bound` names the metric of a figure
    that is a lower bound; `fact` is 1 but on the empty rows. Without `people`, the records are
    summed per action and PES (and personal dimension, and state of each follow-up) first: a
    few thousand rows to group instead of a million, but no jobseeker to count distinct. How a
    record or an employer counts for a metric is the registry's rule, written as SQL; the
    result measures are the records' only (RESULT_MEASURES), from their follow-ups' columns
    `c_<kind>` (_follow_up_codes).

    The personal `dimensions` asked are columns `d_<slug>` of the records, None for every other
    fact (no figure or employer says who). With personal `filters`, only the records that match
    are facts: figures and employers cannot be attributed, and an action without a matching
    record is no fact of the table.

    With `approved`, only the figures and records of approved periods: the one place of that
    condition, which every report reads. Unsplit figures and employers present belong to no
    period, so they are left out, and an action without an approved fact gets the empty row.

    `among` names the statement's table of the actions to read (`sel`, all those selected).
    With `settled_on` (the rollups' horizon, reports.rollups), the records carry one more
    column `settled`: 1 when neither follow-up reads differently on any day from then on
    (settled_sql), NULL on every other fact.

    The text is written in the order of its parameters: the records' dates, then the values of
    the personal filters."""
    figure, participation = Figure._meta.db_table, Participation._meta.db_table
    employer, organisation = ActionEmployer._meta.db_table, Organisation._meta.db_table
    codes = [f"c_{kind}" for kind in Participation.FOLLOW_UP_FIELDS]
    names = [f"m_{m}" for m in FACT_METRICS] + codes
    personal = [_personal_sql(slug) for slug in dimensions]
    filters = filters or {}

    extra = ["settled"] if settled_on is not None else []

    def select(columns: list[str]) -> str:
        values = [f"{sql} AS {name}" for sql, name in zip(columns, names, strict=True)]
        values += [f"{sql} AS d_{slug}" for sql, slug in zip(personal, dimensions, strict=True)]
        return ", ".join(values)

    def no_person(columns: list[str]) -> str:
        values = [f"{sql} AS {name}" for sql, name in zip(columns, names, strict=True)]
        values += [f"NULL AS d_{slug}" for slug in dimensions]
        return ", ".join(values + [f"NULL AS {name}" for name in extra])

    # No figure or employer has a follow-up.
    results = ["NULL"] * len(codes)
    # A figure counts for its metric and for the measures derived from it; a record counts
    # once for a derived measure however many of its parts it says (placed and hired: one
    # jobseeker who found work).
    figure_columns = [_flag(_among("fg.metric", _parts(m)), "fg.value") for m in FACT_METRICS]
    record_conditions = [_records_condition(m) for m in FACT_METRICS]
    record_columns = [_flag(c) if c else "0" for c in record_conditions]
    if people:
        person, is_record, group = _person(), "1", ""
    else:
        record_columns = [f"SUM({column})" for column in record_columns]
        person, is_record = "NULL", "COUNT(*)"
        # The follow-ups' columns by their place in the list (after the five first columns
        # and the metrics): their text holds parameters, which a repeated expression would
        # hold again, and the database could not tell it is the same.
        first = 6 + len(FACT_METRICS)
        places = [str(first + index) for index in range(len(codes))]
        # The settled flag comes after the personal columns.
        places += [str(first + len(codes) + len(personal)) for _name in extra]
        group = "GROUP BY " + ", ".join(["p.action_id", "p.pes_id", *places, *personal])
    record_columns += _follow_up_codes(statement, as_of)
    settled = (
        f", {_flag(settled_sql(statement, settled_on))} AS settled"
        if settled_on is not None
        else ""
    )
    records_kept = f"AND {_approved_fact('p')}" if approved else ""
    records_kept += _personal_condition(statement, filters)
    records = f"""
        SELECT p.action_id AS action_id, p.pes_id AS pes_id, {person} AS person_id,
               {is_record} AS is_record, 1 AS fact, {select(record_columns)}{settled},
               NULL AS bound
          FROM {_records_from([*dimensions, *filters])}
         WHERE p.action_id IN (SELECT id FROM {among}) {records_kept} {group}"""
    if filters:
        return records
    employer_columns = [_employers_column(m) for m in FACT_METRICS] + results
    zeros = no_person(["0"] * len(FACT_METRICS) + results)
    if approved:
        figure_kept = f"AND {_approved_fact('fg')}"
        employers = ""
        # Without an approved figure or record, the action is counted by its empty row.
        without_facts = (
            f"NOT EXISTS (SELECT 1 FROM {figure} x WHERE x.action_id = s.id"
            f" AND {_approved_fact('x')})"
            f" AND NOT EXISTS (SELECT 1 FROM {participation} x WHERE x.action_id = s.id"
            f" AND {_approved_fact('x')})"
        )
    else:
        figure_kept = ""
        employers = f"""
        UNION ALL
        SELECT e.action_id, NULL, NULL, 0, 1, {no_person(employer_columns)}, NULL
          FROM {employer} e JOIN {organisation} eo ON eo.id = e.organisation_id
         WHERE e.action_id IN (SELECT id FROM {among})"""
        without_facts = (
            f"NOT EXISTS (SELECT 1 FROM {figure} x WHERE x.action_id = s.id)"
            f" AND NOT EXISTS (SELECT 1 FROM {participation} x WHERE x.action_id = s.id)"
            f" AND NOT EXISTS (SELECT 1 FROM {employer} x WHERE x.action_id = s.id)"
        )
    return f"""
        SELECT fg.action_id AS action_id, fg.pes_id AS pes_id, NULL AS person_id, 0 AS is_record,
               1 AS fact, {no_person(figure_columns + results)},
               CASE WHEN fg.is_lower_bound THEN fg.metric END AS bound
          FROM {figure} fg WHERE fg.action_id IN (SELECT id FROM {among}) {figure_kept}
        UNION ALL
        {records}
        {employers}
        UNION ALL
        SELECT s.id, NULL, NULL, 0, 0, {zeros}, NULL
          FROM {among} s
         WHERE {without_facts}
    """


def _pending(statement: _Statement, as_of: datetime.date) -> str:
    """The action `a` cannot have its work found known on `as_of`: Action.outcomes_pending in
    SQL (a test holds the two to the same answers). Never NULL: a NOT of it must be true for
    every other action."""
    expected, end, start = (
        f"a.{_column(Action, name)}" for name in ("outcomes_expected_on", "end_date", "start_date")
    )
    return (
        f"({_among('a.status', (ActionStatus.PLANNED, ActionStatus.ONGOING))}"
        f" OR ({expected} IS NOT NULL AND {expected} > {statement.placeholders([as_of])})"
        f" OR (COALESCE({end}, {start}) IS NOT NULL"
        f" AND COALESCE({end}, {start}) > {statement.placeholders([as_of])}))"
    )


def settled_action_sql(statement: _Statement, horizon: datetime.date) -> str:
    """An action `a` whose own columns read the same in every report from `horizon` on: its
    work found is known (not _pending on the horizon, so on no later day either: its status is
    neither planned nor ongoing, and the days compared are past), and a follow-up left to its
    dates (BY_ACTION, _rollup_results) is overdue on the horizon already, so on every later day
    (_left_on_range: the days of leaving of overdue follow-ups only grow). The rollups sum the
    rows of such actions into cells (reports.models.RollupCell), whose one day of leaving then
    reads as each of theirs."""
    left_on = f"COALESCE(a.{_column(Action, 'end_date')}, a.{_column(Action, 'start_date')})"
    grace = datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS)
    overdue_before = min(
        _first_left_on(kind, horizon - grace) for kind in Participation.FOLLOW_UP_FIELDS
    )
    return (
        f"NOT {_pending(statement, horizon)} AND ({left_on} IS NULL"
        f" OR {left_on} < {statement.placeholders([overdue_before])})"
    )


def _bound_named(parts: Sequence[str]) -> str:
    """A fact `f` of the records (its `bound` names the figure's metric) that is a lower bound
    of one of these metrics."""
    return _among("f.bound", parts)


def _bound_flagged(parts: Sequence[str]) -> str:
    """A fact `f` of the rollups (a flag `b_<metric>` per metric) that is a lower bound of one
    of these metrics."""
    return "(" + " OR ".join(f"f.b_{part} = 1" for part in parts) + ")"


def _rate_aggregates(
    statement: _Statement,
    as_of: datetime.date,
    bounded: Callable[[Sequence[str]], str] = _bound_named,
    *,
    distinct: bool = True,
) -> list[str]:
    """The placement rate's parts, their lower-bound flags (`bounded`: how a fact says it),
    and the number of actions whose work found is not known yet, over the facts `f` of the
    actions `a` (see placement_rate): counted distinct, or (not `distinct`) by the facts' `lead`
    (_rollup_facts). Each column is written in the order of the text, which is the order of its
    parameters."""
    workable = _among("a.action_type", WORK_FOUND_ACTION_TYPES)

    def known() -> str:
        return f"{workable} AND NOT {_pending(statement, as_of)}"

    parts = {RATE_STARTS: Metric.STARTS.value, RATE_WORK_FOUND: WORK_FOUND}
    columns = [f"COALESCE(SUM({_flag(known(), f'f.m_{m}')}), 0) AS {n}" for n, m in parts.items()]
    for name, metric in parts.items():
        columns.append(f"MAX({_flag(f'{bounded(_parts(metric))} AND {known()}')}) AS lb_{name}")
    if distinct:
        columns.append(
            f"COUNT(DISTINCT CASE WHEN {workable} AND {_pending(statement, as_of)}"
            f" THEN f.action_id END) AS {OUTCOMES_PENDING}"
        )
    else:
        pending = f"f.lead = 1 AND {workable} AND {_pending(statement, as_of)}"
        columns.append(f"COALESCE(SUM({_flag(pending)}), 0) AS {OUTCOMES_PENDING}")
    return columns


# The approved (action, PES) pairs joined to the facts `f` (`ap`, for `provisional`): at most
# one per pair (one period per project, semester and PES), joined on two integers.
_APPROVED_PAIRS = (
    f" LEFT JOIN (SELECT ra.id AS action_id, rp.pes_id AS pes_id"
    f" FROM {ReportingPeriod._meta.db_table} rp JOIN {Action._meta.db_table} ra"
    " ON ra.project_id = rp.project_id AND ra.year = rp.year"
    " AND ra.semester = rp.semester"
    f" WHERE rp.status = {_lit(PeriodStatus.APPROVED)}) ap"
    " ON ap.action_id = f.action_id AND ap.pes_id = f.pes_id"
)


def _sql(
    group_by: list[str],
    actions: QuerySet[Action],
    pes: list[str],
    people: bool = True,
    approved: bool = False,
    as_of: datetime.date | None = None,
    personal: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, list[Any]]:
    """One statement: the facts grouped by the ids of the dimensions, then the slugs joined to
    the grouped rows, NULLs last in the order of the dimensions asked. The parameters follow
    the text: the actions, the dates of the rate's parts and of the result measures, the dates
    and personal filters of the facts, the PES asked."""
    statement = _Statement(actions)
    as_of = as_of or timezone.localdate()
    keys = [f"{_GROUP_KEYS[d]} AS k_{d}" for d in group_by]
    bounds = [f"MAX({_flag(_among('f.bound', _parts(m)))}) AS lb_{m}" for m in FACT_METRICS]
    aggregates = [
        "COUNT(DISTINCT f.action_id) AS actions",
        *[f"COALESCE(SUM(f.m_{m}), 0) AS {m}" for m in FACT_METRICS],
        "CASE WHEN SUM(f.is_record) > 0 THEN COUNT(DISTINCT f.person_id) END AS people"
        if people
        else "NULL AS people",
        *bounds,
        *_rate_aggregates(statement, as_of),
        *_result_aggregates(statement, as_of),
    ]
    if approved:
        aggregates.append("0 AS provisional")
        periods = ""
    else:
        # A fact whose period is not approved, or that has none (no PES): provisional. The
        # approved periods are joined here, after the facts are read: one hash join with the
        # few approved pairs, where a condition on each fact would be asked row by row.
        aggregates.append(
            "MAX(CASE WHEN f.fact = 1 AND ap.action_id IS NULL THEN 1 ELSE 0 END) AS provisional"
        )
        periods = _APPROVED_PAIRS
    dimensions = [d for d in group_by if d in PERSONAL_DIMENSIONS]
    facts = _facts(statement, people, approved, as_of, dimensions, personal)
    where = f"WHERE {statement.pes_condition('f.pes_id', pes)}" if pes else ""
    grouped = (
        f"SELECT {', '.join(keys + aggregates)}"
        # The actions' table rather than `sel`: the planner knows its ids are unique, and
        # hashes a million facts to it instead of sorting them to merge (0.5 s at a million).
        f" FROM ({facts}) f JOIN {Action._meta.db_table} a"
        f" ON a.id = f.action_id{periods} {where}"
    )
    return _presented(statement, group_by, grouped)


def _presented(statement: _Statement, group_by: list[str], grouped: str) -> tuple[str, list[Any]]:
    """The statement of a table: the facts grouped by the ids of the dimensions (`grouped`, its
    GROUP BY still to write), then the slugs joined to the grouped rows, NULLs last in the
    order of the dimensions asked."""
    if not group_by:
        return f"{statement.sel} {grouped}", statement.params
    grouped += " GROUP BY " + ", ".join(_GROUP_KEYS[d] for d in group_by)
    shown, joins, order = [], [], []
    for dimension in group_by:
        if dimension in _SLUG_TABLES:
            table, alias = _SLUG_TABLES[dimension]
            joins.append(f"LEFT JOIN {table} {alias} ON {alias}.id = g.k_{dimension}")
            value = f"{alias}.slug"
        else:
            value = f"g.k_{dimension}"
        shown.append(f"{value} AS {dimension}")
        order.append(f"CASE WHEN {value} IS NULL THEN 1 ELSE 0 END, {value}")
    measures = [
        "actions",
        *FACT_METRICS,
        "people",
        *RATE_MEASURES,
        OUTCOMES_PENDING,
        *RESULTS,
        *[f"lb_{m}" for m in BOUNDED_MEASURES],
        "provisional",
        *statement.extra_measures,
    ]
    sql = (
        f"{statement.sel} SELECT {', '.join(shown + [f'g.{m}' for m in measures])}"
        f" FROM ({grouped}) g {' '.join(joins)} ORDER BY {', '.join(order)}"
    )
    return sql, statement.params


# The rollups (reports.models, kept by reports.rollups): every column of their facts `f`, in
# the order the four parts of _rollup_facts write them. A follow-up's readings are one count
# column each, `r_<kind>_<reading>`: the settled ones the rollup rows keep, and due and not yet
# due, which only the open follow-ups and the records of marked actions have.
_READINGS: dict[str, tuple[str, ...]] = {
    kind: (*settled_codes(kind), FollowUpState.DUE.value, FollowUpState.NOT_DUE.value)
    for kind in Participation.FOLLOW_UP_FIELDS
}
_READING_COLUMNS: tuple[str, ...] = tuple(
    code_column(kind, code) for kind, codes in _READINGS.items() for code in codes
)


def _rollup_facts(
    statement: _Statement,
    people: bool,
    approved: bool,
    as_of: datetime.date,
    pes: list[str],
    by_pes: bool,
    cells: bool,
) -> str:
    """The facts of the selected actions in the rollups' shape: the rollup rows and open
    follow-ups of the actions not marked, the facts of the marked ones (`dirty`) read from the
    records as _facts reads them, and an empty row for each unmarked action without a
    row. Columns: action_id, pes_id, person_id (the records of marked actions, with `people`),
    records, fact, `lead` (1 on one row of each action, or of each action and PES `by_pes`:
    summed, it counts the actions without a DISTINCT, which would make the database sort every
    row), the measures m_*, the bound flags b_*, the readings r_*, and `bm`, a rollup row's
    bitmap of the people. `approved`: the rows of approved periods only (_approved_fact), as
    _facts keeps them; `pes`: the rows of those PES only, kept in each part, before its lead is
    chosen.

    With `cells`, the actions of the blocks the statement's `blocks` names are read from their
    cells instead (RollupCell, each standing for an action of id minus its own, its lead the
    number of actions it counts), or, for some PES not counted per PES, with `ab`, the bitmap
    of the actions each counts; the other parts read the actions of `rest`."""
    rollup, open_table = FactRollup._meta.db_table, OpenFollowUp._meta.db_table
    among = "rest" if cells else "sel"
    metrics = [f"m_{metric}" for metric in FACT_METRICS]
    flags = [f"b_{metric}" for metric in SUMMED_METRICS]
    names = [*metrics, *flags, *_READING_COLUMNS]

    def shaped(
        person: str,
        records: str,
        fact: str,
        lead: str,
        values: Sequence[str],
        bm: str,
        ab: str = "NULL",
    ) -> str:
        columns = [f"{person} AS person_id", f"{records} AS records", f"{fact} AS fact"]
        columns += [f"{lead} AS lead"]
        columns += [f"{value} AS {name}" for value, name in zip(values, names, strict=True)]
        return ", ".join([*columns, f"{bm} AS bm", f"{ab} AS ab"])

    def readings_of(alias: str) -> list[str]:
        return [
            f"CASE WHEN {alias}.c_{kind} = {_lit(code)} THEN {alias}.is_record ELSE 0 END"
            for kind, codes in _READINGS.items()
            for code in codes
        ]

    def of_pes(column: str) -> str:
        return f" AND {statement.pes_condition(column, pes)}" if pes else ""

    def unmarked(column: str) -> str:
        """An action selected and not marked: a semi-join to the selection and an anti-join to
        the few marks, which the database estimates from the marks' table itself."""
        return (
            f"{column} IN (SELECT id FROM {among}) AND NOT EXISTS"
            f" (SELECT 1 FROM {DirtyAction._meta.db_table} m WHERE m.action_id = {column})"
        )

    def lead(alias: str) -> str:
        partition = f"{alias}.action_id, {alias}.pes_id" if by_pes else f"{alias}.action_id"
        return f"CASE WHEN ROW_NUMBER() OVER (PARTITION BY {partition}) = 1 THEN 1 ELSE 0 END"

    kept = f" AND {_approved_fact('r')}" if approved else ""

    def stored(alias: str) -> list[str]:
        readings = [
            f"{alias}.{code_column(kind, code)}" if code in settled_codes(kind) else "0"
            for kind, codes in _READINGS.items()
            for code in codes
        ]
        flagged = [_flag(f"{alias}.{name}") for name in flags]
        return [*[f"{alias}.{name}" for name in metrics], *flagged, *readings]

    values = stored("r")
    # One row per action and PES: each leads its own when counted by PES. Typed, for
    # PostgreSQL's UNION: the other parts' NULLs take the type of the first part's.
    row_columns = shaped(
        "CAST(NULL AS bigint)",
        "r.records",
        "1",
        "1" if by_pes else lead("r"),
        values,
        "r.people",
        "CAST(NULL AS bytea)",
    )
    rows = (
        f"SELECT r.action_id, r.pes_id, {row_columns} FROM {rollup} r"
        f" WHERE {unmarked('r.action_id')}{kept}{of_pes('r.pes_id')}"
    )
    codes = ", ".join(
        f"{sql} AS c_{kind}"
        for sql, kind in zip(
            _follow_up_codes(statement, as_of), Participation.FOLLOW_UP_FIELDS, strict=True
        )
    )
    open_kept = f" AND {_approved_fact('p')}" if approved else ""
    zeros = ["0"] * (len(metrics) + len(flags))
    # An open follow-up's action and PES have their rollup row, which leads.
    opened_columns = shaped("NULL", "0", "0", "0", [*zeros, *readings_of("o")], "NULL")
    opened = (
        f"SELECT o.action_id, o.pes_id, {opened_columns}"
        f" FROM (SELECT p.action_id, p.pes_id, p.records AS is_record, {codes}"
        f" FROM {open_table} p WHERE {unmarked('p.action_id')}{open_kept}"
        f"{of_pes('p.pes_id')}) o"
    )
    raw = _facts(statement, people, approved, as_of, among="dirty")
    bounds = [_flag(f"x.bound = {_lit(metric)}") for metric in SUMMED_METRICS]
    values = [*[f"x.{name}" for name in metrics], *bounds, *readings_of("x")]
    marked_columns = shaped(
        "CAST(x.person_id AS bigint)", "x.is_record", "x.fact", lead("x"), values, "NULL"
    )
    marked = (
        f"SELECT x.action_id, x.pes_id, {marked_columns}"
        f" FROM ({raw}) x WHERE 1 = 1{of_pes('x.pes_id')}"
    )
    nothing = ["0"] * len(names)
    empty = (
        f"SELECT s.id, NULL, {shaped('NULL', '0', '0', '1', nothing, 'NULL')}"
        f" FROM {among} s WHERE {unmarked('s.id')}"
        f" AND NOT EXISTS (SELECT 1 FROM {rollup} r WHERE r.action_id = s.id"
        f"{kept}){of_pes('NULL')}"
    )
    parts = f"{rows} UNION ALL {opened} UNION ALL {marked} UNION ALL {empty}"
    if not cells:
        return parts
    # A cell's actions: counted per PES, or per block (each block whole in one row) when
    # every PES is asked; else their bitmap, joined per row in Python.
    cell_lead = "c.action_count" if by_pes else "0" if pes else "c.block_actions"
    cell_actions = "c.actions" if pes and not by_pes else "NULL"
    cell_columns = shaped(
        "NULL", "c.records", _flag("c.facts > 0"), cell_lead, stored("c"), "c.people", cell_actions
    )
    return (
        f"{parts} UNION ALL SELECT -c.id, c.pes_id, {cell_columns}"
        f" FROM {RollupCell._meta.db_table} c WHERE c.block IN (SELECT block FROM blocks)"
        f"{of_pes('c.pes_id')}"
    )


def _rollup_results(statement: _Statement, as_of: datetime.date) -> list[str]:
    """The result measures of a row over the rollups' facts `f` (_rollup_facts), by the rules
    of _result_aggregates: from the counts of each reading instead of each record's reading."""
    workable = _among("a.action_type", WORK_FOUND_ACTION_TYPES)
    left_on = f"COALESCE(a.{_column(Action, 'end_date')}, a.{_column(Action, 'start_date')})"
    columns = []
    for slug, measure in RESULT_MEASURES.items():

        def counts(codes: Sequence[str], kind: str = measure.kind) -> str:
            return " + ".join(f"f.{code_column(kind, code)}" for code in codes) or "0"

        if measure.situations:
            counted = counts(measure.situations)
        elif not _by_left_on(measure):
            counted = counts(situations_of(measure.kind))
        else:
            bounds = _left_on_range(measure.kind, measure.states, as_of)
            by_action = _flag(_between(left_on, statement, bounds), counts([BY_ACTION]))
            counted = _flag(workable, f"{counts(measure.states)} + {by_action}")
        columns.append(f"COALESCE(SUM({counted}), 0) AS {slug}")
    return columns


def _people_sql(vendor: str) -> list[str]:
    """A grouped row's people, read in Python (_people_of): the rollup rows' bitmaps and the
    ids of the people of marked actions' records, each joined in one text."""
    ids = (
        "string_agg(CAST(f.person_id AS text), ',')"
        if vendor == "postgresql"
        else "group_concat(f.person_id, ',')"
    )
    return [f"{_joined_bitmaps('f.bm', vendor)} AS people_bitmaps", f"{ids} AS people_ids"]


def _joined_bitmaps(column: str, vendor: str) -> str:
    """A grouped row's bitmaps in one text, read by _bitmaps_of."""
    if vendor == "postgresql":
        return f"string_agg(encode({column}, 'base64'), ',')"
    return f"group_concat(hex({column}), ',')"


def _bitmaps_of(text: str | None, vendor: str) -> BitMap:
    """The union of the bitmaps of a text of _joined_bitmaps."""
    stored = []
    # SQLite's hex() of NULL is an empty text, not NULL.
    for part in filter(None, (text or "").split(",")):
        data = binascii.a2b_base64(part) if vendor == "postgresql" else bytes.fromhex(part)
        stored.append(BitMap.deserialize(data))
    # One union of them all: much faster than adding them one by one.
    return BitMap.union(BitMap(), *stored)


def _people_of(values: Mapping[str, Any], vendor: str) -> BitMap:
    people = _bitmaps_of(values["people_bitmaps"], vendor)
    if values["people_ids"]:
        people.update(int(value) for value in str(values["people_ids"]).split(","))
    return people


def _rollup_sql(
    group_by: list[str],
    actions: QuerySet[Action],
    pes: list[str],
    people: bool,
    approved: bool,
    as_of: datetime.date,
) -> tuple[str, list[Any]]:
    """One statement over the rollups, with the table's columns of _sql and a column `usable`:
    1 when the rollups are built and their horizon is on or before `as_of` (RollupState), else
    the answer is not theirs to give (_rollup_run)."""
    statement = _Statement(actions)
    dirty = DirtyAction._meta.db_table
    # The marked actions selected: read from the marks, a few rows (the planner's estimate too).
    statement.sel += (
        f", dirty AS (SELECT m.action_id AS id FROM {dirty} m"
        " WHERE m.action_id IN (SELECT id FROM sel))"
    )
    # The cells answer for whole blocks of actions, not for one action, nor for approved periods
    # only (a block's actions may have approved facts of different PES).
    cells = not approved and "action" not in group_by
    if cells:
        member = CellMember._meta.db_table
        # The blocks whose every action is selected and unmarked (the selection's unmarked
        # members of a block, as many as it has); the rest of the selection is read action by
        # action.
        statement.sel += (
            ", whole AS (SELECT w.action_id, w.block FROM (SELECT cm.action_id, cm.block,"
            " cm.size, COUNT(*) OVER (PARTITION BY cm.block) AS found"
            f" FROM {member} cm WHERE cm.action_id IN (SELECT id FROM sel) AND NOT EXISTS"
            f" (SELECT 1 FROM {dirty} m WHERE m.action_id = cm.action_id)) w"
            " WHERE w.found = w.size)"
            ", blocks AS (SELECT DISTINCT block FROM whole)"
            ", rest AS (SELECT id FROM sel WHERE id NOT IN (SELECT action_id FROM whole))"
        )
    keys = [f"{_GROUP_KEYS[d]} AS k_{d}" for d in group_by]
    vendor = connections[actions.db].vendor
    aggregates = [
        "COALESCE(SUM(f.lead), 0) AS actions",
        *[f"COALESCE(SUM(f.m_{m}), 0) AS {m}" for m in FACT_METRICS],
        "NULL AS people",
        "SUM(f.records) AS records",
        *(_people_sql(vendor) if people else ["NULL AS people_bitmaps", "NULL AS people_ids"]),
        f"{_joined_bitmaps('f.ab', vendor)} AS action_bitmaps",
        *[f"MAX({_flag(_bound_flagged(_parts(m)))}) AS lb_{m}" for m in FACT_METRICS],
        *_rate_aggregates(statement, as_of, _bound_flagged, distinct=False),
        *_rollup_results(statement, as_of),
        "MAX(CASE WHEN f.fact = 1 AND ap.pes_id IS NULL THEN 1 ELSE 0 END) AS provisional"
        if not approved
        else "0 AS provisional",
        f"(SELECT CASE WHEN MIN(horizon) <= {statement.placeholders([as_of])} THEN 1 ELSE 0 END"
        f" FROM {RollupState._meta.db_table}) AS usable",
    ]
    statement.extra_measures = ["records", "people_bitmaps", "people_ids", "action_bitmaps"]
    statement.extra_measures.append("usable")
    if "pes" in group_by and not pes:
        # Grouped by PES, an action counts in several rows: the totals' distinct counts of
        # the selection, in the same statement (_rolled_totals).
        aggregates += [
            "(SELECT COUNT(*) FROM sel) AS selected_actions",
            f"{_pending_actions(statement, as_of)} AS selected_pending",
        ]
        statement.extra_measures += ["selected_actions", "selected_pending"]
    facts = _rollup_facts(statement, people, approved, as_of, pes, "pes" in group_by, cells)
    if cells:
        # The actions of the facts: those read one by one and the cells, each cell standing for
        # an action with its block's columns (_CELL_ACTION).
        names = ", ".join(name for name, _value in _CELL_ACTION)
        acting = (
            f"(SELECT {names} FROM {Action._meta.db_table} WHERE id IN (SELECT id FROM rest)"
            f" UNION ALL SELECT {', '.join(value for _name, value in _CELL_ACTION)}"
            f" FROM {RollupCell._meta.db_table} c WHERE c.block IN (SELECT block FROM blocks))"
        )
        joined = f" FROM ({facts}) f JOIN {acting} a ON a.id = f.action_id"
    else:
        # The actions joined are the selected ones (the facts are theirs): said to the planner,
        # which then looks a few actions up by their key instead of hashing the whole table.
        joined = (
            f" FROM ({facts}) f JOIN {Action._meta.db_table} a"
            f" ON a.id = f.action_id AND a.id IN (SELECT id FROM sel)"
        )
    grouped = (
        f"SELECT {', '.join(keys + aggregates)}{joined}{'' if approved else _APPROVED_PERIODS}"
    )
    return _presented(statement, group_by, grouped)


# The columns of an action that the other actions of its block share (reports.models.
# RollupCell, made by reports.rollups), as Action's fields; besides, whether it has a day of
# leaving at all.
CELL_KEY: tuple[str, ...] = ("project", "year", "semester", "action_type", "sector", "status")


def _cell_action() -> tuple[tuple[str, str], ...]:
    """The columns of an action `a` the statements over the rollups read, each with its value
    for a cell `c` (reports.models.RollupCell): its block's columns; as its end, the latest day
    its actions left, which reads the same as each of theirs (settled_action_sql); no start nor
    day its outcomes are expected, as for an action they would not change a thing."""
    columns = [
        ("id", "-c.id"),
        *((_column(Action, n), f"c.{_column(Action, n)}") for n in CELL_KEY),
    ]
    columns += [(_column(Action, "start_date"), "NULL"), (_column(Action, "end_date"), "c.left_on")]
    columns.append((_column(Action, "outcomes_expected_on"), "NULL"))
    return tuple(columns)


_CELL_ACTION = _cell_action()
# The approved period of each fact `f` of an action `a` (`ap`, for `provisional`): at most one
# (one period per project, year, semester and PES), found by the action's columns, which a cell
# has as well as an action.
_APPROVED_PERIODS = (
    f" LEFT JOIN {ReportingPeriod._meta.db_table} ap ON ap.project_id = a.project_id"
    " AND ap.year = a.year AND ap.semester = a.semester AND ap.pes_id = f.pes_id"
    f" AND ap.status = {_lit(PeriodStatus.APPROVED)}"
)


@dataclass
class _Rolled:
    """A table's rows read from the rollups, with each row's people (for the totals) and,
    grouped by PES, the selected actions and those of them pending (_rollup_sql)."""

    rows: list[dict[str, Any]]
    people: list[BitMap]
    selected: tuple[int, int] | None = None


def _rollup_run(
    group_by: list[str],
    actions: QuerySet[Action],
    pes: list[str],
    people: bool,
    approved: bool,
    as_of: datetime.date,
    query: tuple[str, list[Any]] | None = None,
) -> _Rolled | None:
    """The rows of a grouped table from the rollups (by `query` when the caller built it), or
    None when they cannot answer it (not built, or a day before their horizon): the caller reads
    the records then."""
    sql, params = query or _rollup_sql(group_by, actions, pes, people, approved, as_of)
    vendor = connections[actions.db].vendor
    with connections[actions.db].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        raw_rows = [dict(zip(columns, raw, strict=True)) for raw in cursor.fetchall()]
    if raw_rows and not raw_rows[0]["usable"]:
        return None
    rows, found = [], []
    for values in raw_rows:
        # The actions of cells, each counted in one of them (each in one block, and per PES).
        values["actions"] = int(values["actions"] or 0) + len(
            _bitmaps_of(values["action_bitmaps"], vendor)
        )
        counted = _people_of(values, vendor) if people else BitMap()
        values["people"] = len(counted) if people and values["records"] else None
        rows.append(_row(group_by, values))
        found.append(counted)
    selected = (
        (int(raw_rows[0]["selected_actions"]), int(raw_rows[0]["selected_pending"]))
        if raw_rows and "selected_actions" in raw_rows[0]
        else None
    )
    return _Rolled(rows, found, selected)


def _rollup_eligible(group_by: Sequence[str], personal: Mapping[str, Sequence[str]] | None) -> bool:
    """Whether the rollups may answer: they are switched on (settings.REPORT_ROLLUPS) and hold
    no personal dimension."""
    return (
        settings.REPORT_ROLLUPS
        and not personal
        and not any(d in PERSONAL_DIMENSIONS for d in group_by)
    )


def _run(
    group_by: list[str],
    actions: QuerySet[Action],
    pes: list[str],
    people: bool = True,
    approved: bool = False,
    as_of: datetime.date | None = None,
    personal: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """The rows of a grouped table; without `people`, their `people` is None (and the query
    is cheaper: see _facts)."""
    as_of = as_of or timezone.localdate()
    if _rollup_eligible(group_by, personal):
        query = _rollup_sql(group_by, actions, pes, people, approved, as_of)

        def rolled_rows() -> list[dict[str, Any]] | None:
            rolled = _rollup_run(group_by, actions, pes, people, approved, as_of, query)
            return None if rolled is None else rolled.rows

        rows = answers.hot(actions.db, as_of, ("rows", *query), rolled_rows)
        if rows is not None:
            return rows
    sql, params = _sql(group_by, actions, pes, people, approved, as_of, personal)
    with connections[actions.db].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        raw_rows = cursor.fetchall()
    return [_row(group_by, dict(zip(columns, raw, strict=True))) for raw in raw_rows]


def _row(group_by: list[str], values: Mapping[str, Any]) -> dict[str, Any]:
    """A table's row from a statement's columns."""
    row: dict[str, Any] = {d: values[d] for d in group_by}
    row["actions"] = int(values["actions"])
    for measure in (*FACT_METRICS, *RATE_MEASURES, OUTCOMES_PENDING, *RESULTS):
        row[measure] = int(values[measure])
    row["people"] = None if values["people"] is None else int(values["people"])
    bounds = [m for m in BOUNDED_MEASURES if values[f"lb_{m}"]]
    row["lower_bound"] = bool(bounds)
    row["lower_bounds"] = bounds
    row["provisional"] = bool(values["provisional"])
    return row


def _totals(
    group_by: list[str],
    rows: list[dict[str, Any]],
    actions: QuerySet[Action],
    pes: list[str],
    approved: bool = False,
    as_of: datetime.date | None = None,
    personal: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The totals of a grouped table without a second pass over the facts: the rows partition
    the facts, so the summed measures are the sums of the rows and a measure is a lower bound
    where any row's is. Only the distinct counts need the database, in one narrow statement:
    `people` over the participation records alone, `actions` and `outcomes_pending` over the
    selected actions (each has at least one fact; with personal filters, over the actions of
    the matching records) or, without the PES or a personal dimension among the dimensions,
    from the rows, where each action counts in one row only."""
    if "pes" in group_by and pes:
        # An action of several of the PES asked counts in several rows; a rare combination,
        # counted by the one-statement way.
        return _run([], actions, pes, approved=approved, as_of=as_of, personal=personal)[0]
    personal = personal or {}
    statement = _Statement(actions)
    as_of = as_of or timezone.localdate()
    workable = _among("a.action_type", WORK_FOUND_ACTION_TYPES)
    records = _records_from(list(personal))
    if not ("pes" in group_by or any(d in PERSONAL_DIMENSIONS for d in group_by)):
        count_actions = count_pending = "NULL"
    elif personal:
        count_actions = "COUNT(DISTINCT p.action_id)"
        count_pending = (
            f"COUNT(DISTINCT CASE WHEN {workable} AND {_pending(statement, as_of)}"
            " THEN p.action_id END)"
        )
        records += f" JOIN {Action._meta.db_table} a ON a.id = p.action_id"
    else:
        count_actions = "(SELECT COUNT(*) FROM sel)"
        count_pending = _pending_actions(statement, as_of)
    record_condition = (
        f"AND {statement.pes_condition('p.pes_id', pes, unknown=False)}" if pes else ""
    )
    if approved:
        record_condition += f" AND {_approved_fact('p')}"
    record_condition += _personal_condition(statement, personal)
    sql = (
        f"{statement.sel} SELECT {count_actions} AS actions, {count_pending} AS pending,"
        f" COUNT(*) AS records, COUNT(DISTINCT {_person()}) AS people"
        f" FROM {records}"
        f" WHERE p.action_id IN (SELECT id FROM sel) {record_condition}"
    )
    with connections[actions.db].cursor() as cursor:
        cursor.execute(sql, statement.params)
        counted_actions, counted_pending, records_counted, people = cursor.fetchone()
    totals = _rows_summed(rows)
    if counted_actions is not None:
        totals["actions"] = int(counted_actions)
    if counted_pending is not None:
        totals[OUTCOMES_PENDING] = int(counted_pending)
    totals["people"] = int(people) if records_counted else None
    return totals


def _table(
    group_by: list[str],
    actions: QuerySet[Action],
    pes: list[str],
    approved: bool = False,
    as_of: datetime.date | None = None,
    personal: Mapping[str, Sequence[str]] | None = None,
) -> OutcomeTable:
    """Rows and totals: two statements for a grouped table (the second a narrow one), one
    without dimensions (its only row is the totals)."""
    as_of = as_of or timezone.localdate()
    if _rollup_eligible(group_by, personal):
        query = _rollup_sql(group_by, actions, pes, True, approved, as_of)

        def rolled_table() -> OutcomeTable | None:
            rolled = _rollup_run(group_by, actions, pes, True, approved, as_of, query)
            if rolled is None:
                return None
            totals = _rolled_totals(group_by, rolled, actions, pes, approved, as_of)
            return OutcomeTable(group_by, rolled.rows, totals)

        table = answers.hot(actions.db, as_of, ("table", *query), rolled_table)
        if table is not None:
            return table
    rows = _run(group_by, actions, pes, approved=approved, as_of=as_of, personal=personal)
    totals = (
        _totals(group_by, rows, actions, pes, approved, as_of, personal) if group_by else rows[0]
    )
    return OutcomeTable(group_by=group_by, rows=rows, totals=totals)


def _rows_summed(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The totals of rows that partition the facts, each action in one row: their sums, and a
    measure a lower bound where any row's is."""
    totals: dict[str, Any] = {"actions": sum(row["actions"] for row in rows)}
    for measure in (*FACT_METRICS, *RATE_MEASURES, OUTCOMES_PENDING, *RESULTS):
        totals[measure] = sum(row[measure] for row in rows)
    bounds = [m for m in BOUNDED_MEASURES if any(m in row["lower_bounds"] for row in rows)]
    totals["lower_bound"] = bool(bounds)
    totals["lower_bounds"] = bounds
    totals["provisional"] = any(row["provisional"] for row in rows)
    return totals


def _pending_actions(statement: _Statement, as_of: datetime.date) -> str:
    """The number of the selected actions whose work found is not known yet on `as_of`."""
    workable = _among("a.action_type", WORK_FOUND_ACTION_TYPES)
    return (
        f"(SELECT COUNT(*) FROM {Action._meta.db_table} a WHERE a.id IN (SELECT id FROM sel)"
        f" AND {workable} AND {_pending(statement, as_of)})"
    )


def _rolled_totals(
    group_by: list[str],
    rolled: _Rolled,
    actions: QuerySet[Action],
    pes: list[str],
    approved: bool,
    as_of: datetime.date,
) -> dict[str, Any]:
    """The totals of a table read from the rollups: its only row without dimensions; the sums
    of its rows otherwise, where each action counts in one row and each rollup row's people in
    one row, so `people` is the size of the rows' people together. Grouped by PES an action
    counts in several rows: the distinct counts come from the rollups' ungrouped row."""
    if not group_by:
        return rolled.rows[0]
    if "pes" in group_by and pes:
        whole = _rollup_run([], actions, pes, False, approved, as_of)
        assert whole is not None
        totals = whole.rows[0]
    elif "pes" in group_by:
        # Every PES: each selected action has a row, and is counted once.
        totals = _rows_summed(rolled.rows)
        totals["actions"], totals[OUTCOMES_PENDING] = rolled.selected or (0, 0)
    else:
        totals = _rows_summed(rolled.rows)
    recorded = any(row["people"] is not None for row in rolled.rows)
    totals["people"] = len(BitMap.union(BitMap(), *rolled.people)) if recorded else None
    return totals


@dataclass(frozen=True)
class PlacementRate:
    """Work found per jobseeker started, over the actions after which work can be found
    (metrics.WORK_FOUND_ACTION_TYPES) whose work found is known (Action.outcomes_pending):
    `ratio` None when no such jobseeker started. `bound` says which way a lower-bound figure
    moves it: "at_least" when the work found is a minimum, "at_most" when the starts are;
    with both it says nothing, and `ratio` is None. `pending`: no such jobseeker started, but
    the work found of some action is not known yet: the rate is not known yet (never 0%)."""

    ratio: float | None
    bound: str = ""
    pending: bool = False


AT_LEAST, AT_MOST = "at_least", "at_most"


def placement_rate(row: Mapping[str, Any]) -> PlacementRate:
    """The placement rate of a row or the totals of an outcomes table, from its parts."""
    starts, found = row.get(RATE_STARTS) or 0, row.get(RATE_WORK_FOUND) or 0
    bounds = set(row.get("lower_bounds", ()))
    if not starts:
        return PlacementRate(None, pending=bool(row.get(OUTCOMES_PENDING)))
    if {RATE_STARTS, RATE_WORK_FOUND} <= bounds:
        return PlacementRate(None)
    bound = AT_MOST if RATE_STARTS in bounds else AT_LEAST if RATE_WORK_FOUND in bounds else ""
    return PlacementRate(found / starts, bound)


def work_found_pending(row: Mapping[str, Any]) -> bool:
    """Whether a row's work found is not known yet rather than 0: none found, some action's
    outcomes pending, and no started jobseeker of an action whose work found is known."""
    return not row.get(WORK_FOUND) and bool(row.get(OUTCOMES_PENDING)) and not row.get(RATE_STARTS)


def outcome_tables(
    *,
    groupings: Sequence[Sequence[str]],
    filters: Mapping[str, Any] | QueryDict | None = None,
    as_of: datetime.date | None = None,
) -> list[OutcomeTable]:
    """The outcomes table of the same actions under several groupings, as ``outcomes()`` gives
    each: the filters are checked once and the totals, the same for every grouping, counted
    once. One query per grouping plus one."""
    parsed = [parse_group_by(list(group_by)) for group_by in groupings]
    approved = approved_only(filters)
    who = personal_only(filters)
    day = as_of or timezone.localdate()
    asked = _asked_filters(filters)
    if asked is None or not all(_rollup_eligible(group_by, who) for group_by in parsed):
        return _tables(parsed, filters, approved, who, day)
    shape = tuple(tuple(group_by) for group_by in parsed)
    # Kept by what was asked, as outcomes() keeps a table.
    kept = answers.asked(
        "outcome-tables",
        router.db_for_read(Action),
        day,
        lambda: _tables(parsed, filters, approved, who, day),
        groupings=shape,
        filters=_as_filters(asked),
    )
    return kept if kept is not None else _tables(parsed, filters, approved, who, day)


def _tables(
    parsed: list[list[str]],
    filters: Mapping[str, Any] | QueryDict | None,
    approved: bool,
    who: dict[str, list[str]],
    as_of: datetime.date,
) -> list[OutcomeTable]:
    actions, pes = report_actions(filters)
    tables: list[OutcomeTable] = []
    for group_by in parsed:
        if tables:
            rows = _run(group_by, actions, pes, approved=approved, as_of=as_of, personal=who)
            tables.append(OutcomeTable(group_by, rows, tables[0].totals))
        else:
            tables.append(_table(group_by, actions, pes, approved, as_of, who))
    return tables


def action_outcomes(
    *,
    filters: Mapping[str, Any] | QueryDict | None = None,
    as_of: datetime.date | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The figures of each action (rows keyed by ``action``, its id) and of each action and PES
    (keyed by ``action`` and ``pes``), with the counting rules of ``outcomes()``. Two queries."""
    approved = approved_only(filters)
    actions, pes = report_actions(filters)
    as_of = as_of or timezone.localdate()
    return (
        _run(["action"], actions, pes, approved=approved, as_of=as_of),
        _run(["action", "pes"], actions, pes, approved=approved, as_of=as_of),
    )


def action_figures(
    actions: QuerySet[Action], *, approved: bool = False, as_of: datetime.date | None = None
) -> dict[int, dict[str, Any]]:
    """The metrics of each of these actions, keyed by its id, whatever their status (the action
    list and its exports, a project's actions), with the counting rules of ``outcomes()``: the
    SQL dimension ``action`` above. One query for any number of actions."""
    rows = _run(["action"], actions.order_by(), [], approved=approved, as_of=as_of)
    return {row.pop("action"): row for row in rows}


def action_outcomes_by_pes(action: Action, *, as_of: datetime.date | None = None) -> OutcomeTable:
    """One action's figures per PES (unsplit figures and employers under PES None) and its
    totals, whatever its status (a planned action may already have interested jobseekers).
    Two queries."""
    return _table(["pes"], Action.objects.filter(pk=action.pk).order_by(), [], as_of=as_of)


@dataclass(frozen=True)
class NextActions:
    """The next planned actions of a dashboard: those still to come, soonest first, and apart
    those whose dates have passed while they are still planned (overdue: the data-quality list
    names them all), so that a list read today never presents a past action as upcoming."""

    upcoming: list[Action]
    overdue: list[Action]
    overdue_count: int


def planned_actions(
    *,
    today: datetime.date,
    filters: Mapping[str, Any] | QueryDict | None = None,
    after: datetime.date | None = None,
    limit: int = 10,
) -> NextActions:
    """The planned actions starting on or after ``after`` (an action known only by its semester
    or year counts when that period reaches the day), through the shared ActionFilterSet
    (project, action type, sector, ...): up to ``limit`` still to come on ``today`` and up to
    ``limit`` overdue, those that ended before it (reports.filters.ended_before, as the
    data-quality list reads it), with their number. Two queries."""
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
    # Where each action's period begins (Action.sort_date): a rough "May 2018" after 1 February.
    order = ("sort_date", "pk")
    past = ended_before(today)
    # The number of all overdue ones with the first of them: a window counts before the limit.
    overdue = list(
        filterset.qs.filter(past)
        .annotate(overdue_count=Window(Count("pk")))
        .order_by(*order)[:limit]
    )
    return NextActions(
        upcoming=list(filterset.qs.exclude(past).order_by(*order)[:limit]),
        overdue=overdue,
        overdue_count=overdue[0].overdue_count if overdue else 0,
    )


def is_overdue(action: Action, today: datetime.date) -> bool:
    """A planned or ongoing action that ended before today, as reports.filters.ended_before
    reads it in SQL (the data-quality list): by its end date, else its start date, else the
    end of its semester or year. For one action already loaded: no query."""
    if action.status not in (ActionStatus.PLANNED, ActionStatus.ONGOING):
        return False
    last = action.end_date or action.start_date
    if last is not None:
        return last < today
    if action.semester:
        return action.semester < str(semester_of(today))
    return action.year < today.year
