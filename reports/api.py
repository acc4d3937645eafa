"""The outcomes endpoint: the reports layer's outcomes table, as JSON or CSV. It counts nothing
itself; reports.selectors does, for the dashboards and exports as well."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, renderer_classes, schema
from rest_framework.request import Request
from rest_framework.response import Response

from crossborder.api.base import FORMAT_PARAMETER, ApiSchema, ApiViewMixin, ProgrammeDataAccess
from crossborder.core.metrics import PEOPLE, REPORT_METRICS

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
