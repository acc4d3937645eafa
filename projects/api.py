"""API endpoints for programmes, projects, organisations and indicators: read-only, by slug."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from crossborder.api.base import FORMAT_PARAMETER, ApiViewMixin, ProgrammeDataAccess
from crossborder.core.vocabulary import OrganisationKind, in_each_language
from reports.selectors import IndicatorProgress, indicator_progress

from . import access
from .models import Indicator, Organisation, Programme, Project, ProjectPartner, WorkPackage
from .serializers import (
    IndicatorSerializer,
    OrganisationSerializer,
    ProgrammeSerializer,
    ProjectSerializer,
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
        fields = ["unit", "source"]


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
