"""The year report, the outcomes table and the action list as files: .docx, .xlsx, .csv, .json,
and the page.

Everything here is presentation: it counts nothing and queries nothing. ``answer_sheet`` turns a
YearReport into the text of one language (headings, sentences, tables of cells), and every
writer renders that same sheet, so the page, the Word file and the workbook always say the same.
The .csv is the flat table of the report's actions, one row per action, so that its columns add
up to the totals. The files are written by the project's one CSV and one .xlsx writer
(crossborder.core.writers), and each output's formats are declared at the end of this module.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy, override

from actions.models import Action
from crossborder.core import metrics as registry
from crossborder.core.formats import CSV, DOCX, HTML, JSON, XLSX, Writers
from crossborder.core.metrics import REPORT_METRICS, SUMMED_METRICS, Metric
from crossborder.core.periods import Semester
from crossborder.core.vocabulary import ActionStatus, ActionType
from crossborder.core.writers import XlsxWorkbook, separator, write_csv, write_xlsx
from participants.attributes import PERSONAL_DIMENSIONS
from projects.models import IndicatorUnit, PeriodStatus, TargetKind

from .indicators import IndicatorValue, value_text
from .protection import person_measures, withheld_text
from .selectors import (
    NOT_YET_KNOWN,
    RESULT_MEASURES,
    RESULTS,
    UNKNOWN,
    OutcomeTable,
    result_reading,
)
from .year_report import ActionLine, Breakdown, Figures, TypeSection, YearReport

# The metrics of the work found after an action: "not yet known" while its outcomes cannot be
# known (ActionLine.outcomes_pending), never 0.
WORK_FOUND_METRICS: frozenset[str] = frozenset({"placements", "hires", "work_found"})

# The metrics shown after `actions` and `starts` (the figure every table leads with), in the
# registry's order.
OUTCOME_METRICS: tuple[str, ...] = tuple(m for m in SUMMED_METRICS if m != Metric.STARTS)

# "agro-food: 13 in 2 actions", the starts of one sector.
SECTOR_PHRASE = ngettext_lazy(
    "%(sector)s: %(text)s in %(number)s action",
    "%(sector)s: %(text)s in %(number)s actions",
    "number",
)

DIMENSION_HEADINGS = {
    "year": gettext_lazy("Year"),
    "semester": gettext_lazy("Semester"),
    "project": gettext_lazy("Project"),
    "action_type": gettext_lazy("Type"),
    "pes": gettext_lazy("PES"),
    "sector": gettext_lazy("Sector"),
    "status": gettext_lazy("Status"),
    **{slug: dimension.label for slug, dimension in PERSONAL_DIMENSIONS.items()},
}

# Text of one language.


@dataclass(frozen=True)
class Cell:
    """A table cell as it reads; a figure also keeps its number, for spreadsheets."""

    text: str
    number: int | None = None
    lower_bound: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    footer: list[Cell] | None = None


@dataclass(frozen=True)
class Item:
    """An action as the answer tells it: its line (when, what, where, figures) and under it its
    story in prose."""

    text: str
    story: str = ""


@dataclass
class TypeBlock:
    action_type: str
    heading: str
    summary: str
    actions: list[Item]
    table: Table


@dataclass
class ProjectBlock:
    slug: str
    heading: str
    description: str
    # The project's state, partners and work packages, sentence by sentence.
    state: list[str]
    summary: str
    types: list[TypeBlock]
    realised_next_heading: str
    realised_next: list[Item]
    cancelled_heading: str
    cancelled: list[Item]
    planned_heading: str
    planned: list[Item]
    planned_next_heading: str
    planned_next: list[Item]


@dataclass
class TotalsBlock:
    heading: str
    table: Table
    note: str = ""


@dataclass
class AnswerSheet:
    """The year report in one language, ready to print, paste or save."""

    lang: str
    year: int
    title: str
    scope: str
    projects: list[ProjectBlock]
    totals_heading: str
    totals: list[TotalsBlock]
    indicators_heading: str
    indicators_note: str
    indicators: Table
    notes: list[str]
    # The day the report is as of and when it was made, in a sentence.
    dated: str = ""
    # The figures' standing against the reporting periods, shown under the title: approved
    # only, or some provisional; empty when every figure is of an approved period.
    standing: str = ""
    # Which reporting periods the figures rest on: a sentence under the title, the list last.
    periods_summary: str = ""
    periods_heading: str = ""
    periods: Table | None = None
    # Question 5: the cooperation of the PES.
    cooperation_heading: str = ""
    cooperation: list[str] = field(default_factory=list)


def count_text(value: int, lower_bound: bool = False) -> str:
    """A figure as it reads: "200", or "at least 200" when it is a minimum."""
    return _("at least %(count)s") % {"count": value} if lower_bound else str(value)


def count_cell(value: int, lower_bound: bool = False) -> Cell:
    return Cell(count_text(value, lower_bound), number=value, lower_bound=lower_bound)


def not_yet_known() -> str:
    return _("not yet known")


def day_text(day: datetime.date) -> str:
    """A day as the answer writes it, day first: 20/04/2018."""
    return f"{day:%d/%m/%Y}"


def figure_text(figures: Figures, metric: str) -> str:
    return count_text(figures[metric], figures.at_least(metric))


def metric_cell(figures: Figures, metric: str) -> Cell:
    return count_cell(figures[metric], figures.at_least(metric))


def metric_phrase(figures: Figures, metric: str) -> str:
    return registry.phrase(metric, text=figure_text(figures, metric), number=figures[metric])


def semester_text(semester: str | None) -> str:
    if not semester:
        return _("semester unknown")
    period = Semester.parse(semester)
    if period.half == 1:
        return _("1st semester %(year)s") % {"year": period.year}
    return _("2nd semester %(year)s") % {"year": period.year}


def pes_text(report: YearReport, pes: str | None) -> str:
    if pes is None:
        return _("unknown PES")
    return report.pes_names.get(pes, pes)


def sector_text(report: YearReport, sector: str | None, lang: str) -> str:
    if sector is None:
        return _("sector unknown")
    names = report.sector_names.get(sector)
    return names.get(lang) if names else sector


def project_text(report: YearReport, project: str, lang: str) -> str:
    names = report.project_names.get(project)
    return names.get(lang) if names else project


def type_text(action_type: str) -> str:
    return str(ActionType(action_type).label)


def when_text(line: ActionLine, lang: str) -> str:
    """Exact dates as the answer writes them (27/04/2017 - 27/07/2017), else the rough period;
    a period note that names the year ("autumn 2018") is not followed by the year again."""
    if line.start_date and line.end_date and line.end_date != line.start_date:
        return f"{day_text(line.start_date)} \N{EN DASH} {day_text(line.end_date)}"
    if line.start_date:
        return day_text(line.start_date)
    note = line.period_note.get(lang)
    if note and str(line.year) in note:
        return note
    period = semester_text(line.semester) if line.semester else str(line.year)
    return f"{period} ({note})" if note else period


def place_text(line: ActionLine, lang: str) -> str:
    if line.place:
        return line.place.get(lang)
    return _("online") if line.online else ""


def story_text(line: ActionLine, lang: str) -> str:
    """The action's story in the report's language, as one paragraph."""
    return " ".join(sentence for sentence in line.story.get(lang, []) if sentence)


def _split(pairs: Iterable[tuple[str, Figures]], metric: str) -> str:
    """A split as an answer writes it, the largest first: Pôle emploi 11, Le Forem 4, VDAB 4."""
    shown = [(label, figures) for label, figures in pairs if figures[metric] > 0]
    shown.sort(key=lambda pair: -pair[1][metric])
    return ", ".join(f"{label} {figure_text(figures, metric)}" for label, figures in shown)


def _sentence(parts: list[str]) -> str:
    text = "; ".join(part for part in parts if part)
    return capfirst(text) + "." if text else ""


def _metrics_shown(figures: Figures, always: Sequence[str]) -> list[str]:
    return [*always, *(m for m in OUTCOME_METRICS if m not in always and figures[m] > 0)]


def _section_summary(report: YearReport, section: TypeSection, lang: str) -> str:
    totals = section.totals
    parts = [metric_phrase(totals, "actions")]
    for metric in _metrics_shown(totals, ["starts"]):
        phrase = metric_phrase(totals, metric)
        details: list[str] = []
        if metric == "starts":
            known = [b for b in section.by_pes if b.key is not None and b.figures[metric] > 0]
            if known:
                details.append(
                    _split(((pes_text(report, b.key), b.figures) for b in section.by_pes), metric)
                )
            if len([b for b in section.by_sector if b.key is not None]) > 1:
                details.append(
                    ", ".join(
                        SECTOR_PHRASE
                        % {
                            "sector": sector_text(report, b.key, lang),
                            "text": figure_text(b.figures, metric),
                            "number": b.figures["actions"],
                        }
                        for b in section.by_sector
                    )
                )
        # Starts are split by PES (and sector), outcomes by semester, as the answer does.
        semesters = [b for b in section.by_semester if b.figures[metric] > 0]
        if metric != "starts" and len(semesters) > 1:
            details.append(
                ", ".join(
                    f"{semester_text(b.key)}: {figure_text(b.figures, metric)}" for b in semesters
                )
            )
        parts.append(f"{phrase} ({'; '.join(details)})" if details else phrase)
    pending = [line for line in section.actions if line.outcomes_pending]
    if pending:
        parts.append(
            ngettext_lazy(
                "work found not yet known for %(number)s action",
                "work found not yet known for %(number)s actions",
                "number",
            )
            % {"number": len(pending)}
        )
    return _sentence(parts)


def _action_table(report: YearReport, section: TypeSection, lang: str) -> Table:
    pes_columns = [b.key for b in section.by_pes if b.figures["starts"] > 0]
    metrics = _metrics_shown(section.totals, ["starts"])
    table = Table(
        columns=[
            _("When"),
            _("Place"),
            _("Action"),
            _("Status"),
            *(_("Started, %(pes)s") % {"pes": pes_text(report, pes)} for pes in pes_columns),
            *(registry.heading(m) for m in metrics),
        ]
    )

    def pes_cells(breakdowns: list[Breakdown]) -> list[Cell]:
        by_key = {b.key: b.figures for b in breakdowns}
        return [
            metric_cell(by_key[pes], "starts") if pes in by_key else count_cell(0)
            for pes in pes_columns
        ]

    for line in section.actions:
        table.rows.append(
            [
                Cell(when_text(line, lang)),
                Cell(place_text(line, lang)),
                Cell(line.title.get(lang)),
                Cell(str(ActionStatus(line.status).label)),
                *pes_cells(line.by_pes),
                *(
                    Cell(not_yet_known())
                    if line.outcomes_pending and m in WORK_FOUND_METRICS
                    else metric_cell(line.figures, m)
                    for m in metrics
                ),
            ]
        )
    table.footer = [
        Cell(_("Total")),
        Cell(""),
        Cell(metric_phrase(section.totals, "actions")),
        Cell(""),
        *pes_cells(section.by_pes),
        *(metric_cell(section.totals, m) for m in metrics),
    ]
    return table


def _figures_phrase(report: YearReport, line: ActionLine) -> str:
    """What an action counts so far, e.g. "6 interested (VDAB 6)"; the work found after it
    "not yet known" while its outcomes cannot be known."""
    parts = []
    for metric in SUMMED_METRICS:
        if line.outcomes_pending and metric in WORK_FOUND_METRICS:
            continue
        if line.figures[metric] > 0:
            split = _split(
                ((pes_text(report, b.key), b.figures) for b in line.by_pes if b.key), metric
            )
            phrase = metric_phrase(line.figures, metric)
            parts.append(f"{phrase} ({split})" if split else phrase)
    if line.outcomes_pending:
        parts.append(_("work found not yet known"))
    return "; ".join(parts)


def _where(line: ActionLine, lang: str) -> str:
    parts = (type_text(line.action_type), place_text(line, lang))
    return ", ".join(part for part in parts if part)


def _action_item(report: YearReport, line: ActionLine, lang: str) -> Item:
    text = f"{when_text(line, lang)}: {line.title.get(lang)} ({_where(line, lang)})"
    if line.organisers:
        text += "; " + _("organised by %(names)s") % {"names": ", ".join(line.organisers)}
    figures = _figures_phrase(report, line)
    return Item(f"{text}: {figures}." if figures else f"{text}.", story_text(line, lang))


def _realised_item(line: ActionLine, lang: str) -> Item:
    """A realised action of the year as the prose above its type's table tells it: its line
    (the figures are in the table) and its story."""
    text = f"{when_text(line, lang)}: {line.title.get(lang)} ({_where(line, lang)})"
    if line.organisers:
        text += "; " + _("organised by %(names)s") % {"names": ", ".join(line.organisers)}
    return Item(text + ".", story_text(line, lang))


def _cancelled_item(line: ActionLine, lang: str) -> Item:
    text = _("%(action)s (%(where)s, %(when)s) was cancelled. Reason: %(reason)s") % {
        "action": line.title.get(lang),
        "where": _where(line, lang),
        "when": when_text(line, lang),
        "reason": line.cancellation_reason.get(lang),
    }
    return Item(text, story_text(line, lang))


def _totals_table(
    first: str, rows: Iterable[tuple[list[str], Figures]], totals: Figures, width: int = 1
) -> Table:
    metrics = ["actions", *_metrics_shown(totals, ["starts"])]
    table = Table(columns=[first, *(registry.heading(m) for m in metrics)])
    if width == 2:
        table.columns.insert(1, _("Type"))
    for labels, figures in rows:
        table.rows.append(
            [*(Cell(label) for label in labels), *(metric_cell(figures, m) for m in metrics)]
        )
    table.footer = [
        Cell(_("Total")),
        *(Cell("") for _unused in range(width - 1)),
        *(metric_cell(totals, m) for m in metrics),
    ]
    return table


def _indicator_table(report: YearReport, lang: str) -> Table:
    table = Table(
        columns=[
            _("Indicator"),
            _("For"),
            _("Unit"),
            _("Value at the end of %(year)s") % {"year": report.year},
            _("Targets"),
        ]
    )
    everything = _("Projects asked for") if report.selected_projects else _("Programme")
    for line in report.indicators:
        targets = "; ".join(
            _("%(kind)s %(year)s: %(target)s, reached %(actual)s (%(percent)s%%)")
            % {
                "kind": TargetKind(target.kind).label,
                "year": target.year,
                "target": target.target,
                "actual": count_text(target.actual, target.lower_bound),
                "percent": round(100 * target.ratio) if target.ratio is not None else "-",
            }
            for target in line.targets
        )
        table.rows.append(
            [
                Cell(f"{line.code} {line.name.get(lang)}"),
                Cell(project_text(report, line.project, lang) if line.project else everything),
                Cell(
                    str(IndicatorUnit(line.unit).label)
                    if line.unit in IndicatorUnit.values
                    else line.unit
                ),
                # "not yet known" for an ESF+ result without any follow-up known yet, with the
                # follow-ups not known yet and unknown beside the value (reports.indicators).
                Cell(
                    value_text(
                        IndicatorValue(
                            line.actual, line.lower_bound, line.not_yet_known, line.unknown
                        )
                    ),
                    number=None if line.not_yet_known and not line.actual else line.actual,
                    lower_bound=line.lower_bound,
                ),
                Cell(targets),
            ]
        )
    return table


def answer_sheet(report: YearReport, lang: str) -> AnswerSheet:
    """The year report in one language: every label through gettext, names from the columns
    of each language."""
    with override(lang):
        next_year = report.year + 1
        if report.as_of < datetime.date(next_year, 12, 31):
            realised_next_heading = _("In %(year)s until %(date)s") % {
                "year": next_year,
                "date": day_text(report.as_of),
            }
        else:
            realised_next_heading = _("In %(year)s") % {"year": next_year}
        projects = [
            ProjectBlock(
                slug=project.slug,
                heading=project.name.get(lang),
                description=project.summary.get(lang),
                state=list(project.state.get(lang, [])),
                summary=(
                    _("In %(year)s: %(figures)s")
                    % {
                        "year": report.year,
                        "figures": "; ".join(
                            metric_phrase(project.totals, m)
                            for m in ["actions", *_metrics_shown(project.totals, ["starts"])]
                        ),
                    }
                    + "."
                    if project.totals
                    else _("No action was realised in %(year)s.") % {"year": report.year}
                ),
                types=[
                    TypeBlock(
                        action_type=section.action_type,
                        heading=capfirst(type_text(section.action_type)),
                        summary=_section_summary(report, section, lang),
                        actions=[_realised_item(line, lang) for line in section.actions],
                        table=_action_table(report, section, lang),
                    )
                    for section in project.sections
                ],
                realised_next_heading=realised_next_heading,
                realised_next=[
                    _action_item(report, line, lang) for line in project.realised_next_year
                ],
                cancelled_heading=_("Cancelled"),
                cancelled=[_cancelled_item(line, lang) for line in project.cancelled],
                planned_heading=_("Planned for the rest of %(year)s as of %(date)s")
                % {"year": report.year, "date": day_text(report.as_of)},
                planned=[_action_item(report, line, lang) for line in project.planned],
                planned_next_heading=_("Planned for %(year)s as of %(date)s")
                % {"year": next_year, "date": day_text(report.as_of)},
                planned_next=[
                    _action_item(report, line, lang) for line in project.planned_next_year
                ],
            )
            for project in report.projects
        ]
        totals = [
            TotalsBlock(
                _("By project and type"),
                _totals_table(
                    _("Project"),
                    (
                        ([project_text(report, p, lang), capfirst(type_text(t))], figures)
                        for p, t, figures in report.by_project_and_type
                    ),
                    report.totals,
                    width=2,
                ),
            ),
            TotalsBlock(
                _("By type"),
                _totals_table(
                    _("Type"),
                    (([capfirst(type_text(b.key))], b.figures) for b in report.by_type if b.key),
                    report.totals,
                ),
            ),
            TotalsBlock(
                _("By PES"),
                _totals_table(
                    _("PES"),
                    (([pes_text(report, b.key)], b.figures) for b in report.by_pes),
                    report.totals,
                ),
                note=_(
                    "An action with jobseekers of several PES counts once in each of their rows "
                    "and once in the total. Figures whose split per PES is not known, and the "
                    "companies and agencies present, are under “unknown PES”."
                ),
            ),
            TotalsBlock(
                _("By semester"),
                _totals_table(
                    _("Semester"),
                    (([semester_text(b.key)], b.figures) for b in report.by_semester),
                    report.totals,
                ),
                note=_("An action's figures belong to the semester in which it starts."),
            ),
        ]
        if report.selected_projects:
            scope = _("Projects: %(names)s") % {
                "names": ", ".join(
                    project_text(report, slug, lang) for slug in report.selected_projects
                )
            }
        else:
            scope = _("All projects")
        return AnswerSheet(
            lang=lang,
            year=report.year,
            title=_("Cross-border actions in %(year)s") % {"year": report.year},
            scope=scope,
            projects=projects,
            totals_heading=_("Totals %(year)s") % {"year": report.year},
            totals=totals,
            indicators_heading=_("Indicators"),
            indicators_note=_(
                "Values count the realised actions up to the end of %(year)s, or up to a "
                "target's year when it is earlier."
            )
            % {"year": report.year},
            indicators=_indicator_table(report, lang),
            notes=[
                _(
                    "Realised actions are those completed or ongoing. “At least” marks a figure "
                    "given as a minimum (“more than 200”); a total that includes one is a "
                    "minimum too."
                ),
            ],
            dated=_("As of %(date)s; made on %(made)s.")
            % {
                "date": day_text(report.as_of),
                "made": f"{timezone.localtime(report.made_at):%d/%m/%Y %H:%M}",
            },
            standing=_standing(report),
            periods_summary=_periods_summary(report),
            periods_heading=_("Reporting periods"),
            periods=_periods_table(report, lang),
            cooperation_heading=_("Cooperation between the PES"),
            cooperation=list(report.cooperation.get(lang, [])),
        )


def _periods_summary(report: YearReport) -> str:
    """Which reporting periods the figures rest on, in a sentence."""
    approved = sum(1 for period in report.periods if period.status == PeriodStatus.APPROVED)
    return _(
        "The figures rest on the reporting periods of %(years)s: %(approved)s approved, "
        "%(other)s not approved (listed at the end); a period not listed is open."
    ) % {
        "years": f"{report.year}\N{EN DASH}{report.year + 1}",
        "approved": approved,
        "other": len(report.periods) - approved,
    }


def _periods_table(report: YearReport, lang: str) -> Table:
    table = Table(columns=[_("Project"), _("Semester"), _("PES"), _("Status")])
    for period in report.periods:
        table.rows.append(
            [
                Cell(project_text(report, period.project, lang)),
                Cell(semester_text(period.semester) if period.semester else str(period.year)),
                Cell(pes_text(report, period.pes)),
                Cell(str(PeriodStatus(period.status).label)),
            ]
        )
    return table


# The figures' standing against the reporting periods, in words (lazy: read in each language).
APPROVED_NOTE = gettext_lazy(
    "Approved figures only: the figures and records of approved reporting periods; figures "
    "without a PES belong to no period and are left out."
)
PROVISIONAL_NOTE = gettext_lazy(
    "Provisional: some figures belong to reporting periods not approved yet (or have no PES) "
    "and may still change."
)


def _standing(report: YearReport) -> str:
    if report.approved:
        return str(APPROVED_NOTE)
    if report.provisional:
        return str(PROVISIONAL_NOTE)
    return ""


# The flat table (.csv, and the second sheet of the .xlsx).


def flat_columns(report: YearReport) -> list[str]:
    return [
        "as_of",
        "year",
        "part",
        "project",
        "project_name",
        "action_type",
        "action_type_name",
        "reference",
        "title",
        "status",
        "status_name",
        "when",
        "place",
        "sector",
        "organisers",
        *(f"starts_{pes}" for pes in report.pes_order),
        "starts_unknown",
        *SUMMED_METRICS,
        "people",
        "lower_bounds",
        "outcomes_pending",
        "cancellation_reason",
        "story",
    ]


def flat_rows(report: YearReport, lang: str) -> list[dict[str, Any]]:
    """One row per action of the report, its part saying which: realised in the year (these
    rows add up to the totals), realised in the next year up to the report's day
    (realised_next_year), cancelled, planned as of the report's day. The work found after an
    action whose outcomes are not known yet is left empty, never 0."""
    with override(lang):
        rows = []
        for project in report.projects:
            parts = [
                *(("realised", line) for section in project.sections for line in section.actions),
                *(("realised_next_year", line) for line in project.realised_next_year),
                *(("cancelled", line) for line in project.cancelled),
                *(("planned", line) for line in project.planned + project.planned_next_year),
            ]
            for part, line in parts:
                by_pes = {b.key: b.figures["starts"] for b in line.by_pes}
                rows.append(
                    {
                        "as_of": report.as_of.isoformat(),
                        "year": line.year,
                        "part": part,
                        "project": line.project,
                        "project_name": project.name.get(lang),
                        "action_type": line.action_type,
                        "action_type_name": type_text(line.action_type),
                        "reference": line.reference,
                        "title": line.title.get(lang),
                        "status": line.status,
                        "status_name": str(ActionStatus(line.status).label),
                        "when": when_text(line, lang),
                        "place": place_text(line, lang),
                        "sector": sector_text(report, line.sector, lang) if line.sector else "",
                        "organisers": ", ".join(line.organisers),
                        **{f"starts_{pes}": by_pes.get(pes, 0) for pes in report.pes_order},
                        "starts_unknown": by_pes.get(None, 0),
                        **{
                            metric: ""
                            if line.outcomes_pending and metric in WORK_FOUND_METRICS
                            else line.figures[metric]
                            for metric in SUMMED_METRICS
                        },
                        "people": line.figures.people,
                        "lower_bounds": sorted(line.figures.lower_bounds),
                        "outcomes_pending": line.outcomes_pending,
                        "cancellation_reason": line.cancellation_reason.get(lang)
                        if line.cancellation_reason
                        else "",
                        "story": story_text(line, lang),
                    }
                )
        return rows


# The CSV writers take the separator asked for (`sep`: a key of writers.SEPARATORS, checked by
# the view) besides the language, whose Excel's separator is the default.


def year_report_csv(report: YearReport, lang: str, sep: str | None = None) -> bytes:
    return write_csv(
        flat_rows(report, lang), columns=flat_columns(report), delimiter=separator(sep, lang)
    )


# HTML


def year_report_html(report: YearReport, lang: str) -> bytes:
    """The answer sheet as a standalone HTML document (no site navigation, its own print
    styles), for a file; the page of the site shows the same sheet inside the site."""
    from django.template.loader import render_to_string

    with override(lang):
        html = render_to_string(
            "reports/includes/year_document.html", {"sheet": answer_sheet(report, lang)}
        )
    return html.encode()


# .docx


def year_report_docx(report: YearReport, lang: str) -> bytes:
    """A Word document a cabinet pastes into its answer, laid out as a reply to a written
    question: a heading per project in the answer's order with its state and prose (each
    action's line and story, the figures), the tables after the prose, the cooperation of the
    PES, then the totals and indicators last."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    sheet = answer_sheet(report, lang)
    document = Document()
    section = document.sections[0]
    # Landscape: the tables of actions have a column per PES.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = sheet.title
    document.core_properties.language = lang

    def table(data: Table) -> None:
        grid = document.add_table(rows=1, cols=len(data.columns))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, data.columns, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        rows = [(row, False) for row in data.rows]
        if data.footer:
            rows.append((data.footer, True))
        for row, bold in rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value.text
                for run in cell.paragraphs[0].runs:
                    run.bold = bold

    def items(entries: list[Item]) -> None:
        # The line of an action, and its story under it in a paragraph of its own.
        for entry in entries:
            document.add_paragraph(entry.text, style="List Bullet")
            if entry.story:
                document.add_paragraph(entry.story)

    document.add_heading(sheet.title, level=0)
    document.add_paragraph(sheet.scope)
    if sheet.standing:
        document.add_paragraph(sheet.standing).runs[0].bold = True
    document.add_paragraph(sheet.dated)
    document.add_paragraph(sheet.periods_summary)
    for project in sheet.projects:
        document.add_heading(project.heading, level=1)
        if project.description:
            document.add_paragraph(project.description).runs[0].italic = True
        for sentence in project.state:
            document.add_paragraph(sentence)
        document.add_paragraph(project.summary)
        for block in project.types:
            document.add_heading(block.heading, level=2)
            document.add_paragraph(block.summary)
            items(block.actions)
            table(block.table)
        for heading, entries in (
            (project.realised_next_heading, project.realised_next),
            (project.cancelled_heading, project.cancelled),
            (project.planned_heading, project.planned),
            (project.planned_next_heading, project.planned_next),
        ):
            if entries:
                document.add_heading(heading, level=2)
                items(entries)
    if sheet.cooperation:
        document.add_heading(sheet.cooperation_heading, level=1)
        for sentence in sheet.cooperation:
            document.add_paragraph(sentence)
    document.add_heading(sheet.totals_heading, level=1)
    for totals in sheet.totals:
        document.add_heading(totals.heading, level=2)
        table(totals.table)
        if totals.note:
            document.add_paragraph(totals.note)
    document.add_heading(sheet.indicators_heading, level=1)
    document.add_paragraph(sheet.indicators_note)
    table(sheet.indicators)
    if sheet.periods and sheet.periods.rows:
        document.add_heading(sheet.periods_heading, level=1)
        table(sheet.periods)
    for note in sheet.notes:
        document.add_paragraph(note)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# .xlsx


def _lower_bound_format() -> str:
    """An Excel number format showing a minimum as "at least 200" while the cell stays the
    number 200, so that sums still work."""
    prefix, _sep, suffix = (_("at least %(count)s") % {"count": "\0"}).partition("\0")
    quoted = [f'"{part.replace(chr(34), "")}"' for part in (prefix, suffix)]
    return f"{quoted[0] if prefix else ''}0{quoted[1] if suffix else ''}"


def year_report_xlsx(report: YearReport, lang: str) -> bytes:
    """A workbook: the answer sheet (headings, summaries and tables, figures as numbers) and the
    flat table of the actions."""
    sheet = answer_sheet(report, lang)
    with override(lang):
        workbook = XlsxWorkbook(lower_bound_format=_lower_bound_format())
        answer = workbook.sheet(_("Answer %(year)s") % {"year": report.year})

        def cells(row: list[Cell], bold: bool = False) -> None:
            answer.append(
                [cell.number if cell.number is not None else cell.text for cell in row],
                bold=bold,
                lower_bounds={index for index, cell in enumerate(row) if cell.lower_bound},
            )

        def table(data: Table) -> None:
            answer.append(data.columns, bold=True)
            for row in data.rows:
                cells(row)
            if data.footer:
                cells(data.footer, bold=True)
            answer.append()

        def items(entries: list[Item]) -> None:
            for entry in entries:
                answer.append([entry.text])
                if entry.story:
                    answer.append([entry.story])

        answer.append([sheet.title], bold=True, size=16)
        answer.append([sheet.scope])
        if sheet.standing:
            answer.append([sheet.standing], bold=True)
        answer.append([sheet.dated])
        answer.append([sheet.periods_summary])
        answer.append()
        for project in sheet.projects:
            answer.append([project.heading], bold=True, size=14)
            if project.description:
                answer.append([project.description])
            for sentence in project.state:
                answer.append([sentence])
            answer.append([project.summary])
            answer.append()
            for block in project.types:
                answer.append([block.heading], bold=True)
                answer.append([block.summary])
                items(block.actions)
                table(block.table)
            for title, entries in (
                (project.realised_next_heading, project.realised_next),
                (project.cancelled_heading, project.cancelled),
                (project.planned_heading, project.planned),
                (project.planned_next_heading, project.planned_next),
            ):
                if entries:
                    answer.append([title], bold=True)
                    items(entries)
                    answer.append()
        if sheet.cooperation:
            answer.append([sheet.cooperation_heading], bold=True, size=14)
            for sentence in sheet.cooperation:
                answer.append([sentence])
            answer.append()
        answer.append([sheet.totals_heading], bold=True, size=14)
        for totals in sheet.totals:
            answer.append([totals.heading], bold=True)
            table(totals.table)
            if totals.note:
                answer.append([totals.note])
                answer.append()
        answer.append([sheet.indicators_heading], bold=True, size=14)
        answer.append([sheet.indicators_note])
        table(sheet.indicators)
        if sheet.periods and sheet.periods.rows:
            answer.append([sheet.periods_heading], bold=True, size=14)
            table(sheet.periods)
        for note in sheet.notes:
            answer.append([note])
        answer.width("A", 28)
        answer.width("C", 40)

        workbook.sheet(_("Actions")).table(
            flat_rows(report, lang), columns=flat_columns(report), lower_bounds="lower_bounds"
        )
    return workbook.to_bytes()


# The outcomes table (the `report outcomes` command).


def outcomes_columns(table: OutcomeTable) -> list[str]:
    return [
        *table.group_by,
        *REPORT_METRICS,
        *RESULTS,
        "lower_bound",
        "lower_bounds",
        "provisional",
    ]


def outcome_cell_text(row: Mapping[str, Any], measure: str) -> str | None:
    """How a measure of an outcome row reads where its number does not stand, in the active
    language: a count withheld to protect small numbers ("fewer than 5", "not shown":
    reports.protection), a result not known yet ("not yet known", never 0) or overdue
    ("unknown"); None where the number stands."""
    withheld = withheld_text(dict(row), measure)
    if withheld is not None:
        return withheld
    reading = result_reading(row, measure) if measure in RESULT_MEASURES else ""
    if reading == NOT_YET_KNOWN:
        return not_yet_known()
    if reading == UNKNOWN:
        return _("unknown")
    return None


def _text_row(row: Mapping[str, Any]) -> dict[str, Any]:
    shown = dict(row)
    for measure in dict.fromkeys((*person_measures(), *RESULTS)):
        if measure in row:
            text = outcome_cell_text(row, measure)
            if text is not None:
                shown[measure] = text
    return shown


def outcome_text_rows(table: OutcomeTable) -> list[dict[str, Any]]:
    """The rows of the table with each withheld count and each result not known as its words
    (outcome_cell_text), for the files that have no null: CSV, and the API's CSV."""
    return [_text_row(row) for row in table.rows]


# The outcomes table's writers take the language as every writer does; only the workbook has
# words to translate.


def outcomes_csv(table: OutcomeTable, lang: str = "", sep: str | None = None) -> bytes:
    """The rows of the table, as the API's `?format=csv` gives them (totals are in the JSON and
    the workbook: `actions` and `people` do not add up over the rows); a withheld count or a
    result not known reads as words."""
    with override(lang or settings.LANGUAGE_CODE):
        rows = outcome_text_rows(table)
    return write_csv(
        rows,
        columns=outcomes_columns(table),
        delimiter=separator(sep, lang or settings.LANGUAGE_CODE),
    )


def outcomes_json(table: OutcomeTable, lang: str = "") -> bytes:
    return (json.dumps(table.as_dict(), ensure_ascii=False, indent=2) + "\n").encode()


def outcomes_xlsx(table: OutcomeTable, lang: str) -> bytes:
    """The rows and, in bold, the totals; a minimum reads "at least 200" and stays a number."""
    with override(lang):
        workbook = XlsxWorkbook(lower_bound_format=_lower_bound_format())
        sheet = workbook.sheet(_("Outcomes"))
        measures = [*REPORT_METRICS, *RESULTS]
        sheet.header(
            [capfirst(str(DIMENSION_HEADINGS[d])) for d in table.group_by]
            + [registry.heading(m) for m in REPORT_METRICS]
            + [str(RESULT_MEASURES[m].heading) for m in RESULTS]
        )
        unknown = {
            "pes": _("unknown PES"),
            "semester": _("semester unknown"),
            "sector": _("sector unknown"),
        }
        lines = [(row, False) for row in table.rows]
        if table.group_by:
            # Without a dimension the one row is the totals already.
            lines.append((table.totals, True))
        width = len(table.group_by)
        for row, is_total in lines:
            if is_total:
                dimensions = [_("Total"), *[""] * (width - 1)][:width]
            else:
                dimensions = [
                    PERSONAL_DIMENSIONS[d].value_label(row[d])
                    if d in PERSONAL_DIMENSIONS
                    else row[d]
                    if row[d] is not None
                    else unknown.get(d, "")
                    for d in table.group_by
                ]
            texts = _text_row(row)
            sheet.append(
                dimensions + [texts[m] for m in measures],
                lower_bounds={
                    width + index
                    for index, metric in enumerate(REPORT_METRICS)
                    if metric in row["lower_bounds"]
                },
                bold=is_total,
            )
    return workbook.to_bytes()


# The action list (its downloads).


@dataclass
class Listing:
    """Rows as a download lays them out: the sheet's title, the columns (keys of the rows) and
    their headings in one language."""

    title: str
    columns: list[str]
    headings: list[str]
    rows: list[dict[str, Any]]


def action_listing(actions: Sequence[Action], figures: Mapping[int, Mapping[str, Any]]) -> Listing:
    """The actions in their order, with their figures from the reports layer (keyed by action
    id; an action without any counts zero), headed in the active language."""
    columns = {
        "reference": _("Reference"),
        "title": _("Title"),
        "project": _("Project"),
        "action_type": _("Type"),
        "status": _("Status"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "year": _("Year"),
        "semester": _("Semester"),
        "place": _("Place"),
        "sector": _("Sector"),
        **{metric: registry.heading(metric) for metric in SUMMED_METRICS},
        "lower_bounds": _("Lower bounds"),
    }
    rows = []
    for action in actions:
        row = figures.get(action.pk, {})
        rows.append(
            {
                "reference": action.reference,
                "title": action.title,
                "project": action.project.name,
                "action_type": action.get_action_type_display(),
                "status": action.get_status_display(),
                "start_date": action.start_date,
                "end_date": action.end_date,
                "year": action.year,
                "semester": action.semester,
                "place": action.place,
                "sector": action.sector.name if action.sector else "",
                **{metric: row.get(metric, 0) for metric in SUMMED_METRICS},
                "lower_bounds": ", ".join(
                    registry.heading(metric) for metric in row.get("lower_bounds", [])
                ),
            }
        )
    return Listing(str(_("Actions")), list(columns), [str(h) for h in columns.values()], rows)


def listing_csv(listing: Listing, lang: str, sep: str | None = None) -> bytes:
    return write_csv(
        listing.rows,
        columns=listing.columns,
        headings=listing.headings,
        delimiter=separator(sep, lang),
    )


def listing_xlsx(listing: Listing, lang: str) -> bytes:
    return write_xlsx(
        listing.rows, title=listing.title, columns=listing.columns, headings=listing.headings
    )


# The formats of each output, in the order a page offers them. A listing is written in the
# language it was made in; the other outputs are written in the language asked for.

YEAR_REPORT: Writers[YearReport] = Writers(
    {HTML: year_report_html, XLSX: year_report_xlsx, DOCX: year_report_docx, CSV: year_report_csv}
)
OUTCOMES: Writers[OutcomeTable] = Writers(
    {CSV: outcomes_csv, JSON: outcomes_json, XLSX: outcomes_xlsx}
)
ACTION_LIST: Writers[Listing] = Writers({CSV: listing_csv, XLSX: listing_xlsx})
