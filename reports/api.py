"""The outcomes endpoint: the reports layer's outcomes table, as JSON or CSV. It counts nothing
itself; reports.selectors does, for the dashboards and exports as well."""

from __future__ import annotations

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

from .quality import SECTIONS, may_read_quality, quality_from_params
from .selectors import DIMENSIONS, ReportParameterError, outcomes_from_params


class OutcomeRowSerializer(serializers.Serializer):
    """One row of the table: the dimensions asked for (slugs; null where unknown, e.g. `pes`
    for an unsplit total), the metrics, distinct people with a record, and whether a metric
    counts a minimum ("more than 200")."""

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
    lower_bound = serializers.BooleanField(help_text="A metric of the row is a minimum.")
    lower_bounds = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The metrics that are minimums."
    )
    provisional = serializers.BooleanField(
        help_text=(
            "The row counts figures or records of a reporting period not approved yet (or "
            "without a PES, which no period holds): they may still change. Always false with "
            "`approved=true`."
        )
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        """The dimensions, a count for each metric of the registry in its order, then the
        distinct people and the lower-bound flags."""
        declared = super().get_fields()
        dimensions = {name: declared.pop(name) for name in DIMENSIONS}
        metrics = {str(m): serializers.IntegerField() for m in REPORT_METRICS if m != PEOPLE}
        return {**dimensions, **metrics, **declared}


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
        FORMAT_PARAMETER,
    ],
    description=(
        "Outcomes of actions per combination of dimensions, from the reports layer: actions, "
        "jobseekers interested, starting, completing, finding work, hired, certified, and the "
        "employers, agencies and vacancies present. An unknown dimension, filter value, "
        "parameter or a malformed date is a 400 naming the parameter. `?format=csv` gives the "
        "result rows as CSV."
    ),
)
@api_view(["GET"])
@permission_classes([ProgrammeDataAccess])
@renderer_classes(ApiViewMixin.renderer_classes)
@schema(OutcomesSchema())
def outcomes(request: Request) -> Response:
    try:
        table = outcomes_from_params(request.query_params)
    except ReportParameterError as error:
        raise serializers.ValidationError(error.message_dict) from error
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
