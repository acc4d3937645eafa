"""The indicators computed from the records by their definitions (projects.models.IndicatorRule):
what every figure of an indicator adds up, and the actions behind it.

indicator_progress (below) reads the values here for the dashboards, the year report
and the API; the monitoring workbook (`monitoring_workbook`) lists the actions behind each
figure. The definitions (docs/indicators.md says them in words):

- RCO81 participations in joint actions across borders: the starts (records and figures) in the
  action types where jobseekers take part (PARTICIPATION_ACTION_TYPES: all but the staff
  seminar); one person in two actions counts twice; never `reached` (a fair's visitors).
- RCO85 participations in joint training schemes: the starts in trainings.
- RCO115 public events jointly organised: the realised job fairs and info sessions, each once.
- RCO87 organisations cooperating across borders: the distinct organisations of a project (its
  partners, and the organisers of its actions up to the year) when they are of at least two
  countries; 0 when they are all of one (an organisation without a country adds no country).
  For the programme: those of the projects that cooperate across borders, each once.
- RCR81 completion of joint training schemes: the participants who completed a training, each
  once per training (a scheme is one training action): one person (one pseudonymous key, even
  registered at two PES) twice in a training counts once, in two trainings twice; completions
  typed in as figures are added up.
- RCR85 participations after project completion: the starts, as for RCO81, in actions whose
  period begins after the project's end date.
- EECR04, EECR05, EECR06 (ESF+): the started participations of the actions after which work can
  be found whose follow-up on leaving found work (employed or self-employed), whose follow-up
  six months on found work, or a better situation. A follow-up not known yet is never 0: the
  value counts the follow-ups done, `not_yet_known` those not due or due, `unknown` those
  overdue (Participation.follow_up_state in SQL).

Every value counts the realised actions the caller selected (a project, up to a year) and,
with `approved`, only the figures and records of approved reporting periods. A fixed number of
queries for every indicator, project and year.

The facts per action and PES come from the reports' rollups (reports.models) when they can
answer (switched on, built, and a day on or after their horizon: reports.selectors._rollup_run),
else from the records and figures themselves; the same values either way, which a test holds.
From the rollups: the metrics (the employers present they add count for no metric an indicator
may count: IndicatorSource offers none of theirs), the follow-up counts as the reports' result
measures (one rule, Participation.follow_up_state; a situation is recorded for a jobseeker who
started only, Participation.follow_up_errors, so it needs no test of the status here), and
RCR81's completers as the completions less the repeated ones (repeated_completions), read from
the records of the few actions whose rollup rows count any.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import router
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action, Figure
from crossborder.core.metrics import REGISTRY, SUMMED_METRICS, Metric
from crossborder.core.vocabulary import (
    STARTED_STATUSES,
    ActionType,
    OrganisationKind,
)
from crossborder.core.writers import XlsxWorkbook
from participants.followups import state_conditions, with_left_day
from participants.models import (
    IN_WORK_SITUATIONS,
    FollowUpKind,
    FollowUpState,
    Participation,
    SixMonthSituation,
)
from projects.models import (
    RULE_COUNTS,
    Indicator,
    IndicatorRule,
    IndicatorSource,
    Organisation,
    PeriodStatus,
    ProjectPartner,
    ReportingPeriod,
    Target,
    TargetKind,
)

from . import answers
from .models import DirtyAction, FactRollup
from .selectors import (
    NOT_YET_KNOWN,
    UNKNOWN,
    _rollup_eligible,
    _rollup_run,
    _rollup_sql,
    report_actions,
)

# The follow-up counts of a participation record, per rule: in work (or better), not yet known
# (not due, or due within the grace days), unknown (overdue). Named as the reports' result
# measures (reports.selectors.RESULT_MEASURES), which the rollups answer.
_FOLLOW_UP_COLUMNS: dict[str, tuple[str, str, str]] = {
    IndicatorRule.EMPLOYED_ON_LEAVING: (
        "in_work_on_leaving",
        f"{FollowUpKind.ON_LEAVING.value}_{NOT_YET_KNOWN}",
        f"{FollowUpKind.ON_LEAVING.value}_{UNKNOWN}",
    ),
    IndicatorRule.EMPLOYED_SIX_MONTHS: (
        "in_work_six_months",
        f"{FollowUpKind.SIX_MONTHS.value}_{NOT_YET_KNOWN}",
        f"{FollowUpKind.SIX_MONTHS.value}_{UNKNOWN}",
    ),
    IndicatorRule.BETTER_SITUATION_SIX_MONTHS: (
        "better_situation",
        f"{FollowUpKind.SIX_MONTHS.value}_{NOT_YET_KNOWN}",
        f"{FollowUpKind.SIX_MONTHS.value}_{UNKNOWN}",
    ),
}
_FOLLOW_UP_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(name for names in _FOLLOW_UP_COLUMNS.values() for name in names)
)
# The rollups' rows the indicators read: one per action and PES.
_BY_ACTION_AND_PES = ["action", "pes"]


@dataclass(frozen=True)
class ActionInfo:
    """An action the indicators count, as the monitoring workbook lists it (its title read by
    the workbook alone: a title in the page's language costs more to read than the rest)."""

    id: int
    project: str
    year: int
    action_type: str
    reference: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    # Its period begins after its project's end date (RCR85).
    after_project: bool


@dataclass(frozen=True)
class Line:
    """What one action (with the facts of one PES), or one organisation (RCO87), adds to an
    indicator of a project: `count`, a minimum when `lower_bound`; for the ESF+ results the
    follow-ups not known yet and overdue beside it. `year` None: it counts in every year (a
    partner of the project)."""

    project: str
    year: int | None
    count: int
    action: ActionInfo | None = None
    pes_id: int | None = None
    organisation_id: int | None = None
    lower_bound: bool = False
    not_yet_known: int = 0
    unknown: int = 0


@dataclass(frozen=True)
class IndicatorValue:
    """An indicator's value for a project (or the programme) up to a year. For the ESF+ results
    `not_yet_known` and `unknown` count the follow-ups not known yet and overdue (None for the
    others): with nothing known yet the value reads "not yet known", never 0."""

    actual: int
    lower_bound: bool = False
    not_yet_known: int | None = None
    unknown: int | None = None

    @property
    def pending(self) -> bool:
        """Nothing found yet, and some follow-up not known yet: "not yet known", not 0."""
        return not self.actual and bool(self.not_yet_known)


@dataclass
class IndicatorCounts:
    """The lines of every indicator for the selected actions; `value` adds them up for a
    project (None: the programme) up to a year (None: every year)."""

    lines: dict[str, list[Line]]
    organisations: dict[int, tuple[str, str]] = field(default_factory=dict)  # name, country
    organiser_pes: dict[int, list[int]] = field(default_factory=dict)  # action -> PES ids

    def lines_of(self, indicator: Indicator, project: str | None, year: int | None) -> list[Line]:
        return [
            line
            for line in self.lines.get(indicator.code, [])
            if (project is None or line.project == project)
            and (year is None or line.year is None or line.year <= year)
        ]

    def value(self, indicator: Indicator, project: str | None, year: int | None) -> IndicatorValue:
        lines = self.lines_of(indicator, project, year)
        if indicator.rule == IndicatorRule.CROSS_BORDER_ORGANISATIONS or (
            indicator.rule == IndicatorRule.METRIC and indicator.source == IndicatorSource.PARTNERS
        ):
            return IndicatorValue(len(self.cooperating(indicator, lines)))
        follows_up = indicator.follows_up
        return IndicatorValue(
            actual=sum(line.count for line in lines),
            lower_bound=any(line.lower_bound for line in lines),
            not_yet_known=sum(line.not_yet_known for line in lines) if follows_up else None,
            unknown=sum(line.unknown for line in lines) if follows_up else None,
        )

    def cooperating(self, indicator: Indicator, lines: Iterable[Line]) -> set[int]:
        """The organisations of these lines that cooperate across borders: per project, all of
        them when they are of at least two countries, none otherwise (RCO87). A legacy
        `partners` indicator counts the partners without asking their countries."""
        by_project: dict[str, set[int]] = {}
        for line in lines:
            if line.organisation_id is not None:
                by_project.setdefault(line.project, set()).add(line.organisation_id)
        if indicator.rule != IndicatorRule.CROSS_BORDER_ORGANISATIONS:
            return set().union(*by_project.values())
        counted: set[int] = set()
        for ids in by_project.values():
            countries = {self.organisations[i][1] for i in ids} - {""}
            if len(countries) >= 2:
                counted |= ids
        return counted


def _approved(*, action: str = "action__") -> Exists:
    """The figure or record belongs to an approved reporting period: the one of its PES in its
    action's project, year and semester (reports.selectors._approved_fact, as a filter of the
    ORM). A fact without a PES belongs to no period, so it never is."""
    return Exists(
        ReportingPeriod.objects.filter(
            status=PeriodStatus.APPROVED,
            project_id=OuterRef(f"{action}project_id"),
            year=OuterRef(f"{action}year"),
            semester=OuterRef(f"{action}semester"),
            pes_id=OuterRef("pes_id"),
        )
    )


def _record_rows(
    action_ids: QuerySet[Action, Any], approved: bool, as_of: datetime.date
) -> list[dict[str, Any]]:
    """The participation records of the actions, summed per action and PES: every summed
    metric (by the registry's rule) and the follow-up counts. One query."""
    started = Q(status__in=STARTED_STATUSES)
    # Each follow-up's state on as_of: the worklist's rule (participants.followups), which the
    # tests hold to Participation.follow_up_state.
    leaving = state_conditions(FollowUpKind.ON_LEAVING, as_of)
    six = state_conditions(FollowUpKind.SIX_MONTHS, as_of)
    done, overdue = FollowUpState.DONE, FollowUpState.OVERDUE
    pending = (FollowUpState.NOT_DUE, FollowUpState.DUE)
    columns: dict[str, Any] = {}
    for metric in SUMMED_METRICS:
        rule = REGISTRY[metric].record
        if rule is not None:
            columns[metric] = Count("pk", filter=rule.condition())
    leaving_names = _FOLLOW_UP_COLUMNS[IndicatorRule.EMPLOYED_ON_LEAVING]
    six_names = _FOLLOW_UP_COLUMNS[IndicatorRule.EMPLOYED_SIX_MONTHS]
    better_name = _FOLLOW_UP_COLUMNS[IndicatorRule.BETTER_SITUATION_SIX_MONTHS][0]
    columns.update(
        {
            leaving_names[0]: Count(
                "pk", filter=started & leaving[done] & Q(leaving_situation__in=IN_WORK_SITUATIONS)
            ),
            leaving_names[1]: Count("pk", filter=leaving[pending[0]] | leaving[pending[1]]),
            leaving_names[2]: Count("pk", filter=leaving[overdue]),
            six_names[0]: Count(
                "pk", filter=started & six[done] & Q(six_month_situation__in=IN_WORK_SITUATIONS)
            ),
            better_name: Count(
                "pk",
                filter=started
                & six[done]
                & Q(six_month_situation=SixMonthSituation.BETTER_SITUATION),
            ),
            six_names[1]: Count("pk", filter=six[pending[0]] | six[pending[1]]),
            six_names[2]: Count("pk", filter=six[overdue]),
        }
    )
    records = Participation.objects.filter(action_id__in=action_ids)
    if approved:
        records = records.filter(_approved())
    rows = with_left_day(records).values("action_id", "pes_id").annotate(**columns).order_by()
    return [dict(row) for row in rows]


def repeated_completions(
    records: QuerySet[Participation], keys: Sequence[str] = ("action_id", "pes_id")
) -> Counter[tuple[Any, ...]]:
    """The completed records among `records` that RCR81 leaves out, per action and PES (or
    `keys`, fields of the records): those
    of a jobseeker with the same pseudonymous key as a jobseeker of a lower id who completed the
    same action among `records` too (the person registered at two PES). A training's completers
    are its completions less these. One query: each action's completed records ranked per key,
    those after the first."""
    completed = REGISTRY[Metric.COMPLETIONS].record
    assert completed is not None
    ranked = (
        records.filter(completed.condition())
        .exclude(jobseeker__pseudonym="")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("action_id"), F("jobseeker__pseudonym")],
                order_by=F("jobseeker_id").asc(),
            )
        )
        .filter(rank__gt=1)
        .order_by()
        .values_list(*keys)
    )
    return Counter(ranked)


def _repeat_rows(
    action_ids: QuerySet[Action, Any],
    approved: bool,
    *,
    rolled: bool,
    keys: Sequence[str] = ("action_id", "pes_id"),
) -> Counter[tuple[Any, ...]]:
    """RCR81's repeated completions in the trainings among the actions; those of approved
    periods only with `approved` (both the record left out and the earlier one). `rolled`: only
    in the actions whose rollup rows count any (in every period, so in approved ones too) or
    that are marked (their rows may be stale), which are few: the others have none. One
    query."""
    records = Participation.objects.filter(
        action_id__in=action_ids,
        action__action_type__in=RULE_COUNTS[IndicatorRule.TRAINING_COMPLETIONS][1],
    )
    if rolled:
        # One list of the few actions, so that their records are read by the index on the
        # action (an OR of the two would scan every record).
        records = records.filter(
            action_id__in=FactRollup.objects.filter(repeat_completions__gt=0)
            .values("action_id")
            .union(DirtyAction.objects.values("action_id"))
        )
    if approved:
        records = records.filter(_approved())
    return repeated_completions(records, keys)


def _figure_rows(action_ids: QuerySet[Action, Any], approved: bool) -> list[dict[str, Any]]:
    """The aggregate figures of the actions per action, PES and metric, with whether any is a
    lower bound. One query."""
    figures = Figure.objects.filter(action_id__in=action_ids)
    if approved:
        figures = figures.filter(_approved())
    rows = (
        figures.values("action_id", "pes_id", "metric")
        .annotate(value=Sum("value"), bounds=Count("pk", filter=Q(is_lower_bound=True)))
        .order_by()
    )
    return [dict(row) for row in rows]


@dataclass
class _Facts:
    """One action's facts of one PES: the summed metrics, those a lower-bound figure counts,
    the follow-up counts, and the completions RCR81 leaves out."""

    metrics: dict[str, int] = field(default_factory=dict)
    bounds: set[str] = field(default_factory=set)
    follow_ups: dict[str, int] = field(default_factory=dict)
    repeats: int = 0

    @property
    def completers(self) -> int:
        """RCR81's count of a training: its completions (records and figures), a person who
        completed it twice counted once."""
        return self.metrics.get(Metric.COMPLETIONS, 0) - self.repeats


_FactsByKey = dict[tuple[int, int | None], _Facts]


def _recorded_facts(
    action_ids: QuerySet[Action, Any], approved: bool, as_of: datetime.date
) -> _FactsByKey:
    """The facts per action and PES from the records and figures themselves: three queries."""
    facts: _FactsByKey = {}
    for record in _record_rows(action_ids, approved, as_of):
        item = facts.setdefault((record["action_id"], record["pes_id"]), _Facts())
        for metric in SUMMED_METRICS:
            item.metrics[metric] = item.metrics.get(metric, 0) + record.get(metric, 0)
        item.follow_ups = {name: record[name] for name in _FOLLOW_UP_NAMES}
    for figure in _figure_rows(action_ids, approved):
        item = facts.setdefault((figure["action_id"], figure["pes_id"]), _Facts())
        item.metrics[figure["metric"]] = item.metrics.get(figure["metric"], 0) + figure["value"]
        if figure["bounds"]:
            item.bounds.add(figure["metric"])
    for key, count in _repeat_rows(action_ids, approved, rolled=False).items():
        facts.setdefault(key, _Facts()).repeats = count
    return facts


def _rolled_facts(
    actions: QuerySet[Action], approved: bool, as_of: datetime.date
) -> _FactsByKey | None:
    """The facts per action and PES from the rollups (the records of the marked actions among
    them), or None when the rollups cannot answer: three queries (the rows, the PES by slug, the
    repeated completions), one when they cannot."""
    if not _rollup_eligible(_BY_ACTION_AND_PES, None):
        return None
    rolled = _rollup_run(_BY_ACTION_AND_PES, actions, [], False, approved, as_of)
    if rolled is None:
        return None
    slugs = {row["pes"] for row in rolled.rows} - {None}
    # Every PES, and any other organisation a fact names: one query even without any.
    pes_ids = dict(
        Organisation.objects.filter(Q(kind=OrganisationKind.PES) | Q(slug__in=slugs))
        .values_list("slug", "pk")
        .order_by()
    )
    bounded = set(SUMMED_METRICS)
    facts: _FactsByKey = {}
    for row in rolled.rows:
        key = (row["action"], pes_ids[row["pes"]] if row["pes"] is not None else None)
        facts[key] = _Facts(
            metrics={metric: row[metric] for metric in SUMMED_METRICS},
            bounds=bounded.intersection(row["lower_bounds"]),
            follow_ups={name: row[name] for name in _FOLLOW_UP_NAMES},
        )
    ids = actions.order_by().values("id")
    for key, count in _repeat_rows(ids, approved, rolled=True).items():
        facts.setdefault(key, _Facts()).repeats = count
    return facts


@dataclass(frozen=True)
class _Place:
    """Where facts count: a project, a year, an action type and whether after the project's
    end (RCR85); the action and the PES for the monitoring workbook's lines, None where the
    facts of a project's year and type are summed."""

    project: str
    year: int
    action_type: str
    after_project: bool = False
    action: ActionInfo | None = None
    pes_id: int | None = None


def _info_place(info: ActionInfo, pes_id: int | None = None) -> _Place:
    return _Place(info.project, info.year, info.action_type, info.after_project, info, pes_id)


_Entries = list[tuple[_Place, _Facts]]


@dataclass
class _Counted:
    """What the lines of every indicator are made of: the facts by place (all of them, and
    those after their project's end, for RCR85), the actions by place (each event counts
    once), and the organisers by their actions' places in the order of the actions."""

    facts: _Entries
    after_project: _Entries
    actions: list[tuple[_Place, int]]
    organisers: list[tuple[_Place, int]]


# A project's actions of one year and type: the places of the lines of the indicators'
# values (indicator_progress), the monitoring workbook listing each action and PES instead.
_BY_PROJECT_YEAR_AND_TYPE = ["project", "year", "action_type"]


def _summed(rows: list[dict[str, Any]], repeats: Counter[Any], after: bool) -> _Entries:
    bounded = set(SUMMED_METRICS)
    return [
        (
            _Place(row["project"], row["year"], row["action_type"], after),
            _Facts(
                metrics={metric: row[metric] for metric in SUMMED_METRICS},
                bounds=bounded.intersection(row["lower_bounds"]),
                follow_ups={name: row[name] for name in _FOLLOW_UP_NAMES},
                repeats=0 if after else repeats[(row["project"], row["year"], row["action_type"])],
            ),
        )
        for row in rows
    ]


def _rolled_summary(
    actions: QuerySet[Action], approved: bool, as_of: datetime.date
) -> tuple[_Entries, _Entries, list[tuple[_Place, int]]] | None:
    """The facts summed per project, year and action type from the rollups, those of the
    actions after their project's end apart, and the actions per place; None when the rollups
    cannot answer. Three queries (the two tables of the rollups, the repeated completions)
    after the rollups' standing; that one alone while the answer is kept (reports.answers)."""
    if not _rollup_eligible(_BY_PROJECT_YEAR_AND_TYPE, None):
        return None
    later = actions.filter(sort_date__gt=F("project__ends_on"))
    whole, after_end = (
        _rollup_sql(_BY_PROJECT_YEAR_AND_TYPE, selected, [], False, approved, as_of)
        for selected in (actions, later)
    )

    def summary() -> tuple[_Entries, _Entries, list[tuple[_Place, int]]] | None:
        rolled = _rollup_run(_BY_PROJECT_YEAR_AND_TYPE, actions, [], False, approved, as_of, whole)
        if rolled is None:
            return None
        after = _rollup_run(_BY_PROJECT_YEAR_AND_TYPE, later, [], False, approved, as_of, after_end)
        if after is None:
            # Rebuilt with a later horizon in between: the records answer both.
            return None
        # The repeated completions of the same actions: the statements above are their key.
        repeats = _repeat_rows(
            actions.order_by().values("id"),
            approved,
            rolled=True,
            keys=("action__project__slug", "action__year", "action__action_type"),
        )
        places = _summed(rolled.rows, repeats, after=False)
        counted = [
            (place, row["actions"])
            for (place, _facts), row in zip(places, rolled.rows, strict=True)
        ]
        return places, _summed(after.rows, repeats, after=True), counted

    return answers.hot(actions.db, as_of, ("indicators", *whole, *after_end), summary)


def indicator_counts(
    *,
    actions: QuerySet[Action],
    indicators: Sequence[Indicator],
    projects: Sequence[str] | None = None,
    approved: bool = False,
    as_of: datetime.date | None = None,
    detailed: bool = False,
) -> IndicatorCounts:
    """The lines of these indicators over `actions` (the realised actions a report selected)
    and the partners of `projects` (every project when None): one per project, year and action
    type from the rollups, which the values add up; `detailed`, one per action and PES (or
    organisation), as the monitoring workbook lists them, the records' answer too. Five queries
    from the rollups, six for the detail or the records, whatever the number of indicators,
    projects and actions; one more when the rollups are switched on but cannot answer (not
    built, or a day before their horizon)."""
    as_of = as_of or timezone.localdate()
    ids = actions.order_by().values("id")
    summary = None if detailed else _rolled_summary(actions, approved, as_of)
    infos: dict[int, ActionInfo] = {}
    if summary is None:
        infos = _infos(actions)
        facts = _rolled_facts(actions, approved, as_of) if detailed else None
        if facts is None:
            facts = _recorded_facts(ids, approved, as_of)
        entries = [
            (_info_place(infos[action_id], pes_id), item)
            for (action_id, pes_id), item in sorted(
                facts.items(), key=lambda entry: (entry[0][0], entry[0][1] or 0)
            )
        ]
        counted = _Counted(
            facts=entries,
            after_project=[entry for entry in entries if entry[0].after_project],
            actions=[(_info_place(info), 1) for info in infos.values()],
            organisers=[],
        )
    else:
        counted = _Counted(*summary, organisers=[])

    organisations: dict[int, tuple[str, str]] = {}
    partners = ProjectPartner.objects.values_list(
        "project__slug", "organisation_id", "organisation__name", "organisation__country"
    ).order_by("project__slug", "organisation__name")
    if projects:
        partners = partners.filter(project__slug__in=projects)
    partner_rows = list(partners)
    organisers = (
        Action.organisers.through.objects.filter(action_id__in=ids)
        .values_list(
            "action_id",
            "organisation_id",
            "organisation__name",
            "organisation__country",
            "organisation__kind",
            "action__project__slug",
            "action__year",
            "action__action_type",
            "action__sort_date",
        )
        # By the actions' years, so that an organisation counts from its first one.
        .order_by("action__year", "action__sort_date", "action_id", "organisation_id")
    )
    organiser_pes: dict[int, list[int]] = {}
    for action_id, organisation_id, name, country, kind, slug, year, type_, _day in organisers:
        organisations[organisation_id] = (name, country)
        if kind == OrganisationKind.PES:
            organiser_pes.setdefault(action_id, []).append(organisation_id)
        place = _info_place(infos[action_id]) if infos else _Place(slug, year, type_)
        counted.organisers.append((place, organisation_id))
    for _slug, organisation_id, name, country in partner_rows:
        organisations[organisation_id] = (name, country)

    lines = {indicator.code: _lines(indicator, counted, partner_rows) for indicator in indicators}
    return IndicatorCounts(lines=lines, organisations=organisations, organiser_pes=organiser_pes)


def _infos(actions: QuerySet[Action]) -> dict[int, ActionInfo]:
    """The actions as the lines of the detail name them, in the order of their sort date."""
    infos: dict[int, ActionInfo] = {}
    for row in actions.order_by("sort_date", "pk").values(
        "id",
        "project__slug",
        "project__ends_on",
        "year",
        "action_type",
        "reference",
        "start_date",
        "end_date",
        "sort_date",
    ):
        ends_on = row["project__ends_on"]
        infos[row["id"]] = ActionInfo(
            id=row["id"],
            project=row["project__slug"],
            year=row["year"],
            action_type=row["action_type"],
            reference=row["reference"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            after_project=ends_on is not None and row["sort_date"] > ends_on,
        )
    return infos


def _lines(
    indicator: Indicator,
    counted: _Counted,
    partner_rows: list[tuple[str, int, str, str]],
) -> list[Line]:
    """What each place (an action and PES, or a project's year and action type), or
    organisation, adds to one indicator, by its rule."""
    rule, types = indicator.rule, indicator.counted_action_types()
    metrics = indicator.counted_metrics()
    if rule == IndicatorRule.CROSS_BORDER_ORGANISATIONS or not (metrics or indicator.follows_up):
        # Organisations: each once per project, as a partner (every year) or from the first
        # action it organised (a legacy `partners` indicator: the partners only).
        seen: dict[tuple[str, int], Line] = {}
        for slug, organisation_id, _name, _country in partner_rows:
            seen[(slug, organisation_id)] = Line(slug, None, 1, organisation_id=organisation_id)
        if rule == IndicatorRule.CROSS_BORDER_ORGANISATIONS:
            for place, organisation_id in counted.organisers:
                if (place.project, organisation_id) not in seen:
                    seen[(place.project, organisation_id)] = Line(
                        place.project,
                        place.year,
                        1,
                        place.action,
                        organisation_id=organisation_id,
                    )
        return list(seen.values())
    lines: list[Line] = []
    if metrics == (Metric.ACTIONS,):
        # Events: each action once, whatever its facts.
        return [
            Line(place.project, place.year, number, place.action)
            for place, number in counted.actions
            if place.action_type in types and number
        ]
    entries = (
        counted.after_project
        if rule == IndicatorRule.PARTICIPATIONS_AFTER_PROJECT
        else counted.facts
    )
    for place, item in entries:
        if place.action_type not in types:
            continue
        line = partial(Line, place.project, place.year, action=place.action, pes_id=place.pes_id)
        if indicator.follows_up:
            found, pending, overdue = (item.follow_ups.get(c, 0) for c in _FOLLOW_UP_COLUMNS[rule])
            if found or pending or overdue:
                lines.append(line(found, not_yet_known=pending, unknown=overdue))
            continue
        if rule == IndicatorRule.TRAINING_COMPLETIONS:
            count = item.completers
        else:
            count = sum(item.metrics.get(metric, 0) for metric in metrics)
        if count:
            bound = any(metric in item.bounds for metric in metrics)
            lines.append(line(count, lower_bound=bound))
    return lines


# The monitoring workbook ------------------------------------------------------------------


def _targets_text(targets: Iterable[Target], kind: str) -> str:
    """A project's targets of one kind for an indicator: "150 (2018)", several joined."""
    return "; ".join(
        f"{target.value} ({target.year})"
        for target in sorted(targets, key=lambda t: t.year)
        if target.kind == kind
    )


def value_text(value: IndicatorValue) -> str:
    """An indicator's value as it reads: "at least 200", "not yet known", "3 (12 not yet known,
    2 unknown)"."""
    if value.pending:
        text = _("not yet known")
    elif value.lower_bound:
        text = _("at least %(value)s") % {"value": value.actual}
    else:
        text = str(value.actual)
    extra = []
    if value.not_yet_known and not value.pending:
        extra.append(_("%(count)s not yet known") % {"count": value.not_yet_known})
    if value.unknown:
        extra.append(_("%(count)s unknown") % {"count": value.unknown})
    return f"{text} ({', '.join(extra)})" if extra else text


def monitoring_workbook(
    *,
    project: str,
    year: int,
    actions: QuerySet[Action],
    approved: bool = False,
    as_of: datetime.date | None = None,
) -> bytes:
    """The programme's monitoring of one project up to a year, as .xlsx: a summary sheet (code,
    name, unit, definition, what it counts, value, milestone, target) and one sheet per
    indicator listing the actions (or organisations) behind its figure with what each adds.
    `actions` are the realised actions of the project up to the year (as indicator_progress
    selects them). Texts from users are written as text, never as formulas (core.writers)."""
    indicators = list(Indicator.objects.order_by("code"))
    counts = indicator_counts(
        actions=actions,
        indicators=indicators,
        projects=[project],
        approved=approved,
        as_of=as_of,
        detailed=True,
    )
    targets = list(Target.objects.filter(project__slug=project))
    pes_ids = {line.pes_id for lines in counts.lines.values() for line in lines if line.pes_id} | {
        pes for ids in counts.organiser_pes.values() for pes in ids
    }
    pes_names = dict(Organisation.objects.filter(pk__in=pes_ids).values_list("pk", "name"))
    titles = dict(actions.order_by().values_list("pk", "title"))
    book = XlsxWorkbook(lower_bound_format='"' + _("at least") + ' "0')
    summary = book.sheet(_("Summary"))
    summary.append(
        [_("Indicators of %(project)s up to %(year)s") % {"project": project, "year": year}]
    )
    summary.header(
        [
            _("Code"),
            _("Name"),
            _("Unit"),
            _("Definition"),
            _("Counts"),
            _("Value"),
            _("Not yet known"),
            _("Unknown"),
            _("Milestone"),
            _("Target"),
        ]
    )
    for indicator in indicators:
        value = counts.value(indicator, project, year)
        own = [t for t in targets if t.indicator_id == indicator.pk]
        summary.append(
            [
                indicator.code,
                indicator.name,
                indicator.get_unit_display(),
                indicator.definition,
                indicator.counts_text(),
                None if value.pending else value.actual,
                value.not_yet_known,
                value.unknown,
                _targets_text(own, TargetKind.MILESTONE),
                _targets_text(own, TargetKind.FINAL),
            ],
            lower_bounds={5} if value.lower_bound else set(),
        )
    for indicator in indicators:
        sheet = book.sheet(indicator.code)
        value = counts.value(indicator, project, year)
        sheet.append([f"{indicator.code} {indicator.name}"], bold=True)
        sheet.append([indicator.counts_text()])
        sheet.append([_("Value"), value_text(value)])
        lines = counts.lines_of(indicator, project, year)
        if indicator.rule == IndicatorRule.CROSS_BORDER_ORGANISATIONS:
            counted = counts.cooperating(indicator, lines)
            sheet.header(
                [_("Organisation"), _("Country"), _("Taking part as"), _("Action"), _("Adds")]
            )
            for line in lines:
                assert line.organisation_id is not None
                name, country = counts.organisations[line.organisation_id]
                sheet.append(
                    [
                        name,
                        country,
                        _("partner") if line.action is None else _("organiser"),
                        line.action.reference if line.action else "",
                        1 if line.organisation_id in counted else 0,
                    ]
                )
            continue
        headings = [
            _("Action"),
            _("Title"),
            _("Type"),
            _("Year"),
            _("Start date"),
            _("End date"),
            _("PES"),
            _("Adds"),
        ]
        if indicator.follows_up:
            headings += [_("Not yet known"), _("Unknown")]
        sheet.header(headings)
        for line in lines:
            info = line.action
            assert info is not None
            if line.pes_id is not None:
                pes = pes_names.get(line.pes_id, "")
            elif line.action is not None and indicator.counted_metrics() == (Metric.ACTIONS,):
                pes = ", ".join(pes_names[i] for i in counts.organiser_pes.get(info.id, []))
            else:
                pes = _("unknown")
            row: list[Any] = [
                info.reference,
                titles[info.id],
                str(ActionType(info.action_type).label),
                info.year,
                info.start_date,
                info.end_date,
                pes,
                line.count,
            ]
            if indicator.follows_up:
                row += [line.not_yet_known, line.unknown]
            sheet.append(row, lower_bounds={7} if line.lower_bound else set())
    return book.to_bytes()


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
    """An indicator's actual value, computed from the records by its definition
    (reports.indicators), against its targets."""

    code: str
    name: str
    unit: str
    project: str | None  # a project slug; None for the whole programme
    actual: int
    lower_bound: bool
    targets: list[TargetProgress] = field(default_factory=list)
    # What it adds up (Indicator.counts_text: "starts of: training") and the programme's
    # definition, both in the active language.
    counts: str = ""
    definition: str = ""
    # The definition it is computed by (projects.models.IndicatorRule); for the ESF+ results the
    # follow-ups not known yet and overdue (None for the others).
    rule: str = ""
    not_yet_known: int | None = None
    unknown: int | None = None

    @property
    def pending(self) -> bool:
        """Nothing found yet and some follow-up not known yet: "not yet known", never 0."""
        return not self.actual and bool(self.not_yet_known)


def indicator_progress(
    *,
    projects: Sequence[str] | None = None,
    until_year: int | None = None,
    approved: bool = False,
) -> list[IndicatorProgress]:
    """Progress of every indicator per project (those with a target or given) and for the
    programme. Actuals are computed by each indicator's definition (reports.indicators) over the
    realised actions up to a target's year (or ``until_year``), never a typed-in value; with
    `approved`, the approved periods' figures only. A fixed number of queries."""
    filters: dict[str, Any] = {"project": list(projects)} if projects else {}
    if until_year is not None:
        filters["date_to"] = f"{until_year}-12-31"
    indicators = list(Indicator.objects.order_by("code"))

    def counted() -> IndicatorCounts:
        actions, _pes = report_actions(filters)
        return indicator_counts(
            actions=actions, indicators=indicators, projects=projects, approved=approved
        )

    # Kept by what was asked: everything the counts read (the actions and their organisers, the
    # partners, the indicators) moves the data version, and the rollups their token.
    counts = answers.asked(
        "indicators",
        router.db_for_read(Action),
        timezone.localdate(),
        counted,
        projects=tuple(projects) if projects else None,
        until_year=until_year,
        approved=approved,
    )
    if counts is None:
        counts = counted()
    target_rows = Target.objects.select_related("project", "indicator")
    if projects:
        target_rows = target_rows.filter(project__slug__in=projects)
    targets = list(target_rows)

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
            value = counts.value(indicator, scope, until_year)
            progress = IndicatorProgress(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                project=scope,
                actual=value.actual,
                lower_bound=value.lower_bound,
                counts=indicator.counts_text(),
                definition=indicator.definition,
                rule=indicator.rule,
                not_yet_known=value.not_yet_known,
                unknown=value.unknown,
            )
            by_key: dict[tuple[str, int], int] = {}
            for target in own:
                by_key[(target.kind, target.year)] = (
                    by_key.get((target.kind, target.year), 0) + target.value
                )
            for (kind, year), target_value in sorted(
                by_key.items(), key=lambda item: (item[0][1], item[0][0])
            ):
                reached = counts.value(
                    indicator, scope, min(year, until_year) if until_year else year
                )
                progress.targets.append(
                    TargetProgress(
                        kind=kind,
                        year=year,
                        target=target_value,
                        actual=reached.actual,
                        lower_bound=reached.lower_bound,
                    )
                )
            result.append(progress)
    return result
