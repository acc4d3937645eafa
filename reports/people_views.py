"""Who took part: the dashboard of the ESF+ breakdowns (gender, age band, youth band, status at
entry, education level) with the result measures, one table each, and their downloads.

Every figure comes from reports.selectors (one table per personal dimension, from the same
filters), passed through reports.protection for every user who may not read personal data: the
page, the CSV and the workbook show the same withheld cells, read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actions.models import Action
from crossborder.core import metrics as registry
from crossborder.core.formats import CSV, XLSX, Format
from crossborder.core.metrics import Metric
from crossborder.core.writers import UnknownSeparator, XlsxWorkbook, separator, write_csv
from participants.attributes import PERSONAL_DIMENSIONS
from reports import selectors
from reports.exports import _lower_bound_format
from reports.filters import APPROVED, ActionFilterSet
from reports.protection import (
    needs_protection,
    personal_filter_errors,
    protect,
    withheld_text,
)
from reports.selectors import (
    KNOWN,
    NOT_YET_KNOWN,
    RESULT_MEASURES,
    UNKNOWN,
    OutcomeTable,
    outcome_tables,
    result_reading,
)
from reports.templatetags.report_format import metric
from reports.views import (
    OVERVIEW_FILTERS,
    PeriodForm,
    _approved,
    _form_errors,
    _periods_context,
    _subset,
    dashboard_view,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

# The columns of every table: who started and completed, then the result measures but the
# number of follow-ups known (a table of who took part shows the results, not the bookkeeping).
PEOPLE_MEASURES: tuple[str, ...] = (
    Metric.STARTS.value,
    Metric.COMPLETIONS.value,
    *(slug for slug, m in RESULT_MEASURES.items() if slug != f"{m.kind}_{KNOWN}"),
)
# What each chart draws beside the starts: the two results in work.
CHART_MEASURES: dict[str, str] = {
    Metric.STARTS.value: "#0b4f8a",
    "in_work_on_leaving": "#1f8a4c",
    "in_work_six_months": "#c45a00",
}
EXPORTS: dict[str, Format] = {CSV.name: CSV, XLSX.name: XLSX}


def measure_heading(slug: str) -> str:
    """A column's heading in the active language, from the metric registry or the result
    measures."""
    if slug in RESULT_MEASURES:
        return str(RESULT_MEASURES[slug].heading)
    return registry.heading(slug)


class PersonalFilterForm(forms.Form):
    """The personal filters (gender, age band, ...): one group of checkboxes each, its choices
    those of participants.attributes; the reports layer checks them again."""

    def __init__(self, data: QueryDict, *, user: AbstractUser | AnonymousUser) -> None:
        self.user = user
        values = QueryDict(mutable=True)
        for slug in PERSONAL_DIMENSIONS:
            tokens = [t.strip() for v in data.getlist(slug) for t in v.split(",") if t.strip()]
            if tokens:
                values.setlist(slug, tokens)
        super().__init__(values)
        for slug, dimension in PERSONAL_DIMENSIONS.items():
            self.fields[slug] = forms.MultipleChoiceField(
                label=str(dimension.label),
                choices=dimension.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self) -> dict[str, Any]:
        """A user who may not read personal data may not filter by a personal attribute: the
        totals of the people of one gender are a cell of the breakdown by gender, and the
        figures of all people less those of the others would give away the small numbers that
        the breakdowns withhold (reports.protection)."""
        cleaned = super().clean() or {}
        asked = [slug for slug in PERSONAL_DIMENSIONS if cleaned.get(slug)]
        for slug, messages in personal_filter_errors(asked, self.user).items():
            for message in messages:
                self.add_error(slug, message)
        return cleaned


def _reading(row: Mapping[str, Any], slug: str) -> str:
    """A result measure that its number cannot say: "not yet known" or "unknown" (never 0).
    Where a count of its follow-ups is withheld, a 0 reads "not known" whatever those counts
    are: "not yet known", "unknown" or 0 would each tell something of what is withheld (whether
    a withheld cell is a small count or a zero withheld beside one)."""
    if slug not in RESULT_MEASURES or slug in row.get("suppressed", ()):
        return ""
    kind = RESULT_MEASURES[slug].kind
    known = f"{kind}_{KNOWN}"
    if row.get(slug) or row.get(known) or known in row.get("complementary", ()):
        # Some follow-ups are known (a complementary cell, "not shown", is N or more): the
        # number stands, whatever is withheld beside it.
        return ""
    states = [f"{kind}_{state}" for state in (KNOWN, NOT_YET_KNOWN, UNKNOWN)]
    if any(state in row.get("suppressed", ()) for state in states):
        return _("not known")
    reading = result_reading(row, slug)
    if reading == NOT_YET_KNOWN:
        return _("not yet known")
    if reading == UNKNOWN:
        return _("unknown")
    return ""


def cell_text(row: Mapping[str, Any], slug: str) -> str:
    """A cell as every format reads it: "fewer than 5", "not shown", "not yet known",
    "at least 200" or the number."""
    return withheld_text(dict(row), slug) or _reading(row, slug) or metric(row, slug)


def _cells(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A row's cells as every format reads them, each with its column's heading (a phone shows
    it beside the figure)."""
    return [
        {
            "slug": slug,
            "heading": measure_heading(slug),
            "text": text,
            "withheld": slug in row.get("suppressed", ()),
            # What a file writes: the number where the page shows one (a lower bound stays a
            # number, in the workbook's format for it), else the page's words.
            "value": row[slug] if text == metric(row, slug) and row.get(slug) is not None else text,
        }
        for slug, text in ((slug, cell_text(row, slug)) for slug in PEOPLE_MEASURES)
    ]


def _ordered(table: OutcomeTable, dimension: str) -> list[dict[str, Any]]:
    """The rows in the order of the dimension's choices, "not recorded" last."""
    order = {
        value: index for index, (value, _label) in enumerate(PERSONAL_DIMENSIONS[dimension].choices)
    }
    return sorted(table.rows, key=lambda row: order.get(row[dimension], len(order)))


def breakdown(table: OutcomeTable, dimension: str) -> dict[str, Any]:
    """One dimension's table as the page, the CSV and the workbook lay it out: its rows labelled
    in the active language, each cell's text, and a chart."""
    personal = PERSONAL_DIMENSIONS[dimension]
    rows = [
        {
            "label": capfirst(personal.value_label(row[dimension])),
            "provisional": row.get("provisional", False),
            "row": row,
            "cells": _cells(row),
        }
        for row in _ordered(table, dimension)
    ]
    return {
        "slug": dimension,
        "title": str(personal.label),
        "heading": capfirst(str(personal.label)),
        "rows": rows,
        "totals": _cells(table.totals),
        "totals_row": table.totals,
        "chart": {
            "id": f"chart-people-{dimension}",
            "title": _("Started and in work, by %(dimension)s") % {"dimension": personal.label},
            "stacked": False,
            "labels": [row["label"] for row in rows],
            "datasets": [
                {
                    "label": measure_heading(slug),
                    "color": colour,
                    # A withheld cell is left out of the picture (null), never drawn as 0.
                    "data": [row["row"].get(slug) for row in rows],
                }
                for slug, colour in CHART_MEASURES.items()
            ],
        },
    }


def _lines(
    table: Mapping[str, Any],
) -> list[tuple[str, list[dict[str, Any]], Mapping[str, Any]]]:
    """The rows of a dimension's table and its totals: label, cells, and the row they read."""
    lines = [(row["label"], row["cells"], row["row"]) for row in table["rows"]]
    return [*lines, (_("Total"), table["totals"], table["totals_row"])]


def breakdown_csv(table: Mapping[str, Any], sep: str | None) -> bytes:
    """The table of one dimension as the page shows it, its totals last, the lower bounds named
    in a column of their own."""
    lang = get_language() or settings.LANGUAGE_CODE
    columns = [table["slug"], *PEOPLE_MEASURES, "lower_bounds"]
    headings = [
        table["heading"],
        *map(measure_heading, PEOPLE_MEASURES),
        _("Lower bounds"),
    ]
    rows = []
    for label, cells, row in _lines(table):
        rows.append(
            {
                table["slug"]: label,
                **{cell["slug"]: cell["value"] for cell in cells},
                "lower_bounds": ", ".join(
                    measure_heading(slug)
                    for slug in row.get("lower_bounds", ())
                    if slug in PEOPLE_MEASURES
                ),
            }
        )
    return write_csv(rows, columns=columns, headings=headings, delimiter=separator(sep, lang))


def breakdown_xlsx(table: Mapping[str, Any]) -> bytes:
    """The same table as a workbook: numbers stay numbers (a lower bound in its format), a
    withheld or unknown cell reads as on the page, the totals in bold."""
    # The workbook's one format of a minimum, as the outcomes and the year report write it.
    workbook = XlsxWorkbook(lower_bound_format=_lower_bound_format())
    sheet = workbook.sheet(table["heading"][:31])
    sheet.header([table["heading"], *map(measure_heading, PEOPLE_MEASURES)])
    for label, cells, row in _lines(table):
        sheet.append(
            [label, *(cell["value"] for cell in cells)],
            lower_bounds={
                index + 1
                for index, cell in enumerate(cells)
                if cell["slug"] in row.get("lower_bounds", ())
                and cell["value"] == row[cell["slug"]]
            },
            bold=row is table["totals_row"],
        )
    sheet.width("A", 32)
    return workbook.to_bytes()


def _download(request: HttpRequest, tables: Sequence[Mapping[str, Any]]) -> HttpResponse:
    """The table `breakdown` asks for, as the file `export` asks for."""
    chosen = request.GET.get("breakdown", "")
    file_format = EXPORTS.get(request.GET.get("export", ""))
    table = next((t for t in tables if t["slug"] == chosen), None)
    if file_format is None:
        message = _("“%(value)s” is not a format; use any of: %(choices)s.") % {
            "value": request.GET.get("export", ""),
            "choices": ", ".join(EXPORTS),
        }
        return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
    if table is None:
        message = _("“%(value)s” is not a breakdown; use any of: %(choices)s.") % {
            "value": chosen,
            "choices": ", ".join(PERSONAL_DIMENSIONS),
        }
        return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
    try:
        content = (
            breakdown_csv(table, request.GET.get("sep"))
            if file_format == CSV
            else breakdown_xlsx(table)
        )
    except UnknownSeparator as error:
        return HttpResponseBadRequest(str(error) + "\n", content_type="text/plain; charset=utf-8")
    stem = f"people-{table['slug']}-{timezone.localdate().isoformat()}"
    response = HttpResponse(content, content_type=file_format.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_format.filename(stem)}"'
    return response


@dashboard_view
def people(request: HttpRequest) -> HttpResponse:
    """Who took part, for the overview's period and filters and the personal filters: a table
    (and a chart) per personal dimension with the starts, completions and results; small
    numbers protected for users who may not read personal data, who get no personal filters.
    `export` (csv, xlsx) with `breakdown` (a dimension) downloads one table."""
    years = sorted(Action.objects.order_by().values_list("year", flat=True).distinct())
    period = PeriodForm(request.GET, years=years)
    filterset = ActionFilterSet(
        _subset(request.GET, OVERVIEW_FILTERS), queryset=Action.objects.none()
    )
    protected_view = needs_protection(PERSONAL_DIMENSIONS, request.user)
    personal = PersonalFilterForm(request.GET, user=request.user)
    fields = [filterset.form[name] for name in OVERVIEW_FILTERS]
    # Offered only to those who may use them (PersonalFilterForm.clean).
    personal_fields = [] if protected_view else [personal[slug] for slug in PERSONAL_DIMENSIONS]
    context: dict[str, Any] = {
        "period": period,
        "years": years,
        "filter_fields": fields,
        "personal_fields": personal_fields,
        "chip_fields": fields + personal_fields,
    }
    valid = period.is_valid() & filterset.is_valid() & personal.is_valid()
    approved, approved_errors = _approved(request)
    context["approved"] = approved
    if not valid or approved_errors:
        context["errors"] = _form_errors(period, filterset.form, personal) + approved_errors
        return render(request, "reports/people.html", context, status=400)

    date_from, date_to = period.date_range
    filters = _subset(request.GET, (*OVERVIEW_FILTERS, *PERSONAL_DIMENSIONS))
    filters["date_from"], filters["date_to"] = date_from.isoformat(), date_to.isoformat()
    if approved:
        filters[APPROVED] = "true"
    dimensions = list(PERSONAL_DIMENSIONS)
    try:
        found = outcome_tables(
            groupings=[[d] for d in dimensions], filters=filters, as_of=timezone.localdate()
        )
    except selectors.ReportParameterError as error:
        context["errors"] = [
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        return render(request, "reports/people.html", context, status=400)
    protected = [protect(table, user=request.user) for table in found]
    tables = [breakdown(table, d) for table, d in zip(protected, dimensions, strict=True)]
    totals = protected[0].totals
    if request.GET.get("export"):
        return _download(request, tables)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("breakdown", None)
    context.update(
        {
            "period_label": period.label,
            "date_from": date_from,
            "date_to": date_to,
            "headings": [(slug, measure_heading(slug)) for slug in PEOPLE_MEASURES],
            "tables": tables,
            "totals": totals,
            "empty": not any(table["rows"] for table in tables),
            "protected": protected_view,
            "threshold": settings.SMALL_CELL_THRESHOLD,
            "export_query": query.urlencode(),
            **_periods_context(request, approved, totals.get("provisional", False)),
        }
    )
    return render(request, "reports/people.html", context)
