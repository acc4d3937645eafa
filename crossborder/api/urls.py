"""The /api/v1/ routes: the one module that imports every endpoint (the URL configuration reads
it); the endpoints import the shared base, never this module."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.urls import URLPattern, URLResolver, path, re_path, reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, renderer_classes, schema
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from actions.api import ActionViewSet, FigureViewSet
from actions.related_api import ActionEmployerViewSet, JobOfferViewSet
from crossborder.api.base import ApiSchema, ApiViewMixin, ProgrammeDataAccess
from crossborder.api.tokens import ApiTokenViewSet
from participants.api import JobseekerViewSet, ParticipationViewSet
from participants.followup_api import FollowUpList
from projects.api import (
    IndicatorViewSet,
    OrganisationViewSet,
    ProgrammeViewSet,
    ProjectViewSet,
    ReportingPeriodViewSet,
)
from projects.reference_api import (
    BorderOfficePairViewSet,
    CertificateViewSet,
    OfficeViewSet,
    SectorViewSet,
)
from reports.api import data_quality, outcomes, year_report
from reports.indicator_api import indicator_monitoring


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@renderer_classes(ApiViewMixin.renderer_classes)
def not_found(request: Request) -> Response:
    """Any other path under /api/v1/ (e.g. /actions/abc/): a 404 in the API's format rather
    than Django's HTML page."""
    raise NotFound()


class IndexSerializer(serializers.Serializer):
    resources = serializers.DictField(
        child=serializers.URLField(),
        help_text=(
            "Every resource by name, with its URL: the lists of the router (`actions`, "
            "`jobseekers`, ...) and the other endpoints (`reports/outcomes`, ...)."
        ),
    )
    schema = serializers.URLField(help_text="The OpenAPI schema (YAML; `?format=json`: JSON).")
    docs = serializers.URLField(help_text="The interactive documentation of the schema.")


class IndexSchema(ApiSchema):
    def _is_list_view(self, serializer: object = None) -> bool:
        # One document, not a list: no paging, no 400.
        return False


# Routes of the other endpoints that are no resource of their own.
UNLISTED = ("index", "schema", "docs")


def index_view(
    router: DefaultRouter, patterns: Sequence[URLPattern | URLResolver]
) -> Callable[..., Any]:
    """The answer of /api/v1/ itself: every list of the router and every other endpoint whose
    path takes no parameter (a new one is listed without being named here), with the schema
    and the docs. For users with a role, like every endpoint (401 anonymous, 403 without a
    role): what the index names is no secret, but the schema and docs it links to are closed
    too, and a client learns at its first request whether its token works."""
    routed = tuple(f"{basename}-" for _prefix, _viewset, basename in router.registry)
    others = [
        (str(pattern.pattern).rstrip("/"), pattern.name)
        for pattern in patterns
        if isinstance(pattern, URLPattern)
        and pattern.name
        and pattern.name not in UNLISTED
        and not pattern.name.startswith(routed)
        and not pattern.pattern.regex.groups
    ]

    @extend_schema(
        operation_id="api_index",
        responses={200: IndexSerializer},
        description=(
            "The resources of the API with their URLs, and the schema and docs. In a browser "
            "(logged in) a page with the links."
        ),
    )
    @api_view(["GET"])
    @permission_classes([ProgrammeDataAccess])
    @renderer_classes([JSONRenderer, BrowsableAPIRenderer])
    @schema(IndexSchema())
    def index(request: Request) -> Response:
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(f"api:{name}"))

        resources = {prefix: url(f"{basename}-list") for prefix, _v, basename in router.registry}
        resources.update({route: url(name) for route, name in others})
        return Response(
            {
                "resources": dict(sorted(resources.items())),
                "schema": url("schema"),
                "docs": url("docs"),
            }
        )

    return index


def urls() -> list[URLPattern | URLResolver]:
    """The /api/v1/ routes."""
    router = DefaultRouter()
    router.include_root_view = False
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("indicators", IndicatorViewSet, basename="indicator")
    router.register("actions", ActionViewSet, basename="action")
    router.register("figures", FigureViewSet, basename="figure")
    router.register("action-employers", ActionEmployerViewSet, basename="action-employer")
    router.register("job-offers", JobOfferViewSet, basename="job-offer")
    router.register("jobseekers", JobseekerViewSet, basename="jobseeker")
    router.register("participations", ParticipationViewSet, basename="participation")
    router.register("reporting-periods", ReportingPeriodViewSet, basename="reporting-period")
    router.register("tokens", ApiTokenViewSet, basename="token")
    router.register("sectors", SectorViewSet, basename="sector")
    router.register("certificates", CertificateViewSet, basename="certificate")
    router.register("offices", OfficeViewSet, basename="office")
    router.register("border-office-pairs", BorderOfficePairViewSet, basename="border-office-pair")
    patterns = [
        # Before the router's, whose `indicators/<code>/` would take it for an indicator's code;
        # named apart from the router's `indicator-` routes, so that the index lists it.
        path("indicators/monitoring/", indicator_monitoring, name="indicators-monitoring"),
        *router.urls,
        path("reports/outcomes/", outcomes, name="outcomes"),
        path("reports/year/", year_report, name="year-report"),
        path("data-quality/", data_quality, name="data-quality"),
        path("follow-ups/", FollowUpList.as_view(), name="follow-ups"),
        # Like every endpoint, for users with a role only (401 anonymous, 403 without a role):
        # the schema names every field of the jobseekers.
        path(
            "schema/",
            SpectacularAPIView.as_view(permission_classes=[ProgrammeDataAccess]),
            name="schema",
        ),
        path(
            "docs/",
            # The split view serves the page's start-up script from its own URL (?script): the
            # Content-Security-Policy runs no inline script. Its page styles are in a file.
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema",
                permission_classes=[ProgrammeDataAccess],
                template_name="api/swagger_ui.html",
            ),
            name="docs",
        ),
        re_path(r"^", not_found),
    ]
    return [path("", index_view(router, patterns), name="index"), *patterns]
