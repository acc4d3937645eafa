"""The indicators' monitoring workbook of a project up to a year, as the programme's monitoring
asks for it (`/api/v1/indicators/monitoring/?project=<slug>&year=<year>`): the project page
links to it. It counts nothing itself: reports.indicators does, for the dashboards as well."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, renderer_classes, schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from crossborder.api.base import ApiSchema, ProgrammeDataAccess
from crossborder.core.formats import XLSX
from crossborder.core.periods import FIRST_YEAR, LAST_YEAR, parse_year
from projects.models import Project

from .filters import APPROVED
from .indicators import monitoring_workbook
from .selectors import ReportParameterError, approved_only, report_actions

PARAMETERS: tuple[str, ...] = ("project", "year", APPROVED)


@dataclass(frozen=True)
class MonitoringRequest:
    project: str
    year: int
    approved: bool


def monitoring_params(params: QueryDict) -> MonitoringRequest:
    """The project, year and `approved` asked; ReportParameterError naming every parameter not
    understood (all at once): an unknown or repeated one, a missing or unknown project, a
    missing or malformed year."""
    errors: dict[str, list[str]] = {
        name: [_("Unknown parameter.")] for name in sorted(set(params) - set(PARAMETERS))
    }
    for name in PARAMETERS:
        if len(params.getlist(name)) > 1:
            errors[name] = [_("Give it once.")]
    slug = (params.get("project") or "").strip()
    if not slug:
        errors.setdefault("project", [_("A project is required: its slug.")])
    elif not Project.objects.filter(slug=slug).exists():
        errors.setdefault("project", [_("No project has this slug.")])
    year_text = (params.get("year") or "").strip()
    year: int | None = None
    if not year_text:
        errors.setdefault("year", [_("A year is required, e.g. 2017.")])
    else:
        try:
            year = parse_year(year_text)
        except DjangoValidationError as error:
            errors.setdefault("year", list(error.messages))
    try:
        approved = approved_only(params)
    except ReportParameterError as error:
        errors.update(error.message_dict)
        approved = False
    if errors or year is None:
        raise ReportParameterError(errors)
    return MonitoringRequest(project=slug, year=year, approved=approved)


class MonitoringSchema(ApiSchema):
    """One file, not a list; 400 for a parameter not understood."""

    def _is_list_view(self, serializer: object = None) -> bool:
        return False

    def error_codes(self) -> list[str]:
        return [*super().error_codes(), "400"]


@extend_schema(
    operation_id="indicators_monitoring",
    responses={
        (200, XLSX.media_type): OpenApiResponse(
            OpenApiTypes.BINARY,
            description="The workbook, as an attachment named indicators-<project>-<year>.xlsx.",
        )
    },
    parameters=[
        OpenApiParameter(
            "project", OpenApiTypes.STR, required=True, description="The project's slug."
        ),
        OpenApiParameter(
            "year",
            {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
            required=True,
            description="The year: the realised actions up to its end count.",
        ),
        OpenApiParameter(
            APPROVED,
            OpenApiTypes.BOOL,
            description="true: count only the figures and records of approved reporting periods.",
        ),
    ],
    description=(
        "The indicators of a project up to a year as the programme's monitoring asks, in an "
        ".xlsx workbook: a summary sheet (code, name, unit, definition, what it counts, value, "
        "follow-ups not yet known and unknown, milestone, target) and one sheet per indicator "
        "listing the actions behind its figure (reference, title, type, year, dates, the PES, "
        "what it adds), or the organisations for RCO87. A missing or unknown project, a missing "
        "or malformed year, a repeated or unknown parameter is a 400 naming the parameter."
    ),
)
@api_view(["GET"])
@permission_classes([ProgrammeDataAccess])
@renderer_classes([JSONRenderer])
@schema(MonitoringSchema())
def indicator_monitoring(request: Request) -> HttpResponse:
    try:
        asked = monitoring_params(request.query_params)
    except ReportParameterError as error:
        raise serializers.ValidationError(error.message_dict) from error
    actions, _pes = report_actions({"project": [asked.project], "date_to": f"{asked.year}-12-31"})
    content = monitoring_workbook(
        project=asked.project, year=asked.year, actions=actions, approved=asked.approved
    )
    response = HttpResponse(content, content_type=XLSX.content_type)
    name = XLSX.filename(f"indicators-{asked.project}-{asked.year}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
