"""The /api/v1/ routes: the one module that imports every endpoint (the URL configuration reads
it); the endpoints import the shared base, never this module."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from actions.api import ActionViewSet, FigureViewSet
from actions.related_api import ActionEmployerViewSet, JobOfferViewSet
from crossborder.api.base import ApiViewMixin, ProgrammeDataAccess
from crossborder.api.tokens import ApiTokenViewSet
from participants.api import JobseekerViewSet, ParticipationViewSet
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


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@renderer_classes(ApiViewMixin.renderer_classes)
def not_found(request: Request) -> Response:
    """Any other path under /api/v1/ (e.g. /actions/abc/): a 404 in the API's format rather
    than Django's HTML page."""
    raise NotFound()


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
    return [
        *router.urls,
        path("reports/outcomes/", outcomes, name="outcomes"),
        path("reports/year/", year_report, name="year-report"),
        path("data-quality/", data_quality, name="data-quality"),
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
