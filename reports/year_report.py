"""The year report ("answer sheet"): what a cabinet needs to answer a question like no. 443, as
of a date.

For a year Y and a day D (by default today) and optionally some projects: per project, in the
answer's order, its state, partners and work packages; the actions realised in Y per action
type, with their dates (or rough period), place, starts per PES, outcomes and story; what
happened in Y+1 up to D, with its figures so far; the cancelled actions with their reason; what
was planned as of D (even when it has happened since); the cooperation of the PES (question 5);
the totals by project and type, PES and semester; and indicator progress.

"As of D" means that nothing dated after D counts: an action starting after D is planned, one
that had not ended by D is ongoing, and the work found after an action whose outcomes could not
be known on D is "not yet known", never 0.

The projects come in the answer's order: by their start (those without a start date first:
they ran before the programme's records began), then in the order they were recorded (their
id). The demo records Grenzeloos Tewerkstellen, Grenzeloos Competent, Act'emploi and AB
Réfugiés in that order, as the answer tells them.

It counts nothing itself: every figure comes from reports.selectors, in a fixed number of
queries whatever the number of actions. It holds slugs, numbers and texts in every language of
the site, so that the HTML page and the .xlsx, .docx and .csv files of any language are
written from the same object (reports.exports).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from actions.models import Action
from crossborder.core.metrics import SUMMED_METRICS, Metric
from crossborder.core.periods import YEAR_MESSAGE, is_year
from crossborder.core.translated import Text, text_in
from crossborder.core.vocabulary import (
    REALISED_STATUSES,
    ActionStatus,
    ActionType,
    OrganisationKind,
)
from projects.models import Indicator, Organisation, Project, ReportingPeriod

from .filters import APPROVED
from .indicators import TargetProgress, indicator_progress
from .selectors import (
    OutcomeTable,
    ReportParameterError,
    action_outcomes,
    outcome_tables,
)
from .stories import (
    PROJECT_PREFETCH,
    action_story,
    cooperation,
    project_state,
    with_organisations,
    with_project_facts,
    with_story_rows,
)

# The languages of the site: a report is written in any of them, with names in each.
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)

# Where _report_actions puts each action's organisers, with their former names.
ORGANISERS = "report_organisers"


class _Columns:
    """Texts by language code seen as modeltranslation's columns (``text_nl``, ...), so that
    crossborder.core.translated applies its one rule to them."""

    def __init__(self, by_language: Mapping[str, str]) -> None:
        self._by_language = by_language

    def __getattr__(self, name: str) -> str:
        return self._by_language.get(name.removeprefix("text_"), "")


def marked(text: Text) -> str:
    """A text as a report prints it: a text shown in another language than the reader's is
    followed by that language's code, "(en)"."""
    return f"{text.value} ({text.language})" if text.foreign else text.value


@dataclass(frozen=True)
class Names:
    """A text in every language of the site, as modeltranslation keeps it (``name_nl``, ...),
    by language code."""

    by_language: Mapping[str, str]

    @classmethod
    def of(cls, obj: Any, field_name: str) -> Names:
        return cls({lang: getattr(obj, f"{field_name}_{lang}", "") or "" for lang in LANGUAGES})

    def __getattr__(self, lang: str) -> str:
        """The text in one language of the site as an attribute, as modeltranslation reads it
        (``title.nl``)."""
        if lang in LANGUAGES:
            return self.by_language.get(lang, "")
        raise AttributeError(lang)

    def __bool__(self) -> bool:
        return any(value.strip() for value in self.by_language.values())

    def text(self, lang: str) -> Text:
        """The text for a reader of `lang`, by the site's one rule (crossborder.core.translated)."""
        return text_in(_Columns(self.by_language), "text", lang)

    def get(self, lang: str) -> str:
        """The text in a language, else in the first language it was written in, marked with
        that language's code."""
        return marked(self.text(lang))


@dataclass(frozen=True)
class Figures:
    """The metrics of one row of the reports layer (``actions``, ``starts``, ...), the distinct
    people from records (None without any) and the metrics that are lower bounds."""

    counts: Mapping[str, int]
    people: int | None = None
    lower_bounds: frozenset[str] = frozenset()
    # Counts figures of a reporting period not approved yet (reports.selectors).
    provisional: bool = False

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Figures:
        return cls(
            counts={metric: row[metric] for metric in (Metric.ACTIONS, *SUMMED_METRICS)},
            people=row["people"],
            lower_bounds=frozenset(row["lower_bounds"]),
            provisional=row["provisional"],
        )

    def __getitem__(self, metric: str) -> int:
        return self.counts[metric]

    def at_least(self, metric: str) -> bool:
        return metric in self.lower_bounds


@dataclass(frozen=True)
class Breakdown:
    """The figures of one PES, semester, sector, project or action type (a slug; None where it
    is unknown: unsplit figures, an action without semester or sector)."""

    key: str | None
    figures: Figures


@dataclass
class ActionLine:
    id: int
    reference: str
    project: str
    action_type: str
    # The status as of the report's day (`status_as_of`); the status recorded today may differ.
    status: str
    title: Names
    year: int
    semester: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    period_note: Names
    place: Names
    online: bool
    sector: str | None
    organisers: list[str]
    cancellation_reason: Names
    figures: Figures
    by_pes: list[Breakdown]
    # Whether the work found after the action could not be known yet on the report's day.
    outcomes_pending: bool = False
    # The action's story (reports.stories) by language: sentences of prose.
    story: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass
class TypeSection:
    """The realised actions of one type in one project, and their totals."""

    action_type: str
    actions: list[ActionLine]
    totals: Figures
    by_pes: list[Breakdown]
    by_semester: list[Breakdown]
    by_sector: list[Breakdown]


@dataclass
class ProjectReport:
    slug: str
    name: Names
    summary: Names
    totals: Figures | None  # None when nothing was realised in the year
    sections: list[TypeSection] = field(default_factory=list)
    # Realised in the next year up to the report's day, with their figures so far.
    realised_next_year: list[ActionLine] = field(default_factory=list)
    cancelled: list[ActionLine] = field(default_factory=list)
    planned: list[ActionLine] = field(default_factory=list)  # the rest of the year
    planned_next_year: list[ActionLine] = field(default_factory=list)
    # The project's state, partners and work packages (reports.stories) by language.
    state: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass
class IndicatorLine:
    code: str
    name: Names
    unit: str
    project: str | None  # None: the programme, or the projects asked for together
    actual: int
    lower_bound: bool
    targets: list[TargetProgress]
    # The ESF+ results' follow-ups not known yet and overdue (None for the other indicators).
    not_yet_known: int | None = None
    unknown: int | None = None


@dataclass(frozen=True)
class PeriodLine:
    """A reporting period of the report's projects and years: the figures of its PES in its
    project's semester rest on it."""

    project: str
    year: int
    semester: str
    pes: str
    status: str


@dataclass
class YearReport:
    year: int
    selected_projects: list[str] | None
    projects: list[ProjectReport]
    totals: Figures
    by_project_and_type: list[tuple[str, str, Figures]]
    by_type: list[Breakdown]
    by_pes: list[Breakdown]
    by_semester: list[Breakdown]
    indicators: list[IndicatorLine]
    # Names for the slugs above: PES by the name borne in the year (Pôle emploi until 2023).
    pes_names: dict[str, str]
    project_names: dict[str, Names]
    sector_names: dict[str, Names]
    pes_order: list[str]  # every PES, in the order of the reports layer (by slug)
    # Counting the approved reporting periods' figures only; else whether any figure shown is
    # provisional (of a period not approved yet, or without a PES).
    approved: bool = False
    provisional: bool = False
    # The day the report is as of, and when it was made.
    as_of: datetime.date = field(default_factory=datetime.date.today)
    made_at: datetime.datetime = field(default_factory=timezone.now)
    # The reporting periods of the report's projects in the year and the next, as recorded
    # (a period without a row is open).
    periods: list[PeriodLine] = field(default_factory=list)
    # Question 5: the cooperation of the PES (reports.stories) by language.
    cooperation: Mapping[str, list[str]] = field(default_factory=dict)


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not is_year(year):
        raise ReportParameterError({"year": [str(YEAR_MESSAGE) % {"value": year}]})
    return int(year)


def parse_as_of(value: str | datetime.date | None) -> datetime.date:
    """The day a report is as of: a date, or its text day first (20/04/2018) or ISO
    (2018-04-20), as the date filters of the pages take it; today when empty.
    ReportParameterError naming ``as_of`` otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None or not str(value).strip():
        return timezone.localdate()
    try:
        day = forms.DateField().clean(str(value).strip())
    except ValidationError:
        day = None
    if not isinstance(day, datetime.date) or not is_year(day.year):
        raise ReportParameterError(
            {
                "as_of": [
                    _("“%(value)s” is not a day; write it as 20/04/2018 or 2018-04-20.")
                    % {"value": value}
                ]
            }
        )
    return day


def status_as_of(status: str, *, started: bool, ended: bool) -> str:
    """An action's status on a day, from its recorded status and whether it had started and
    ended by then: nothing after the day is known yet, so an action starting later was still
    planned (whatever became of it) and one that had not ended was ongoing."""
    if status == ActionStatus.PLANNED or not started:
        return ActionStatus.PLANNED
    if status == ActionStatus.COMPLETED and not ended:
        return ActionStatus.ONGOING
    return status


def _projects(year: int, as_of: datetime.date, selected: list[str] | None) -> list[Project]:
    """The projects asked for, or every project that runs in the year or the next up to the
    report's day, or has an action in the report; in the answer's order (see the module)."""
    order = (F("starts_on").asc(nulls_first=True), "pk")
    # With what project_state reads, so that a project's state asks nothing more.
    rows = with_project_facts(Project.objects.all(), as_of=as_of).prefetch_related(
        *PROJECT_PREFETCH
    )
    if selected:
        found = list(rows.filter(slug__in=selected).order_by(*order))
        unknown = [slug for slug in selected if slug not in {p.slug for p in found}]
        if unknown:
            raise ReportParameterError(
                {
                    "project": [
                        _("Unknown project “%(value)s”.") % {"value": slug} for slug in unknown
                    ]
                }
            )
        return found
    in_report = Action.objects.filter(project=OuterRef("pk")).filter(_in_report(year))
    until = max(datetime.date(year, 12, 31), min(as_of, datetime.date(year + 1, 12, 31)))
    runs = Q(starts_on__lte=until) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=datetime.date(year, 1, 1))
    )
    return list(rows.filter(Q(Exists(in_report)) | runs).order_by(*order))


def _in_report(year: int) -> Q:
    """The actions a year's report tells of: those of the year and of the next, whatever their
    status (the next year's up to the report's day as realised, the rest as planned)."""
    return Q(year__in=[year, year + 1])


def report_action_count(
    *,
    year: int,
    projects: Sequence[str] | None = None,
    as_of: datetime.date | str | None = None,
) -> int:
    """How many actions the report of a year tells of, without building it: whether writing it
    is long work for the queue (crossborder.jobs). Its parameters are checked as year_report
    checks them (ReportParameterError naming ``year``, ``as_of`` or ``project``), so that a
    report sent to the queue cannot fail there on a parameter."""
    errors: dict[str, list[str]] = {}
    try:
        year = _check_year(year)
    except ReportParameterError as error:
        errors.update(error.message_dict)
    try:
        parse_as_of(as_of)
    except ReportParameterError as error:
        errors.update(error.message_dict)
    selected = list(dict.fromkeys(projects)) if projects else None
    if selected:
        known = set(Project.objects.filter(slug__in=selected).values_list("slug", flat=True))
        unknown = [slug for slug in selected if slug not in known]
        if unknown:
            errors["project"] = [
                _("Unknown project “%(value)s”.") % {"value": slug} for slug in unknown
            ]
    if errors:
        raise ReportParameterError(errors)
    actions = Action.objects.filter(_in_report(year))
    if selected:
        actions = actions.filter(project__slug__in=selected)
    return actions.count()


def _pes_names(year: int) -> dict[str, str]:
    """Every PES by slug, with the name it bore at the end of the year (Pôle emploi until
    2023)."""
    end_of_year = datetime.date(year, 12, 31)
    pes_rows = Organisation.objects.filter(kind=OrganisationKind.PES).prefetch_related(
        "former_names"
    )
    return {pes.slug: pes.name_on(end_of_year) for pes in pes_rows.order_by("slug")}


def period_end(action: Action) -> datetime.date:
    """The last day of an action: its end date, else its start date (a one-day action), else
    the last day of the rough period it is known by (its month, semester or year)."""
    day = action.end_date or action.start_date
    if day is not None:
        return day
    if action.period_month:
        following = datetime.date(
            action.year + action.period_month // 12, action.period_month % 12 + 1, 1
        )
        return following - datetime.timedelta(days=1)
    if action.semester.endswith("S1"):
        return datetime.date(action.year, 6, 30)
    return datetime.date(action.year, 12, 31)


def _report_actions(year: int, selected: list[str] | None) -> list[Action]:
    """The actions the report tells of, in the one order of actions (their sort date), with
    their organisers (the list ORGANISERS) and what their stories read (with_story_rows)."""
    # Not with their projects: the report has read them (_projects), the lines name them by slug.
    action_rows = Action.objects.filter(_in_report(year)).select_related("sector")
    if selected:
        action_rows = action_rows.filter(project__slug__in=selected)
    actions = list(action_rows.order_by("sort_date", "pk"))
    with_story_rows(actions, action_rows)
    organisers = with_organisations(actions, action_rows.values("pk"), "organisers", ORGANISERS)
    prefetch_related_objects(organisers, "former_names")
    return actions


def _stories(
    actions: list[Action], as_of: datetime.date, languages: Sequence[str]
) -> dict[int, dict[str, list[str]]]:
    """The actions' stories in the languages asked for, by action id: one language at a time,
    as activating a language is not free (it was once per action and language)."""
    stories: dict[int, dict[str, list[str]]] = {action.pk: {} for action in actions}
    for lang in languages:
        with translation.override(lang):
            for action in actions:
                stories[action.pk][lang] = action_story(action, as_of=as_of)
    return stories


def _action_lines(
    actions: list[Action],
    projects: Sequence[Project],
    year: int,
    as_of: datetime.date,
    scope: Mapping[str, Any],
    languages: Sequence[str],
) -> list[ActionLine]:
    """Each action with its status as of the report's day and its figures, in total and per
    PES, whatever its status (a planned action may already have interested jobseekers); its
    project named by slug from `projects`, the report's, which hold every action's. Two
    queries for all of them."""
    end_of_year = datetime.date(year, 12, 31)
    slugs = {project.pk: project.slug for project in projects}
    per_action, per_action_and_pes = action_outcomes(
        filters={"year": [year, year + 1], "status": list(ActionStatus.values), **scope}
    )
    figures_of = {row["action"]: Figures.of(row) for row in per_action}
    pes_of: dict[int, list[Breakdown]] = {}
    for row in per_action_and_pes:
        pes_of.setdefault(row["action"], []).append(Breakdown(row["pes"], Figures.of(row)))
    stories = _stories(actions, as_of, languages)
    lines = []
    for action in actions:
        # An action starts on its sort date (the first day of its rough period) and ends on
        # the last day of its period: the one order of actions decides what had begun.
        status = status_as_of(
            action.status,
            started=action.sort_date <= as_of,
            ended=period_end(action) <= as_of,
        )
        lines.append(
            ActionLine(
                id=action.pk,
                reference=action.reference,
                project=slugs[action.project_id],
                action_type=action.action_type,
                status=status,
                title=Names.of(action, "title"),
                year=action.year,
                semester=action.semester,
                start_date=action.start_date,
                end_date=action.end_date,
                period_note=Names.of(action, "period_note"),
                place=Names.of(action, "place"),
                online=action.online,
                sector=action.sector.slug if action.sector else None,
                organisers=[o.name_on(end_of_year) for o in getattr(action, ORGANISERS)],
                cancellation_reason=Names.of(action, "cancellation_reason"),
                figures=figures_of[action.pk],
                by_pes=pes_of.get(action.pk, []),
                outcomes_pending=status in REALISED_STATUSES and action.outcomes_pending(as_of),
                story=stories[action.pk],
            )
        )
    return lines


@dataclass
class _YearTotals:
    """The outcomes of the year's realised actions under every grouping the report shows."""

    by_project_and_type: OutcomeTable
    by_project_type_and_pes: OutcomeTable
    by_project_type_and_semester: OutcomeTable
    by_project_type_and_sector: OutcomeTable
    by_project: OutcomeTable
    by_type: OutcomeTable
    by_pes: OutcomeTable
    by_semester: OutcomeTable


def _year_totals(year: int, as_of: datetime.date, scope: Mapping[str, Any]) -> _YearTotals:
    """The totals of the year's actions realised by the report's day, by project and type (and
    by PES, semester and sector within each), by project, by type, by PES and by semester: one
    query per grouping plus one."""
    filters: dict[str, Any] = {"year": year, **scope}
    if as_of < datetime.date(year, 12, 31):
        # Actions starting by the day, by the reports layer's date filter: an action known by
        # its month only counts from its semester's start there (a report as of a day within
        # its own year may count it a few weeks early; the answer's day lies in the next year).
        filters["date_to"] = as_of.isoformat()
    return _YearTotals(
        *outcome_tables(
            groupings=[
                ["project", "action_type"],
                ["project", "action_type", "pes"],
                ["project", "action_type", "semester"],
                ["project", "action_type", "sector"],
                ["project"],
                ["action_type"],
                ["pes"],
                ["semester"],
            ],
            filters=filters,
        )
    )


def _realised_sections(
    project: str, year: int, lines: list[ActionLine], totals: _YearTotals
) -> list[TypeSection]:
    """The realised actions of one project per action type (in the types' order), each type
    with its totals and their split by PES, semester and sector."""

    def breakdowns(table: OutcomeTable, action_type: str, key: str) -> list[Breakdown]:
        return [
            Breakdown(row[key], Figures.of(row))
            for row in table.rows
            if row["project"] == project and row["action_type"] == action_type
        ]

    type_totals = {
        row["action_type"]: Figures.of(row)
        for row in totals.by_project_and_type.rows
        if row["project"] == project
    }
    return [
        TypeSection(
            action_type=action_type,
            actions=[
                line
                for line in lines
                if line.project == project
                and line.action_type == action_type
                and line.year == year
                and line.status in REALISED_STATUSES
            ],
            totals=type_totals[action_type],
            by_pes=breakdowns(totals.by_project_type_and_pes, action_type, "pes"),
            by_semester=breakdowns(totals.by_project_type_and_semester, action_type, "semester"),
            by_sector=breakdowns(totals.by_project_type_and_sector, action_type, "sector"),
        )
        for action_type in ActionType.values
        if action_type in type_totals
    ]


def _project_report(
    project: Project,
    year: int,
    as_of: datetime.date,
    lines: list[ActionLine],
    totals: _YearTotals,
    languages: Sequence[str],
) -> ProjectReport:
    """One project's part of the answer: its state, its totals, its realised actions per type,
    what happened the next year up to the report's day, its cancelled and its planned
    actions."""
    own = [line for line in lines if line.project == project.slug]
    planned = [line for line in own if line.status == ActionStatus.PLANNED]
    state: dict[str, list[str]] = {}
    for lang in languages:
        with translation.override(lang):
            state[lang] = project_state(project, as_of=as_of)
    return ProjectReport(
        slug=project.slug,
        name=Names.of(project, "name"),
        summary=Names.of(project, "summary"),
        totals=next(
            (Figures.of(row) for row in totals.by_project.rows if row["project"] == project.slug),
            None,
        ),
        sections=_realised_sections(project.slug, year, lines, totals),
        realised_next_year=[
            line for line in own if line.year != year and line.status in REALISED_STATUSES
        ],
        cancelled=[line for line in own if line.status == ActionStatus.CANCELLED],
        planned=[line for line in planned if line.year == year],
        planned_next_year=[line for line in planned if line.year != year],
        state=state,
    )


def _periods(year: int, projects: Iterable[Project]) -> list[PeriodLine]:
    """The recorded reporting periods of the projects in the year and the next."""
    rows = (
        ReportingPeriod.objects.filter(project__in=list(projects), year__in=[year, year + 1])
        .select_related("project", "pes")
        .order_by("project__slug", "year", "semester", "pes__slug")
    )
    return [
        PeriodLine(
            project=period.project.slug,
            year=period.year,
            semester=period.semester,
            pes=period.pes.slug,
            status=period.status,
        )
        for period in rows
    ]


def _cooperation(
    projects: Sequence[Project], year: int, as_of: datetime.date, languages: Sequence[str]
) -> dict[str, list[str]]:
    """Question 5 in the languages asked for."""
    sentences: dict[str, list[str]] = {}
    for lang in languages:
        with translation.override(lang):
            sentences[lang] = cooperation(projects, year=year, as_of=as_of)
    return sentences


def year_report(
    *,
    year: int,
    projects: Sequence[str] | None = None,
    approved: bool = False,
    as_of: datetime.date | str | None = None,
    languages: Sequence[str] = LANGUAGES,
) -> YearReport:
    """The answer sheet of a year as of a day (today by default), for all projects or those
    asked for (slugs); with `approved`, of the approved reporting periods' figures only. The
    stories, the projects' states and the cooperation are written in `languages` (every
    language of the site by default; a page shown in one language asks for that one only, as
    they are most of the time the report takes); names and figures are in every language.

    Raises ReportParameterError naming ``year``, ``as_of`` or ``project`` for a value not
    understood. A fixed number of queries whatever the number of actions."""
    errors: dict[str, list[str]] = {}
    try:
        year = _check_year(year)
    except ReportParameterError as error:
        errors.update(error.message_dict)
    try:
        day = parse_as_of(as_of)
    except ReportParameterError as error:
        errors.update(error.message_dict)
    if errors:
        raise ReportParameterError(errors)
    selected = list(dict.fromkeys(projects)) if projects else None
    project_rows = _projects(year, day, selected)
    scope: dict[str, Any] = {"project": selected} if selected else {}
    if approved:
        scope[APPROVED] = "true"
    pes_names = _pes_names(year)
    actions = _report_actions(year, selected)
    lines = _action_lines(actions, project_rows, year, day, scope, languages)
    totals = _year_totals(year, day, scope)
    return YearReport(
        year=year,
        selected_projects=selected,
        projects=[
            _project_report(project, year, day, lines, totals, languages)
            for project in project_rows
        ],
        totals=Figures.of(totals.by_project.totals),
        by_project_and_type=[
            (row["project"], row["action_type"], Figures.of(row))
            for row in totals.by_project_and_type.rows
        ],
        by_type=[Breakdown(row["action_type"], Figures.of(row)) for row in totals.by_type.rows],
        by_pes=[Breakdown(row["pes"], Figures.of(row)) for row in totals.by_pes.rows],
        by_semester=[
            Breakdown(row["semester"], Figures.of(row)) for row in totals.by_semester.rows
        ],
        indicators=_indicators(year, selected, approved),
        pes_names=pes_names,
        project_names=_project_names(),
        sector_names={
            action.sector.slug: Names.of(action.sector, "name")
            for action in actions
            if action.sector
        },
        pes_order=list(pes_names),
        approved=approved,
        provisional=not approved
        and (
            totals.by_project.totals["provisional"]
            or any(line.figures.provisional for line in lines)
        ),
        as_of=day,
        made_at=timezone.now(),
        periods=_periods(year, project_rows),
        cooperation=_cooperation(project_rows, year, day, languages),
    )


def _project_names() -> dict[str, Names]:
    """Every project's name: indicator progress may name a project with targets and no
    action."""
    return {
        p.slug: Names.of(p, "name")
        for p in Project.objects.only("slug", *(f"name_{lang}" for lang in LANGUAGES))
    }


def _indicators(year: int, selected: list[str] | None, approved: bool) -> list[IndicatorLine]:
    """Indicator progress up to the year's end, with the indicators' names in every language."""
    names = {
        indicator.code: Names.of(indicator, "name")
        for indicator in Indicator.objects.only("code", *(f"name_{lang}" for lang in LANGUAGES))
    }
    return [
        IndicatorLine(
            code=progress.code,
            name=names.get(progress.code, Names({settings.LANGUAGE_CODE: progress.name})),
            unit=progress.unit,
            project=progress.project,
            actual=progress.actual,
            lower_bound=progress.lower_bound,
            targets=progress.targets,
            not_yet_known=progress.not_yet_known,
            unknown=progress.unknown,
        )
        for progress in indicator_progress(projects=selected, until_year=year, approved=approved)
    ]
