"""The year report's answer sheet as its page shows it (reports.year_views), kept whole in the
shared cache while nothing it was made from changes (reports.answers.asked_whole) and made again
by the worker after a refresh of the rollups when it was asked as of today
(reports.answers.warm)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from crossborder.db_router import reading_alias

from . import answers, exports
from .year_report import year_report

SHEET_TEMPLATE = "reports/includes/year_sheet.html"


@dataclass(frozen=True)
class SheetPage:
    """The answer sheet of a year as the page shows it, kept whole (reports.answers.asked_whole)
    while nothing it was made from changes: its HTML and what the page's tools around it need."""

    year: int
    title: str
    html: str
    as_of: datetime.date
    # Every project's slug and name in the page's language, for the projects to tick.
    project_names: list[tuple[str, str]]


def sheet_page(
    year: int,
    projects: Sequence[str],
    approved: bool,
    lang: str,
    day: datetime.date | None = None,
) -> SheetPage:
    """The answer sheet of a year as the page shows it (as of `day`, today when None), kept
    (reports.answers.asked_whole); asked as of today, it is made again after each refresh of the
    rollups by the worker (reports.answers.warm, which calls this with the same parameters).
    Raises ReportParameterError for a year or project not understood."""
    day = day or timezone.localdate()
    projects = list(projects)
    return answers.asked_whole(
        "year-report-page",
        reading_alias(),
        day,
        partial(_sheet_page, year, projects, approved, day, lang),
        year=year,
        projects=tuple(projects),
        approved=approved,
        lang=lang,
    )


def _sheet_page(
    year: int, projects: list[str], approved: bool, day: datetime.date, lang: str
) -> SheetPage:
    report = year_report(
        year=year,
        projects=projects or None,
        approved=approved,
        as_of=day,
        # The page is in one language: its stories are written in it only.
        languages=[lang],
    )
    with override(lang):
        sheet = exports.answer_sheet(report, lang)
        html = render_to_string(SHEET_TEMPLATE, {"sheet": sheet})
    return SheetPage(
        year=sheet.year,
        title=sheet.title,
        html=html,
        as_of=report.as_of,
        project_names=[(slug, names.get(lang)) for slug, names in report.project_names.items()],
    )
