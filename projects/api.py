"""API endpoints for programmes, projects, organisations and indicators: read-only, by slug;
and the reporting periods, with their steps (submit, approve, return, reopen)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.api.base import (
    ERROR_DESCRIPTIONS,
    FORMAT_PARAMETER,
    ID_PATTERN,
    VALIDATION_ERROR_SCHEMA,
    ApiViewMixin,
    ErrorSerializer,
    ProgrammeDataAccess,
    model_errors,
)
from crossborder.core.periods import YEAR_VALIDATORS, validate_semester
from crossborder.core.vocabulary import OrganisationKind, in_each_language
from reports.indicators import IndicatorProgress, indicator_progress

from . import access, periods
from .models import (
    Indicator,
    Organisation,
    PeriodStatus,
    PeriodTransition,
    Programme,
    Project,
    ProjectPartner,
    ReportingPeriod,
    TransitionKind,
    WorkPackage,
)
from .serializers import (
    IndicatorSerializer,
    OrganisationSerializer,
    PeriodCommentSerializer,
    ProgrammeSerializer,
    ProjectSerializer,
    ReportingPeriodSerializer,
)

LIST_SCHEMA = extend_schema(parameters=[FORMAT_PARAMETER])


class ProgrammeFilterSet(django_filters.FilterSet):
    class Meta:
        model = Programme
        fields = {"starts_on": ["gte", "lte"], "ends_on": ["gte", "lte"]}


@extend_schema_view(list=LIST_SCHEMA)
class ProgrammeViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Interreg programmes, e.g. `interreg-v-fwvl` (2014-2020)."""

    serializer_class = ProgrammeSerializer
    permission_classes = [ProgrammeDataAccess]
    lookup_field = "slug"
    filterset_class = ProgrammeFilterSet
    search_fields = ["slug", "name"]
    ordering_fields = ["slug", "starts_on"]

    def get_queryset(self) -> QuerySet[Programme]:
        return Programme.objects.prefetch_related(
            Prefetch("projects", queryset=Project.objects.only("pk", "slug", "programme_id"))
        )


class ProjectFilterSet(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__slug")
    partner = django_filters.CharFilter(
        field_name="memberships__organisation__slug",
        distinct=True,
        help_text="Slug of an organisation taking part in the project.",
    )
    lead_partner = django_filters.CharFilter(field_name="lead_partner__slug")

    class Meta:
        model = Project
        fields = ["programme", "partner", "lead_partner"]


@extend_schema_view(list=LIST_SCHEMA)
class ProjectViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Interreg projects with their partners and work packages, by slug."""

    serializer_class = ProjectSerializer
    permission_classes = [ProgrammeDataAccess]
    lookup_field = "slug"
    filterset_class = ProjectFilterSet
    search_fields = ["slug", *in_each_language("name")]
    ordering_fields = ["slug", "starts_on", "ends_on"]

    def get_queryset(self) -> QuerySet[Project]:
        return Project.objects.select_related("programme", "lead_partner").prefetch_related(
            Prefetch(
                "memberships",
                queryset=ProjectPartner.objects.select_related("organisation"),
            ),
            Prefetch("work_packages", queryset=WorkPackage.objects.select_related("coordinator")),
        )


class OrganisationFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind", "country"]


@extend_schema_view(list=LIST_SCHEMA)
class OrganisationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Public employment services (`vdab`, `le-forem`, `pole-emploi`), partners, companies and
    temporary-work agencies, by slug."""

    serializer_class = OrganisationSerializer
    permission_classes = [ProgrammeDataAccess]
    lookup_field = "slug"
    filterset_class = OrganisationFilterSet
    search_fields = ["slug", "name", "city", "activity"]
    ordering_fields = ["slug", "name", "kind"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.prefetch_related("former_names", "offices")


class IndicatorFilterSet(django_filters.FilterSet):
    class Meta:
        model = Indicator
        fields = ["unit", "rule", "source"]


@extend_schema_view(list=LIST_SCHEMA)
class IndicatorViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Interreg common indicators (RCO81, RCR81, ...) by code, with their progress per project
    and for the programme: the projects' targets and what the records add up to (from the
    reports layer, never typed in)."""

    serializer_class = IndicatorSerializer
    permission_classes = [ProgrammeDataAccess]
    lookup_field = "code"
    filterset_class = IndicatorFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code"]
    queryset = Indicator.objects.all()

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.request is not None and access.can_read_programme(self.request.user):
            progress: dict[str, list[IndicatorProgress]] = {}
            for item in indicator_progress():
                progress.setdefault(item.code, []).append(item)
            context["progress"] = progress
        return context


class ReportingPeriodFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="project__slug", help_text="A project's slug.")
    semester = django_filters.CharFilter(
        validators=[validate_semester], help_text="A semester: `2018-S1` or `2018-S2`."
    )
    year = django_filters.NumberFilter(validators=YEAR_VALIDATORS)
    pes = django_filters.CharFilter(field_name="pes__slug", help_text="A PES's slug.")
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices)

    class Meta:
        model = ReportingPeriod
        fields = ["project", "semester", "year", "pes", "status"]


class PeriodAccess(BasePermission):
    """Reporting periods: for managers and coordinators (and superusers), who see them as
    periods.periods_for scopes them. Who may take which step is the service's question."""

    message = "Your account has no role in Crossborder: ask a coordinator for one."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not access.can_read_programme(request.user):
            return False
        self.message = _("Reporting periods are for managers and coordinators.")
        return periods.may_see_periods(request.user)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The period's status does not allow this step."
    default_code = "conflict"


def step_schema(description: str) -> Any:
    return extend_schema(
        request=PeriodCommentSerializer,
        description=description,
        responses={
            200: ReportingPeriodSerializer,
            400: OpenApiResponse(VALIDATION_ERROR_SCHEMA, description=ERROR_DESCRIPTIONS["400"]),
            403: OpenApiResponse(
                ErrorSerializer, description="The user may not take this step; says who may."
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The period's status does not allow this step; says which does.",
            ),
        },
    )


@extend_schema_view(list=LIST_SCHEMA)
class ReportingPeriodViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The reporting periods: one per project, semester with actions, and PES taking part.

    A period goes open -> submitted (a coordinator of its PES) -> approved (a manager, or a
    coordinator of the project's lead partner), or returned with a comment, then submitted
    again; a manager reopens a submitted or approved period with a reason. While a period is
    submitted or approved, the figures and participation records of its PES in the project's
    actions of that semester cannot change. Managers see every period, coordinators those of
    their projects. A step the user may not take is a 403 naming who may; a step the status
    does not allow (approving an open period) is a 409.
    """

    serializer_class = ReportingPeriodSerializer
    permission_classes = [PeriodAccess]
    filterset_class = ReportingPeriodFilterSet
    ordering_fields = ["year", "semester", "status"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ReportingPeriod]:
        return (
            periods.periods_for(self.request.user)
            .select_related("project", "pes")
            .prefetch_related(
                Prefetch(
                    "transitions",
                    queryset=PeriodTransition.objects.select_related("by").order_by("at", "pk"),
                )
            )
            .order_by("project__slug", "year", "semester", "pes__slug")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Rows for the semesters and partners in the user's scope (periods_ensure says why).
        user = request.user
        scope = (
            None
            if user.is_superuser or periods.is_manager(user)
            else (access.projects_editable_by(user))
        )
        periods.periods_ensure(scope)
        return super().list(request, *args, **kwargs)

    def _step(self, request: Request, kind: str) -> Response:
        period = self.get_object()
        body = PeriodCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with model_errors():
                periods.period_transition(
                    period=period,
                    kind=kind,
                    user=request.user,
                    comment=body.validated_data.get("comment", ""),
                )
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from refused
        except periods.TransitionRefused as refused:
            raise Conflict(refused.message) from refused
        return Response(self.get_serializer(self.get_queryset().get(pk=period.pk)).data)

    @step_schema("Submit the period's figures (a coordinator of its PES).")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, TransitionKind.SUBMIT)

    @step_schema("Approve a submitted period (a manager, or a coordinator of the lead partner).")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, TransitionKind.APPROVE)

    @step_schema(
        "Return a submitted period to its PES with a comment saying what to correct (a "
        "manager, or a coordinator of the lead partner)."
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, TransitionKind.RETURN)

    @step_schema("Reopen a submitted or approved period with a reason (a manager).")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, TransitionKind.REOPEN)
