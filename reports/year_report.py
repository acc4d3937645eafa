"""The year report ("answer sheet"): what a cabinet needs to answer a question like no. 443.

For a year and optionally some projects: per project and action type, the realised actions with
their dates (or rough period), place, starts per PES and outcomes; the cancelled actions with
their reason; what is planned for the rest of the year and the next; the totals by project and
type, PES, semester and sector; and indicator progress.

It counts nothing itself: every figure comes from reports.selectors, in a fixed number of
queries whatever the number of actions. It holds slugs, numbers and names in every language of
the site, so that the HTML page and the .xlsx, .docx and .csv files of any language are
written from the same object (reports.exports).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from actions.models import Action
from crossborder.core.metrics import SUMMED_METRICS, Metric
from crossborder.core.periods import YEAR_MESSAGE, is_year
from crossborder.core.vocabulary import (
    REALISED_STATUSES,
    ActionStatus,
    ActionType,
    OrganisationKind,
)
from projects.models import Indicator, Organisation, Project

from .filters import APPROVED
from .selectors import (
    OutcomeTable,
    ReportParameterError,
    TargetProgress,
    action_outcomes,
    indicator_progress,
    outcome_tables,
)

# The languages of the site: a report is written in any of them, with names in each.
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class Names:
    """A name in every language of the site, as modeltranslation keeps it (``name_nl``, ...),
    by language code."""

    by_language: Mapping[str, str]

    @classmethod
    def of(cls, obj: Any, field_name: str) -> Names:
        return cls({lang: getattr(obj, f"{field_name}_{lang}", "") or "" for lang in LANGUAGES})

    def __getattr__(self, lang: str) -> str:
        """The name in one language of the site as an attribute, as modeltranslation reads it
        (``title.nl``)."""
        if lang in LANGUAGES:
            return self.by_language.get(lang, "")
        raise AttributeError(lang)

    def get(self, lang: str) -> str:
        """The name in a language, else in the fallback languages of the settings."""
        fallbacks = getattr(settings, "MODELTRANSLATION_FALLBACK_LANGUAGES", LANGUAGES)
        for code in (lang, *fallbacks):
            value = self.by_language.get(code, "")
            if value:
                return value
        return ""


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
    status: str
    title: Names
    year: int
    semester: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    period_note: str
    place: str
    online: bool
    sector: str | None
    organisers: list[str]
    cancellation_reason: str
    figures: Figures
    by_pes: list[Breakdown]


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
    cancelled: list[ActionLine] = field(default_factory=list)
    planned: list[ActionLine] = field(default_factory=list)  # the rest of the year
    planned_next_year: list[ActionLine] = field(default_factory=list)


@dataclass
class IndicatorLine:
    code: str
    name: Names
    unit: str
    project: str | None  # None: the programme, or the projects asked for together
    actual: int
    lower_bound: bool
    targets: list[TargetProgress]


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


def _check_year(year: Any) -> int:
    if isinstance(year, bool) or not is_year(year):
        raise ReportParameterError({"year": [str(YEAR_MESSAGE) % {"value": year}]})
    return int(year)


def _projects(year: int, selected: list[str] | None) -> list[Project]:
    """The projects asked for, or those that run in the year or have an action in the report
    (realised, cancelled or planned in the year, planned the next)."""
    order = (F("starts_on").asc(nulls_first=True), "pk")
    if selected:
        found = list(Project.objects.filter(slug__in=selected).order_by(*order))
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
    runs = Q(starts_on__lte=datetime.date(year, 12, 31)) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=datetime.date(year, 1, 1))
    )
    return list(Project.objects.filter(Q(Exists(in_report)) | runs).order_by(*order))


def _in_report(year: int) -> Q:
    """The actions a year's report tells of: those of the year, whatever their status, and
    those planned for the next."""
    return Q(year=year) | Q(year=year + 1, status=ActionStatus.PLANNED)


def _sort_key(action: Action) -> tuple[Any, ...]:
    # Exact dates first within their semester, rough periods after; the same on every database.
    return (
        action.year,
        action.semester or "~",
        action.start_date or datetime.date.max,
        action.pk,
    )


def _pes_names(year: int) -> dict[str, str]:
    """Every PES by slug, with the name it bore at the end of the year (Pôle emploi until
    2023)."""
    end_of_year = datetime.date(year, 12, 31)
    pes_rows = Organisation.objects.filter(kind=OrganisationKind.PES).prefetch_related(
        "former_names"
    )
    return {pes.slug: pes.name_on(end_of_year) for pes in pes_rows.order_by("slug")}


def _report_actions(year: int, selected: list[str] | None) -> list[Action]:
    """The actions the report tells of, in the order it tells them."""
    action_rows = Action.objects.filter(_in_report(year)).select_related("project", "sector")
    if selected:
        action_rows = action_rows.filter(project__slug__in=selected)
    return sorted(
        action_rows.prefetch_related("organisers__former_names").order_by(), key=_sort_key
    )


def _action_lines(actions: list[Action], year: int, scope: Mapping[str, Any]) -> list[ActionLine]:
    """Each action with its figures, in total and per PES, whatever its status (a planned action
    may already have interested jobseekers). Two queries for all of them."""
    end_of_year = datetime.date(year, 12, 31)
    per_action, per_action_and_pes = action_outcomes(
        filters={"year": [year, year + 1], "status": list(ActionStatus.values), **scope}
    )
    figures_of = {row["action"]: Figures.of(row) for row in per_action}
    pes_of: dict[int, list[Breakdown]] = {}
    for row in per_action_and_pes:
        pes_of.setdefault(row["action"], []).append(Breakdown(row["pes"], Figures.of(row)))
    return [
        ActionLine(
            id=action.pk,
            reference=action.reference,
            project=action.project.slug,
            action_type=action.action_type,
            status=action.status,
            title=Names.of(action, "title"),
            year=action.year,
            semester=action.semester,
            start_date=action.start_date,
            end_date=action.end_date,
            period_note=action.period_note,
            place=action.place,
            online=action.online,
            sector=action.sector.slug if action.sector else None,
            organisers=[o.name_on(end_of_year) for o in action.organisers.all()],
            cancellation_reason=action.cancellation_reason,
            figures=figures_of[action.pk],
            by_pes=pes_of.get(action.pk, []),
        )
        for action in actions
    ]


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


def _year_totals(year: int, scope: Mapping[str, Any]) -> _YearTotals:
    """The totals of the realised actions by project and type (and by PES, semester and sector
    within each), by project, by type, by PES and by semester: one query per grouping plus
    one."""
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
            filters={"year": year, **scope},
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


def _cancelled(project: str, year: int, lines: list[ActionLine]) -> list[ActionLine]:
    """The actions of one project cancelled in the year."""
    return [
        line
        for line in lines
        if line.project == project and line.status == ActionStatus.CANCELLED and line.year == year
    ]


def _planned(
    project: str, year: int, lines: list[ActionLine]
) -> tuple[list[ActionLine], list[ActionLine]]:
    """The actions of one project planned for the rest of the year, and for the next."""
    planned = [
        line for line in lines if line.project == project and line.status == ActionStatus.PLANNED
    ]
    return (
        [line for line in planned if line.year == year],
        [line for line in planned if line.year != year],
    )


def _project_report(
    project: Project, year: int, lines: list[ActionLine], totals: _YearTotals
) -> ProjectReport:
    """One project's part of the answer: its totals, its realised actions per type, its
    cancelled and its planned actions."""
    planned, planned_next_year = _planned(project.slug, year, lines)
    return ProjectReport(
        slug=project.slug,
        name=Names.of(project, "name"),
        summary=Names.of(project, "summary"),
        totals=next(
            (Figures.of(row) for row in totals.by_project.rows if row["project"] == project.slug),
            None,
        ),
        sections=_realised_sections(project.slug, year, lines, totals),
        cancelled=_cancelled(project.slug, year, lines),
        planned=planned,
        planned_next_year=planned_next_year,
    )


def year_report(
    *, year: int, projects: Sequence[str] | None = None, approved: bool = False
) -> YearReport:
    """The answer sheet of a year, for all projects or those asked for (slugs); with
    `approved`, of the approved reporting periods' figures only.

    Raises ReportParameterError naming ``year`` or ``project`` for a value not understood.
    A fixed number of queries whatever the number of actions."""
    year = _check_year(year)
    selected = list(dict.fromkeys(projects)) if projects else None
    project_rows = _projects(year, selected)
    scope: dict[str, Any] = {"project": selected} if selected else {}
    if approved:
        scope[APPROVED] = "true"
    pes_names = _pes_names(year)
    actions = _report_actions(year, selected)
    lines = _action_lines(actions, year, scope)
    totals = _year_totals(year, scope)
    return YearReport(
        year=year,
        selected_projects=selected,
        projects=[_project_report(project, year, lines, totals) for project in project_rows],
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
        )
        for progress in indicator_progress(projects=selected, until_year=year, approved=approved)
    ]
