"""The year report ("answer sheet") as a printable page and as .xlsx, .docx and .csv downloads.

`reports/year/<year>/?as_of=<day>&project=<slug>&lang=<a language of the site>&format=<a
format of exports.YEAR_REPORT>`: every format is written from the same YearReport; `as_of`
(20/04/2018 or 2018-04-20, today when left out) is the day the report is as of; a parameter not
understood is a 400 that names it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crossborder.core.formats import CSV, HTML, UnknownFormat
from crossborder.core.writers import UnknownSeparator, separator
from crossborder.jobs import tasks as jobs
from projects.access import can_read_programme

from . import exports
from .filters import APPROVED
from .selectors import ReportParameterError, approved_only
from .year_page import sheet_page
from .year_report import LANGUAGES, parse_as_of, report_action_count
from .year_report import year_report as build_year_report

PARAMETERS = ("project", "lang", "format", APPROVED, "as_of", "sep")
TEMPLATE = "reports/year_report.html"


def filename(year: int, lang: str) -> str:
    """A download's name without its extension: answer-2017-nl."""
    return f"answer-{year}-{lang}"


def _bad_request(errors: dict[str, list[str]]) -> HttpResponse:
    text = "\n".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return HttpResponseBadRequest(text + "\n", content_type="text/plain; charset=utf-8")


def _language(value: str | None) -> str:
    """The language asked for, else the active one (from the session, cookie or browser)."""
    if value:
        return value
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in LANGUAGES else settings.LANGUAGE_CODE


@require_GET
@login_required
def year_report(request: HttpRequest, year: int) -> HttpResponse:
    if not can_read_programme(request.user):
        raise PermissionDenied
    params = request.GET
    errors: dict[str, list[str]] = {
        name: [_("Unknown parameter.")] for name in sorted(set(params) - set(PARAMETERS))
    }
    lang = _language(params.get("lang"))
    if lang not in LANGUAGES:
        errors["lang"] = [
            _("“%(value)s” is not a language; use any of: %(choices)s.")
            % {"value": lang, "choices": ", ".join(LANGUAGES)}
        ]
    try:
        file_format, write = exports.YEAR_REPORT.get(params.get("format") or HTML.name)
    except UnknownFormat as error:
        errors["format"] = [str(error)]
    # The CSV's separator (`sep=;`, `sep=,`, `sep=tab`), by default that of the file's language.
    sep = params.get("sep")
    try:
        separator(sep, lang)
    except UnknownSeparator as error:
        errors["sep"] = [str(error)]
    projects = [slug.strip() for value in params.getlist("project") for slug in value.split(",")]
    projects = [slug for slug in projects if slug]
    try:
        approved = approved_only(params)
    except ReportParameterError as error:
        errors.update(error.message_dict)
    if errors:
        return _bad_request(errors)
    as_of = (params.get("as_of") or "").strip()
    if file_format != HTML:
        # A file of a year of many actions is written on the queue (crossborder.jobs), and the
        # user follows it on the job's page; the page itself is always written here.
        try:
            size = report_action_count(year=year, projects=projects or None, as_of=as_of or None)
        except ReportParameterError as error:
            return _bad_request(error.message_dict)
        if size > settings.REPORT_TASK_ACTIONS:
            job = jobs.year_report_start(
                owner=request.user,
                year=year,
                projects=projects,
                approved=approved,
                as_of=as_of,
                lang=lang,
                file_format=file_format.name,
                sep=sep,
                back_url=reverse("reports:year-report", args=[year]),
            )
            return redirect(job)
        try:
            report = build_year_report(
                year=year,
                projects=projects or None,
                approved=approved,
                as_of=as_of or None,
                # Each file is in one language: its stories are written in it only.
                languages=[lang],
            )
        except ReportParameterError as error:
            return _bad_request(error.message_dict)
        content = exports.year_report_csv(report, lang, sep) if file_format == CSV else None
        response = HttpResponse(
            content if content is not None else write(report, lang),
            content_type=file_format.content_type,
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{file_format.filename(filename(year, lang))}"'
        )
        return response

    # As HTML the report is this page, inside the site.
    try:
        page = sheet_page(year, projects, approved, lang, parse_as_of(as_of or None))
    except ReportParameterError as error:
        return _bad_request(error.message_dict)

    def url(**changes: object) -> str:
        # The page is in the site's language, which its one language switcher (base.html)
        # changes: its links carry none; a download names the language of the page it is from.
        query: dict[str, object] = {
            "project": projects,
            "lang": lang if "format" in changes else "",
            APPROVED: "true" if approved else "",
            # The day as asked, kept in every link: the report of another year as of the same
            # day, and every download of this page.
            "as_of": as_of,
            **changes,
        }
        target_year = query.pop("year", year)
        encoded = urlencode({k: v for k, v in query.items() if v}, doseq=True)
        path = reverse("reports:year-report", args=[target_year])
        return f"{path}?{encoded}" if encoded else path

    context = {
        "page": page,
        # Rendered by the template engine in year_page.sheet_page, which escaped every value.
        "sheet_html": mark_safe(page.html),
        "previous_url": url(year=year - 1),
        "next_url": url(year=year + 1),
        "downloads": [
            (fmt.label, url(format=fmt.name)) for fmt in exports.YEAR_REPORT.formats if fmt != HTML
        ],
        "approved": approved,
        "as_of": as_of,
        "as_of_shown": f"{page.as_of:%d/%m/%Y}",
        "project_choices": [(slug, name, slug in projects) for slug, name in page.project_names],
    }
    with override(lang):
        return render(request, TEMPLATE, context)
