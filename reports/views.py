"""The dashboards: server-rendered pages over the reports layer, for managers, coordinators and
partners (no personal data on any of them).

Every number shown comes from reports.selectors; the views only choose the filters, name the
slugs (projects, PES, action types) in the active language and shape rows for the charts.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from actions.models import Action
from crossborder.core import metrics as registry
from crossborder.core.formats import CSV, UnknownFormat
from crossborder.core.metrics import (
    EMPLOYER_METRICS,
    PARTICIPANT_METRICS,
    WORK_FOUND_ACTION_TYPES,
    Metric,
)
from crossborder.core.periods import FIRST_YEAR, LAST_YEAR, YEAR_MESSAGE, Semester, is_year
from crossborder.core.vocabulary import ActionType, OrganisationKind
from crossborder.core.writers import UnknownSeparator, separator
from crossborder.jobs import tasks as jobs
from projects.access import can_read_programme
from projects.models import Organisation, Project
from reports import exports
from reports.filters import APPROVED, ActionFilterSet
from reports.indicators import indicator_progress
from reports.quality import may_read_quality, may_read_quality_of
from reports.selectors import (
    OutcomeTable,
    ReportParameterError,
    action_figures,
    action_outcomes_by_pes,
    approved_only,
    is_overdue,
    outcome_tables,
    planned_actions,
)
from reports.templatetags.report_format import metric

View = Callable[..., HttpResponse]

# The filters the overview and a project page offer beside the period (all of the FilterSet's
# dimensions but the period and the status: the dashboards count realised actions).
OVERVIEW_FILTERS = ("project", "action_type", "pes", "sector")
# Colours of the PES in the charts, readable on white and told apart in grey print; the unknown
# PES (unsplit figures) is grey.
PES_COLOURS = {"vdab": "#0b4f8a", "le-forem": "#c45a00", "pole-emploi": "#1f8a4c"}
UNKNOWN_COLOUR = "#8a94a3"
OTHER_COLOURS = ("#6b3fa0", "#b8860b", "#2a7f8f")
METRIC_COLOURS: dict[str, str] = {
    Metric.STARTS: "#0b4f8a",
    Metric.PLACEMENTS: "#1f8a4c",
    Metric.HIRES: "#c45a00",
}
CHART_METRICS: tuple[str, ...] = tuple(METRIC_COLOURS)
ACTIONS_PER_PAGE = 25
# Sort keys of the action list and the columns they order by. The date of an action is its
# stored sort date (Action.sort_date): its start date, else the first day of its rough period
# ("May 2018" on 1 May, "2018-S2" on 1 July), so every list puts it where its period begins.
IN_TIME: tuple[str, ...] = ("sort_date", "pk")
SORTS: dict[str, tuple[str, ...]] = {
    "date": IN_TIME,
    "title": ("title", "pk"),
    "project": ("project__name", *IN_TIME),
    "type": ("action_type", *IN_TIME),
    "status": ("status", *IN_TIME),
}


def dashboard_view(view: View) -> View:
    """Logged-in users with a role (manager, coordinator, partner) only: anyone else logged in
    gets 403, an anonymous visitor the login page."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read_programme(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(checked)


def _semester_or_none(text: str | None) -> Semester | None:
    """The semester a parameter names, or None when it names none."""
    try:
        return Semester.parse(text) if text else None
    except forms.ValidationError:
        return None


class SemesterField(forms.Field):
    """A semester as its text (2017-S1), cleaned to a Semester; its message is the one of
    every semester parameter (periods.SEMESTER_MESSAGE)."""

    def to_python(self, value: Any) -> Semester | None:
        text = str(value or "").strip()
        if not text:
            return None
        semester = Semester.parse(text)
        # A semester outside the years any record may have is refused here: its first or last
        # day would be no date the reports layer accepts.
        if not is_year(semester.year):
            raise forms.ValidationError(
                YEAR_MESSAGE, code="invalid_year", params={"value": semester.year}
            )
        return semester


class PeriodForm(forms.Form):
    """The period of the overview: a range of semesters, or a whole year as a shortcut.

    Without either, the latest year with actions up to this year is shown.
    """

    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    period_from = SemesterField(label=gettext_lazy("From"), required=False)
    period_to = SemesterField(label=gettext_lazy("Until"), required=False)

    def __init__(self, data: QueryDict, *, years: list[int]) -> None:
        self.years = years
        # A year, or no period at all, stands for its two semesters: filled in here so that the
        # form shows the period it counts.
        data = data.copy()
        if not (data.get("period_from") or data.get("period_to")):
            year = data.get("year") or str(self.default_year())
            if year.isdigit():
                first, second = Semester.both(int(year))
                data["period_from"], data["period_to"] = str(first), str(second)
        super().__init__(data)
        # The years with actions, and those of the period asked when they have none.
        asked = {
            semester.year
            for semester in map(_semester_or_none, (data.get("period_from"), data.get("period_to")))
            if semester is not None
        }
        shown = sorted(set(years) | asked)
        semesters = [("", "")] + [
            (str(semester), str(semester)) for y in shown for semester in Semester.both(y)
        ]
        for name in ("period_from", "period_to"):
            self.fields[name].widget = forms.Select(choices=semesters)

    def default_year(self) -> int:
        this_year = timezone.localdate().year
        past = [year for year in self.years if year <= this_year]
        return max(past) if past else (min(self.years) if self.years else this_year)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        # One end alone stands for the rest of its year; neither, the year shown by default.
        year = (start or end or Semester(self.default_year(), 1)).year
        start, end = start or Semester(year, 1), end or Semester(year, 2)
        if end < start:
            self.add_error("period_to", _("May not be before the start of the period."))
            return cleaned
        cleaned["period_from"], cleaned["period_to"] = start, end
        return cleaned

    @property
    def date_range(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["period_from"].first_day, self.cleaned_data["period_to"].last_day

    @property
    def label(self) -> str:
        start: Semester = self.cleaned_data["period_from"]
        end: Semester = self.cleaned_data["period_to"]
        if start.year == end.year and (start.half, end.half) == (1, 2):
            return str(start.year)
        return str(start) if start == end else f"{start} \u2013 {end}"


class CommaSeparatedInput(forms.TextInput):
    """A text box for a multi-valued filter (years, semesters): `2017, 2018`; repeated
    parameters (`?year=2017&year=2018`) are shown joined."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [value for value in values if value]
        return ",".join(values) if values else None


class DayFirstDateInput(forms.DateInput):
    """A date box shown day first (the language's first input format), not the browser's date
    picker, which shows the browser's own order (04/13/2018 in an American browser). A date
    linked or typed in ISO (`?date_from=2018-01-01`) is accepted and shown day first too."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.date.fromisoformat(value)
        return super().format_value(value)


def _list_widgets(form: forms.Form) -> None:
    """Widgets a person can use for the FilterSet's free-form fields (the FilterSet itself
    serves the API and reports too, where widgets do not matter)."""
    form.fields["year"].widget = CommaSeparatedInput(attrs={"placeholder": "2017, 2018"})
    form.fields["semester"].widget = CommaSeparatedInput(attrs={"placeholder": "2017-S1"})
    # Given actions by reference (or id), typed or pasted from a partner's list.
    form.fields["action"].widget = CommaSeparatedInput()
    for name in ("date_from", "date_to"):
        form.fields[name].widget = DayFirstDateInput(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
        )


def _subset(query: QueryDict, names: Iterable[str]) -> QueryDict:
    subset = QueryDict(mutable=True)
    for name in names:
        values = [value for value in query.getlist(name) if value != ""]
        if values:
            subset.setlist(name, values)
    return subset


def _pes_names() -> dict[str, str]:
    return dict(Organisation.objects.filter(kind=OrganisationKind.PES).values_list("slug", "name"))


def _semester_label(year: int | None, semester: str | None) -> str:
    if semester:
        return semester
    return _("%(year)s, semester not known") % {"year": year}


def _pes_order(slugs: Iterable[str | None], names: dict[str, str]) -> list[str | None]:
    """Known PES by name, the unknown PES (None) last."""
    known = sorted({slug for slug in slugs if slug is not None}, key=lambda s: names.get(s, s))
    return [*known, *([None] if None in set(slugs) else [])]


def _pes_label(slug: str | None, names: dict[str, str]) -> str:
    return _("unknown PES") if slug is None else names.get(slug, slug)


def _pes_colour(slug: str | None, index: int) -> str:
    if slug is None:
        return UNKNOWN_COLOUR
    return PES_COLOURS.get(slug, OTHER_COLOURS[index % len(OTHER_COLOURS)])


def semester_pes_charts(table: OutcomeTable, pes_names: dict[str, str]) -> list[dict[str, Any]]:
    """Starts, placements and hires per semester, stacked by PES: one chart per metric, from a
    table grouped by year, semester and PES."""
    periods = list(dict.fromkeys((row["year"], row["semester"]) for row in table.rows))
    pes_slugs = _pes_order([row["pes"] for row in table.rows], pes_names)
    cells = {(row["year"], row["semester"], row["pes"]): row for row in table.rows}
    charts = []
    for name in CHART_METRICS:
        charts.append(
            {
                "id": f"chart-semester-{name}",
                "title": _("%(metric)s per semester, by PES") % {"metric": registry.heading(name)},
                "stacked": True,
                "labels": [_semester_label(year, semester) for year, semester in periods],
                "datasets": [
                    {
                        "label": _pes_label(slug, pes_names),
                        "color": _pes_colour(slug, index),
                        "data": [
                            cells[(year, semester, slug)][name]
                            if (year, semester, slug) in cells
                            else 0
                            for year, semester in periods
                        ],
                    }
                    for index, slug in enumerate(pes_slugs)
                ],
            }
        )
    return charts


def metrics_chart(
    chart_id: str, title: str, labels: list[str], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """Starts, placements and hires side by side for each label (action type, semester)."""
    return {
        "id": chart_id,
        "title": title,
        "stacked": False,
        "labels": labels,
        "datasets": [
            {
                "label": registry.heading(name),
                "color": METRIC_COLOURS[name],
                "data": [row[name] for row in rows],
            }
            for name in CHART_METRICS
        ],
    }


def _type_label(slug: str) -> str:
    return str(ActionType(slug).label)


def _approved(request: HttpRequest) -> tuple[bool, list[str]]:
    """Whether the page counts the approved periods' figures only (`approved=true`), and the
    message naming the parameter when its value is neither true nor false."""
    try:
        return approved_only(request.GET), []
    except ReportParameterError as error:
        return False, [
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]


def _periods_context(request: HttpRequest, approved: bool, provisional: bool) -> dict[str, Any]:
    """The marker of the figures' standing: approved only, or some provisional; with the link
    to the other view of the same page."""
    query = request.GET.copy()
    query.pop(APPROVED, None)
    query.pop("page", None)
    if not approved:
        query[APPROVED] = "true"
    return {
        "approved": approved,
        "provisional": provisional and not approved,
        "approved_toggle_url": "?" + query.urlencode(),
    }


def _form_errors(*forms_with_errors: forms.Form) -> list[str]:
    messages = []
    for form in forms_with_errors:
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.append(f"{label}: {error}" if label else str(error))
    return messages


@dashboard_view
def overview(request: HttpRequest) -> HttpResponse:
    """Where the programme stands for a period: tiles, charts per semester and PES and per
    action type, indicator progress and the next planned actions."""
    years = sorted(Action.objects.order_by().values_list("year", flat=True).distinct())
    period = PeriodForm(request.GET, years=years)
    filterset = ActionFilterSet(
        _subset(request.GET, OVERVIEW_FILTERS), queryset=Action.objects.none()
    )
    context: dict[str, Any] = {
        "period": period,
        "filter": filterset,
        "years": years,
        "filter_fields": [filterset.form[name] for name in OVERVIEW_FILTERS],
    }
    period_ok = period.is_valid()
    approved, approved_errors = _approved(request)
    context["approved"] = approved
    if not (filterset.is_valid() and period_ok) or approved_errors:
        context["errors"] = _form_errors(period, filterset.form) + approved_errors
        return render(request, "reports/overview.html", context, status=400)

    date_from, date_to = period.date_range
    filters = _subset(request.GET, OVERVIEW_FILTERS)
    filters["date_from"], filters["date_to"] = date_from.isoformat(), date_to.isoformat()
    if approved:
        filters[APPROVED] = "true"
    today = timezone.localdate()
    by_type, by_semester = outcome_tables(
        groupings=[["action_type"], ["year", "semester", "pes"]], filters=filters, as_of=today
    )
    pes_names = _pes_names()
    project_slugs = filterset.form.cleaned_data.get("project")
    indicators = indicator_progress(
        projects=[p.slug for p in project_slugs] if project_slugs else None,
        until_year=date_to.year,
        approved=approved,
    )
    type_rows = [{**row, "label": _type_label(row["action_type"])} for row in by_type.rows]
    context.update(
        {
            "period_label": period.label,
            "date_from": date_from,
            "date_to": date_to,
            "totals": by_type.totals,
            "type_rows": type_rows,
            "semester_rows": [
                {
                    **row,
                    "label": _semester_label(row["year"], row["semester"]),
                    "pes_label": _pes_label(row["pes"], pes_names),
                }
                for row in by_semester.rows
            ],
            "semester_totals": by_semester.totals,
            "semester_charts": semester_pes_charts(by_semester, pes_names),
            "type_chart": metrics_chart(
                "chart-type",
                _("Starts, placements and hires per action type"),
                [row["label"] for row in type_rows],
                type_rows,
            ),
            "indicators": [item for item in indicators if item.project is None],
            # Not by PES: a planned action has no jobseekers counted yet, so none would show.
            "planned": planned_actions(
                today=today,
                filters=_subset(request.GET, ("project", "action_type", "sector")),
                after=date_from,
                limit=8,
            ),
            # The overdue ones are named in full on the data-quality list, for those who read it.
            "quality_url": (
                reverse("reports:data-quality") if may_read_quality(request.user) else None
            ),
            "year_links": years,
            **_periods_context(request, approved, by_type.totals["provisional"]),
        }
    )
    return render(request, "reports/overview.html", context)


@dashboard_view
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One project: partners, work packages, its actions over time with their figures, its
    outcomes per semester and its indicators."""
    project = get_object_or_404(
        Project.objects.select_related("programme", "lead_partner"), slug=slug
    )
    partners = list(project.memberships.select_related("organisation"))
    work_packages = list(project.work_packages.select_related("coordinator"))
    approved, approved_errors = _approved(request)
    if approved_errors:
        return HttpResponseBadRequest(
            "\n".join(approved_errors) + "\n", content_type="text/plain; charset=utf-8"
        )
    actions = list(project.actions.select_related("sector").order_by(*IN_TIME))
    today = timezone.localdate()
    figures = action_figures(project.actions.all(), approved=approved, as_of=today)
    filters = {"project": project.slug, APPROVED: "true" if approved else ""}
    per_semester, per_semester_pes = outcome_tables(
        groupings=[["year", "semester"], ["year", "semester", "pes"]], filters=filters, as_of=today
    )
    pes_names = _pes_names()
    semester_rows = [
        {**row, "label": _semester_label(row["year"], row["semester"])} for row in per_semester.rows
    ]
    indicators = [
        item
        for item in indicator_progress(projects=[project.slug], approved=approved)
        if item.project == project.slug
    ]
    context = {
        "project": project,
        "partners": partners,
        "work_packages": work_packages,
        "actions": [(action, figures.get(action.pk)) for action in actions],
        "overdue_count": sum(is_overdue(action, today) for action in actions),
        "semester_rows": semester_rows,
        "totals": per_semester.totals,
        "semester_chart": metrics_chart(
            "chart-project-semester",
            _("Starts, placements and hires per semester"),
            [row["label"] for row in semester_rows],
            semester_rows,
        ),
        "semester_charts": semester_pes_charts(per_semester_pes, pes_names),
        "semester_pes_rows": [
            {
                **row,
                "label": _semester_label(row["year"], row["semester"]),
                "pes_label": _pes_label(row["pes"], pes_names),
            }
            for row in per_semester_pes.rows
        ],
        "indicators": indicators,
        **_periods_context(request, approved, per_semester.totals["provisional"]),
        "quality_url": (
            reverse("reports:data-quality") + "?" + urlencode({"project": project.slug})
            if may_read_quality_of(request.user, project)
            else None
        ),
    }
    return render(request, "reports/project_detail.html", context)


def _sorted(queryset: Any, sort: str) -> tuple[Any, str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "date", "date"
    columns = SORTS[key]
    if sort.startswith("-"):
        columns = tuple(f"-{column}" for column in columns)
    return queryset.order_by(*columns), sort


@dashboard_view
def action_list(request: HttpRequest) -> HttpResponse:
    """The actions, filtered with the shared ActionFilterSet (every status unless asked),
    sortable, paginated, and exported to .csv or .xlsx with the same rows."""
    filterset = ActionFilterSet(
        request.GET, queryset=Action.objects.select_related("project", "sector")
    )
    _list_widgets(filterset.form)
    approved, approved_errors = _approved(request)
    context: dict[str, Any] = {"filter": filterset, "approved": approved}
    if not filterset.is_valid() or approved_errors:
        context["errors"] = _form_errors(filterset.form) + approved_errors
        return render(request, "reports/action_list.html", context, status=400)
    actions, sort = _sorted(filterset.qs, request.GET.get("sort", "date"))
    export = request.GET.get("export")
    if export:
        try:
            return _export(request, actions, export, approved=approved, sep=request.GET.get("sep"))
        except UnknownFormat as error:
            context["errors"] = [f"export: {error}"]
        except UnknownSeparator as error:
            context["errors"] = [f"sep: {error}"]
        return render(request, "reports/action_list.html", context, status=400)
    page = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    figures = action_figures(
        Action.objects.filter(pk__in=[action.pk for action in page]), approved=approved
    )
    query = request.GET.copy()
    for name in ("page", "sort", "export"):
        query.pop(name, None)
    context.update(
        {
            "page": page,
            "rows": [(action, figures.get(action.pk)) for action in page],
            "sort": sort,
            "query": query.urlencode(),
            "sort_links": {key: ("-" + key if sort == key else key) for key in SORTS},
            **_periods_context(
                request, approved, any(row["provisional"] for row in figures.values())
            ),
        }
    )
    return render(request, "reports/action_list.html", context)


def _export(
    request: HttpRequest,
    actions: QuerySet[Action],
    export: str,
    *,
    approved: bool = False,
    sep: str | None = None,
) -> HttpResponse:
    """The filtered actions in the list's order, with their figures from the reports layer (one
    query for all of them), as a file of the format asked for; headed in the active language, a
    CSV separated as `sep` asks (else as the language's Excel expects: UnknownSeparator for a
    separator there is not). More actions than REPORT_TASK_ACTIONS are written on the queue
    (crossborder.jobs): the answer is then the job's page."""
    file_format, write = exports.ACTION_LIST.get(export)
    lang = get_language() or settings.LANGUAGE_CODE
    if sep is not None:
        separator(sep, lang)
    chosen = list(actions)
    if len(chosen) > settings.REPORT_TASK_ACTIONS:
        back = request.GET.copy()
        back.pop("export", None)
        job = jobs.action_export_start(
            owner=request.user,
            action_ids=[action.pk for action in chosen],
            export=export,
            approved=approved,
            sep=sep,
            back_url=f"{reverse('reports:action-list')}?{back.urlencode()}",
        )
        return redirect(job)
    listing = exports.action_listing(chosen, action_figures(actions, approved=approved))
    stamp = timezone.localdate().isoformat()
    content = (
        exports.listing_csv(listing, lang, sep) if file_format == CSV else write(listing, lang)
    )
    response = HttpResponse(content, content_type=file_format.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{file_format.filename(f"actions-{stamp}")}"'
    )
    return response


@dashboard_view
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One action: what, when and where, its figures per PES, the employers present with their
    vacancies and the jobs offered. No participant is named."""
    action = get_object_or_404(
        Action.objects.select_related("project", "sector", "work_package"), pk=pk
    )
    today = timezone.localdate()
    table = action_outcomes_by_pes(action, as_of=today)
    pes_names = _pes_names()
    shown = [
        name
        for name in PARTICIPANT_METRICS
        if table.totals[name] or name in table.totals["lower_bounds"]
    ] or [Metric.STARTS]
    context = {
        "action": action,
        "overdue": is_overdue(action, today),
        # Work found is said of the actions after which work can be found; until it can be
        # known (Action.outcomes_pending) it reads "not yet known", never 0.
        "work_found_shown": action.action_type in WORK_FOUND_ACTION_TYPES,
        "outcomes_pending": action.outcomes_pending(today),
        "rows": [{**row, "pes_label": _pes_label(row["pes"], pes_names)} for row in table.rows],
        "totals": table.totals,
        "metrics": [(name, registry.heading(name)) for name in shown],
        "employers": list(action.employers.select_related("organisation")),
        "jobs": list(action.job_offers.select_related("employer")),
        "organisers": list(action.organisers.all()),
        "offices": list(action.offices.all()),
        "certificates": list(action.certificates.all()),
        "employer_totals": [
            (registry.heading(name), metric(table.totals, name)) for name in EMPLOYER_METRICS
        ],
    }
    return render(request, "reports/action_detail.html", context)
