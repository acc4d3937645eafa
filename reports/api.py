"""The outcomes endpoint: the reports layer's outcomes table, as JSON or CSV. It counts nothing
itself; reports.selectors does, for the dashboards and exports as well."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, renderer_classes, schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.api.base import FORMAT_PARAMETER, ApiSchema, ApiViewMixin, ProgrammeDataAccess
from crossborder.core.metrics import PEOPLE, REPORT_METRICS
from crossborder.core.periods import parse_year
from participants.attributes import PERSONAL_DIMENSIONS

from .exports import WORK_FOUND_METRICS, answer_sheet, outcome_text_rows, place_text, when_text
from .filters import ACTION_KEYS_DESCRIPTION, APPROVED
from .protection import (
    COMPLEMENTARY,
    FEWER_THAN,
    SUPPRESSED,
    person_measures,
    personal_filter_errors,
    protect,
)
from .quality import SECTIONS, may_read_quality, quality_from_params
from .selectors import (
    ACTION_DIMENSIONS,
    DIMENSIONS,
    RESULT_MEASURES,
    ReportParameterError,
    approved_only,
    outcomes_from_params,
)
from .year_report import (
    LANGUAGES,
    ActionLine,
    Breakdown,
    Figures,
    YearReport,
    parse_as_of,
)
from .year_report import year_report as build_year_report


class OutcomeRowSerializer(serializers.Serializer):
    """One row of the table: the dimensions asked for (slugs; null where unknown, e.g. `pes`
    for an unsplit total, or a personal dimension for figures, employers and records that do
    not say it), the metrics and the work found, distinct people with a record, the placement
    rate's parts, the result measures of the follow-ups, whether a metric counts a minimum
    ("more than 200"), and which counts of people are withheld (small numbers)."""

    year = serializers.IntegerField(required=False, allow_null=True)
    semester = serializers.CharField(required=False, allow_null=True)
    project = serializers.CharField(required=False, allow_null=True)
    action_type = serializers.CharField(required=False, allow_null=True)
    pes = serializers.CharField(required=False, allow_null=True)
    sector = serializers.CharField(required=False, allow_null=True)
    status = serializers.CharField(required=False, allow_null=True)
    people = serializers.IntegerField(
        allow_null=True,
        help_text="Distinct jobseekers who started, from participation records; null without any.",
    )
    rate_starts = serializers.IntegerField(
        help_text=(
            "The placement rate's denominator: starts of the actions after which work can be "
            "found (guidance cohorts, trainings, jobdatings, company visits) whose work found is "
            "known today (realised, ended, no later date when outcomes are expected)."
        )
    )
    rate_work_found = serializers.IntegerField(
        help_text="The placement rate's numerator: work found in those same actions."
    )
    outcomes_pending = serializers.IntegerField(
        help_text=(
            "Actions of those types whose work found is not known yet: left out of the rate; "
            "their work found is not yet known rather than 0."
        )
    )
    lower_bound = serializers.BooleanField(help_text="A metric of the row is a minimum.")
    lower_bounds = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            "The measures that are minimums: metrics, `work_found`, and the rate's parts "
            "`rate_starts` (the rate is then a maximum) and `rate_work_found` (a minimum)."
        ),
    )
    provisional = serializers.BooleanField(
        help_text=(
            "The row counts figures or records of a reporting period not approved yet (or "
            "without a PES, which no period holds): they may still change. Always false with "
            "`approved=true`."
        )
    )
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "The counts of people withheld from this row (their value is null): in a breakdown "
            "by a personal dimension, for a user who may not read personal data, a count under "
            "the threshold (`fewer_than`) and the counts withheld with it so that none can be "
            "derived from the totals."
        ),
    )
    complementary = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "Those of `suppressed` withheld only to protect another cell: they are not small "
            "(they read “not shown”; the others “fewer than N”)."
        ),
    )
    fewer_than = serializers.IntegerField(
        allow_null=True,
        help_text="The threshold of small numbers where cells are protected; else null.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        """The dimensions, a count for each metric of the registry in its order, then the
        distinct people, the rate's parts, the result measures and the flags. A count of people
        is null where it is withheld (`suppressed`)."""
        declared = super().get_fields()
        withheld = set(person_measures())
        dimensions = {name: declared.pop(name) for name in ACTION_DIMENSIONS}
        for slug, dimension in PERSONAL_DIMENSIONS.items():
            dimensions[slug] = serializers.CharField(
                required=False,
                allow_null=True,
                help_text=(
                    f"{str(dimension.label).capitalize()}: one of "
                    f"{', '.join(value for value, _label in dimension.choices)}; null where "
                    "not recorded (and for figures and employers present, which say no person)."
                ),
            )
        metrics = {
            str(m): serializers.IntegerField(allow_null=str(m) in withheld)
            for m in REPORT_METRICS
            if m != PEOPLE
        }
        flags = {
            name: declared.pop(name) for name in ("lower_bound", "lower_bounds", "provisional")
        }
        protection = {name: declared.pop(name) for name in (SUPPRESSED, COMPLEMENTARY, FEWER_THAN)}
        results = {
            slug: serializers.IntegerField(
                allow_null=slug in withheld, help_text=str(measure.definition)
            )
            for slug, measure in RESULT_MEASURES.items()
        }
        for name, rate_field in declared.items():
            if name in withheld and isinstance(rate_field, serializers.IntegerField):
                rate_field.allow_null = True
        return {**dimensions, **metrics, **declared, **results, **flags, **protection}


class OutcomeTableSerializer(serializers.Serializer):
    group_by = serializers.ListField(child=serializers.ChoiceField(choices=DIMENSIONS))
    results = OutcomeRowSerializer(many=True)
    totals = OutcomeRowSerializer()


def _multi(name: str, description: str, enum: list[str] | None = None) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=enum,
        description=f"{description} Repeat it or separate values by commas.",
    )


class OutcomesSchema(ApiSchema):
    def _is_list_view(self, serializer: object = None) -> bool:
        # One table, not a list of objects: no paging wrapper in the schema.
        return False

    def error_codes(self) -> list[str]:
        return [*super().error_codes(), "400"]


@extend_schema(
    operation_id="reports_outcomes",
    responses={200: OutcomeTableSerializer},
    parameters=[
        OpenApiParameter(
            "group_by",
            OpenApiTypes.STR,
            description=(
                f"Comma-separated dimensions, any of {', '.join(DIMENSIONS)}; rows come in "
                "their order. None gives one total row."
            ),
        ),
        _multi("year", "Years, e.g. 2017."),
        _multi("semester", "Semesters, e.g. 2017-S1 (January-June) or 2017-S2."),
        _multi("project", "Project slugs, e.g. grenzeloos-tewerkstellen."),
        _multi("action_type", "Action types, e.g. guidance_cohort."),
        _multi("pes", "PES slugs (vdab, le-forem, pole-emploi), or unknown for unsplit counts."),
        _multi("sector", "Sector slugs, e.g. agro-food."),
        _multi("status", "Action statuses; realised (ongoing, completed) when left out."),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="Actions starting from."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Actions starting until."),
        _multi("action", ACTION_KEYS_DESCRIPTION),
        *[
            # The values in words rather than an enum: an empty value is no filter here, as
            # for every filter of the reports, which an enum would call invalid.
            _multi(
                slug,
                f"Only the participation records of these values of {dimension.label}: "
                f"{', '.join(value for value, _label in dimension.choices)}. Figures and "
                "employers present say no person and are left out, as are actions without such "
                "a record; another value is a 400 naming the parameter and the values allowed.",
            )
            for slug, dimension in PERSONAL_DIMENSIONS.items()
        ],
        OpenApiParameter(
            "approved",
            OpenApiTypes.BOOL,
            description=(
                "true: count only the figures and records of approved reporting periods; "
                "figures without a PES (unsplit counts, employers present) belong to no period "
                "and are left out. Otherwise everything counts and `provisional` marks the rows "
                "that count figures not approved yet."
            ),
        ),
        OpenApiParameter(
            "as_of",
            OpenApiTypes.STR,
            description=(
                "The day the figures are as of: 2018-04-20 or 20/04/2018; today when left out. "
                "It decides which actions' work found is known and where each follow-up stands "
                "(not yet known, or unknown when overdue)."
            ),
        ),
        FORMAT_PARAMETER,
    ],
    description=(
        "Outcomes of actions per combination of dimensions, from the reports layer: actions, "
        "jobseekers interested, starting, completing, finding work, hired, certified, the "
        "employers, agencies and vacancies present, and the results of the follow-ups (in work "
        "on leaving and six months on, better situation; known, not yet known and unknown). "
        "Dimensions and filters include who took part (gender, age band and youth band at "
        "entry, status at entry, education level): a personal dimension puts figures and "
        "employers present under null, a personal filter counts the matching participation "
        "records only. In a breakdown by a personal dimension, for a user who may not read "
        "personal data, counts of people under the threshold are withheld (null, listed in "
        "`suppressed`) with the cells that would reveal them. An unknown dimension, filter "
        "value, parameter or a malformed date is a 400 naming the parameter. `?format=csv` "
        "gives the result rows as CSV, a withheld count as its words (“fewer than 5”)."
    ),
)
@api_view(["GET"])
@permission_classes([ProgrammeDataAccess])
@renderer_classes(ApiViewMixin.renderer_classes)
@schema(OutcomesSchema())
def outcomes(request: Request) -> Response:
    # Checked before the figures are computed: a filter by a personal attribute is refused to
    # whoever may not read personal data (reports.protection.personal_filter_errors says why).
    asked = [
        name for name, values in request.query_params.lists() if any(v.strip() for v in values)
    ]
    refused = personal_filter_errors(asked, request.user)
    if refused:
        raise serializers.ValidationError(refused)
    try:
        as_of = parse_as_of(request.query_params.get("as_of"))
        table = outcomes_from_params(request.query_params, as_of=as_of)
    except ReportParameterError as error:
        raise serializers.ValidationError(error.message_dict) from error
    table = protect(table, user=request.user)
    if request.accepted_renderer.format == "csv":
        # A spreadsheet reads words where JSON has null: "fewer than 5", "not yet known".
        return Response({"results": outcome_text_rows(table)})
    return Response(table.as_dict())


class QualityAccess(ProgrammeDataAccess):
    """The data-quality list: coordinators and managers (and superusers); 401 anonymous, 403
    for a partner or a user without a role."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        self.message = "The data-quality list is for coordinators and managers."
        return may_read_quality(request.user)


class QualityLinkSerializer(serializers.Serializer):
    text = serializers.CharField()
    url = serializers.CharField(help_text="A path on this site: the admin's page to fix it.")


class QualityItemSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The action (title and dates), a PES, or the PES.")
    detail = serializers.CharField(help_text="What is wrong, in a few words; may be empty.")
    action = serializers.IntegerField(allow_null=True, help_text="The action's id.")
    project = serializers.CharField(allow_null=True, help_text="The project's slug.")
    pes = serializers.CharField(allow_null=True, help_text="The PES's slug.")
    count = serializers.IntegerField(
        allow_null=True, help_text="Figures without PES, or jobseekers lacking the field."
    )
    pseudonym = serializers.CharField(
        allow_null=True,
        help_text="The key held at two PES; only for users who may read both PES's jobseekers.",
    )
    links = QualityLinkSerializer(
        many=True, help_text="Where to fix it in the admin; empty for users without the admin."
    )
    page = serializers.CharField(allow_null=True, help_text="The action's dashboard page.")


class QualitySectionSerializer(serializers.Serializer):
    # A string rather than a choice: its enum would take the schema's generic name `CodeEnum`.
    code = serializers.CharField(help_text=f"The check, one of: {', '.join(SECTIONS)}.")
    title = serializers.CharField()
    explanation = serializers.CharField()
    items = QualityItemSerializer(many=True)
    count = serializers.IntegerField(
        help_text=(
            "What there is to look at: actions, figures, jobseekers or keys. Keys a user may "
            "not see are counted without items."
        )
    )


class QualityListSerializer(serializers.Serializer):
    project = serializers.CharField(allow_null=True)
    semester = serializers.CharField(allow_null=True)
    outcome_months = serializers.IntegerField(
        help_text="Months after a cohort's end by which an outcome is expected."
    )
    clean = serializers.BooleanField(help_text="Nothing to look at.")
    jobseekers_note = serializers.CharField(
        help_text="Why the checks of jobseekers are left out, when they are; else empty."
    )
    sections = QualitySectionSerializer(many=True)


class QualitySchema(OutcomesSchema):
    """One document, not a list; 400 for a parameter not understood."""


@extend_schema(
    operation_id="data_quality",
    responses={200: QualityListSerializer},
    parameters=[
        OpenApiParameter("project", OpenApiTypes.STR, description="A project's slug."),
        OpenApiParameter("semester", OpenApiTypes.STR, description="A semester, e.g. 2018-S1."),
    ],
    description=(
        "What to look at before a period's figures are submitted, for coordinators (their "
        "projects, their own PES's jobseekers) and managers (everything, jobseekers as counts): "
        "actions past their end still planned or ongoing, realised actions without any figure "
        "or record, cohorts without outcomes months after their end, figures of an unknown PES, "
        "jobseekers without a year of birth or an education level per PES, and pseudonymous "
        "keys held at two PES. It blocks nothing. An unknown or repeated parameter, an unknown "
        "project or a malformed semester is a 400 naming the parameter; a project the user "
        "may not read is a 403."
    ),
)
@api_view(["GET"])
@permission_classes([QualityAccess])
@renderer_classes([JSONRenderer])
@schema(QualitySchema())
def data_quality(request: Request) -> Response:
    try:
        quality = quality_from_params(request.user, request.query_params)
    except ReportParameterError as error:
        raise serializers.ValidationError(error.message_dict) from error
    return Response(QualityListSerializer(quality.as_dict()).data)


# The year report (the answer sheet) as data.


class ReportFiguresSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text=(
            "Each metric of the registry (actions, starts, placements, ...) by slug; the work "
            "found (placements, hires) null while it cannot be known yet."
        ),
    )
    lower_bounds = serializers.ListField(
        child=serializers.CharField(), help_text="The metrics that are minimums."
    )
    provisional = serializers.BooleanField(
        help_text="Counts figures of a reporting period not approved yet."
    )


class ReportBreakdownSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True, help_text="A PES, semester, sector or type; null where unknown."
    )
    figures = ReportFiguresSerializer()


class ReportActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    project = serializers.CharField(help_text="The project's slug.")
    action_type = serializers.CharField()
    status = serializers.CharField(
        help_text="The status as of the report's day: an action starting after it is planned."
    )
    year = serializers.IntegerField()
    semester = serializers.CharField(allow_blank=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    when = serializers.CharField(help_text="The dates, or the rough period, as the report reads.")
    title = serializers.CharField()
    place = serializers.CharField(allow_blank=True)
    sector = serializers.CharField(allow_null=True)
    cancellation_reason = serializers.CharField(allow_blank=True)
    outcomes_pending = serializers.BooleanField(
        help_text=(
            "The work found after the action cannot be known yet on the report's day: its "
            "placements and hires read “not yet known”, never 0, and are null below."
        )
    )
    figures = ReportFiguresSerializer()
    by_pes = ReportBreakdownSerializer(many=True)
    story = serializers.ListField(
        child=serializers.CharField(), help_text="The action's story, sentence by sentence."
    )


class ReportTypeSectionSerializer(serializers.Serializer):
    action_type = serializers.CharField()
    summary = serializers.CharField(help_text="The section's figures in a sentence.")
    totals = ReportFiguresSerializer()
    by_pes = ReportBreakdownSerializer(many=True)
    by_semester = ReportBreakdownSerializer(many=True)
    by_sector = ReportBreakdownSerializer(many=True)
    actions = ReportActionSerializer(many=True)


class ReportProjectSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    state = serializers.ListField(
        child=serializers.CharField(),
        help_text="The project's state, partners and roles, work packages and coordinators.",
    )
    totals = ReportFiguresSerializer(
        allow_null=True, help_text="The year's realised actions; null when there is none."
    )
    sections = ReportTypeSectionSerializer(many=True)
    realised_next_year = ReportActionSerializer(
        many=True, help_text="Realised in the next year up to the report's day."
    )
    cancelled = ReportActionSerializer(many=True)
    planned = ReportActionSerializer(
        many=True, help_text="Planned for the rest of the year as of the report's day."
    )
    planned_next_year = ReportActionSerializer(
        many=True,
        help_text="Planned for the next year as of the report's day, even if it happened since.",
    )


class ReportIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    project = serializers.CharField(allow_null=True)
    actual = serializers.IntegerField()
    lower_bound = serializers.BooleanField()


class ReportPeriodSerializer(serializers.Serializer):
    project = serializers.CharField()
    year = serializers.IntegerField()
    semester = serializers.CharField(allow_blank=True)
    pes = serializers.CharField()
    status = serializers.CharField()


class YearReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField(help_text="The day the report is as of.")
    made_at = serializers.DateTimeField(help_text="When the report was made.")
    lang = serializers.CharField(help_text="The language of the texts.")
    title = serializers.CharField()
    dated = serializers.CharField(help_text="The day it is as of and when it was made, in words.")
    approved = serializers.BooleanField()
    provisional = serializers.BooleanField()
    projects = ReportProjectSerializer(many=True)
    cooperation = serializers.ListField(
        child=serializers.CharField(),
        help_text="Question 5: the pairs of border offices, the staff seminars, who presented.",
    )
    totals = ReportFiguresSerializer()
    by_type = ReportBreakdownSerializer(many=True)
    by_pes = ReportBreakdownSerializer(many=True)
    by_semester = ReportBreakdownSerializer(many=True)
    indicators = ReportIndicatorSerializer(many=True)
    periods = ReportPeriodSerializer(
        many=True,
        help_text="The recorded reporting periods the figures rest on (a period not listed "
        "is open).",
    )


YEAR_REPORT_PARAMETERS = ("year", "as_of", "project", "lang", APPROVED)


def _figures(figures: Figures, pending: bool = False) -> dict[str, Any]:
    counts: dict[str, Any] = dict(figures.counts)
    if pending:
        for metric in WORK_FOUND_METRICS & set(counts):
            counts[metric] = None
    return {
        "counts": counts,
        "lower_bounds": sorted(figures.lower_bounds),
        "provisional": figures.provisional,
    }


def _breakdowns(rows: list[Breakdown]) -> list[dict[str, Any]]:
    return [{"key": row.key, "figures": _figures(row.figures)} for row in rows]


def _action(line: ActionLine, lang: str) -> dict[str, Any]:
    return {
        "id": line.id,
        "reference": line.reference,
        "project": line.project,
        "action_type": line.action_type,
        "status": line.status,
        "year": line.year,
        "semester": line.semester,
        "start_date": line.start_date,
        "end_date": line.end_date,
        "when": when_text(line, lang),
        "title": line.title.get(lang),
        "place": place_text(line, lang),
        "sector": line.sector,
        "cancellation_reason": line.cancellation_reason.get(lang)
        if line.cancellation_reason
        else "",
        "outcomes_pending": line.outcomes_pending,
        "figures": _figures(line.figures, line.outcomes_pending),
        "by_pes": [
            {"key": b.key, "figures": _figures(b.figures, line.outcomes_pending)}
            for b in line.by_pes
        ],
        "story": list(line.story.get(lang, [])),
    }


def year_report_data(report: YearReport, lang: str) -> dict[str, Any]:
    """The year report in one language as the endpoint's JSON gives it: the answer sheet's
    texts and the report's numbers."""
    with override(lang):
        sheet = answer_sheet(report, lang)
        summaries = {
            (block.slug, type_block.action_type): type_block.summary
            for block in sheet.projects
            for type_block in block.types
        }
        return {
            "year": report.year,
            "as_of": report.as_of,
            "made_at": report.made_at,
            "lang": lang,
            "title": sheet.title,
            "dated": sheet.dated,
            "approved": report.approved,
            "provisional": report.provisional,
            "projects": [
                {
                    "slug": project.slug,
                    "name": project.name.get(lang),
                    "summary": project.summary.get(lang) if project.summary else "",
                    "state": list(project.state.get(lang, [])),
                    "totals": _figures(project.totals) if project.totals else None,
                    "sections": [
                        {
                            "action_type": section.action_type,
                            "summary": summaries[(project.slug, section.action_type)],
                            "totals": _figures(section.totals),
                            "by_pes": _breakdowns(section.by_pes),
                            "by_semester": _breakdowns(section.by_semester),
                            "by_sector": _breakdowns(section.by_sector),
                            "actions": [_action(line, lang) for line in section.actions],
                        }
                        for section in project.sections
                    ],
                    "realised_next_year": [
                        _action(line, lang) for line in project.realised_next_year
                    ],
                    "cancelled": [_action(line, lang) for line in project.cancelled],
                    "planned": [_action(line, lang) for line in project.planned],
                    "planned_next_year": [
                        _action(line, lang) for line in project.planned_next_year
                    ],
                }
                for project in report.projects
            ],
            "cooperation": list(report.cooperation.get(lang, [])),
            "totals": _figures(report.totals),
            "by_type": _breakdowns(report.by_type),
            "by_pes": _breakdowns(report.by_pes),
            "by_semester": _breakdowns(report.by_semester),
            "indicators": [
                {
                    "code": line.code,
                    "name": line.name.get(lang),
                    "unit": line.unit,
                    "project": line.project,
                    "actual": line.actual,
                    "lower_bound": line.lower_bound,
                }
                for line in report.indicators
            ],
            "periods": [
                {
                    "project": period.project,
                    "year": period.year,
                    "semester": period.semester,
                    "pes": period.pes,
                    "status": period.status,
                }
                for period in report.periods
            ],
        }


def year_report_from_params(params: QueryDict) -> YearReport:
    """The year report for the endpoint's parameters; ReportParameterError naming each
    parameter not understood (all of them at once)."""
    errors: dict[str, list[str]] = {
        name: [_("Unknown parameter.")]
        for name in sorted(set(params) - {*YEAR_REPORT_PARAMETERS, "format"})
    }
    year_text = (params.get("year") or "").strip()
    year: int | None = None
    if not year_text:
        errors["year"] = [_("A year is required, e.g. 2017.")]
    else:
        try:
            year = parse_year(year_text)
        except DjangoValidationError as error:
            errors["year"] = list(error.messages)
    lang = params.get("lang") or ""
    if lang and lang not in LANGUAGES:
        errors["lang"] = [
            _("“%(value)s” is not a language; use any of: %(choices)s.")
            % {"value": lang, "choices": ", ".join(LANGUAGES)}
        ]
    try:
        approved = approved_only(params)
    except ReportParameterError as error:
        errors.update(error.message_dict)
        approved = False
    try:
        as_of = parse_as_of(params.get("as_of"))
    except ReportParameterError as error:
        errors.update(error.message_dict)
    if errors or year is None:
        raise ReportParameterError(errors)
    projects = [s.strip() for value in params.getlist("project") for s in value.split(",")]
    return build_year_report(
        year=year, projects=[s for s in projects if s] or None, approved=approved, as_of=as_of
    )


@extend_schema(
    operation_id="reports_year",
    responses={200: YearReportSerializer},
    parameters=[
        OpenApiParameter(
            "year", OpenApiTypes.INT, required=True, description="The year, e.g. 2017."
        ),
        OpenApiParameter(
            "as_of",
            OpenApiTypes.STR,
            description=(
                "The day the report is as of: 2018-04-20 or 20/04/2018; today when left out. "
                "Nothing after it counts: an action starting later is planned, one not ended "
                "then is ongoing, work found not known yet is null."
            ),
        ),
        _multi("project", "Project slugs; all projects when left out."),
        OpenApiParameter(
            "lang",
            OpenApiTypes.STR,
            enum=list(LANGUAGES),
            description="The language of the texts; the request's language when left out.",
        ),
        OpenApiParameter(
            "approved",
            OpenApiTypes.BOOL,
            description="true: count only the figures and records of approved reporting periods.",
        ),
    ],
    description=(
        "The year report (the answer to a written question such as no. 443) as of a day: per "
        "project in the answer's order, its state, partners and work packages; the actions "
        "realised in the year with their figures and stories; what happened the next year up "
        "to the day, with its figures so far; the cancelled actions and their reasons; what was "
        "planned as of the day; the cooperation of the PES (question 5); the totals, "
        "indicators and the reporting periods the figures rest on. A missing or malformed "
        "year or day, an unknown project, language or parameter is a 400 naming the parameter."
    ),
)
@api_view(["GET"])
@permission_classes([ProgrammeDataAccess])
@renderer_classes([JSONRenderer])
@schema(QualitySchema())
def year_report(request: Request) -> Response:
    try:
        report = year_report_from_params(request.query_params)
    except ReportParameterError as error:
        raise serializers.ValidationError(error.message_dict) from error
    lang = request.query_params.get("lang") or (get_language() or settings.LANGUAGE_CODE)[:2]
    if lang not in LANGUAGES:
        lang = settings.LANGUAGE_CODE
    return Response(YearReportSerializer(year_report_data(report, lang)).data)
