"""API endpoints for actions (with their figures, employers and jobs) and aggregate figures.

Everyone with a role reads them; coordinators create and change them in the projects their
organisation takes part in (access.actions_editable_by), superusers everywhere; a figure entered
by mistake is deleted there too. Writes go through the services (action_create, action_update,
figure_upsert, figure_delete), so the API keeps the admin's rules.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from crossborder.api.base import (
    ERROR_DESCRIPTIONS,
    FORMAT_PARAMETER,
    VALIDATION_ERROR_SCHEMA,
    ProgrammeDataAccess,
    VersionedMixin,
    VersionedUpsertViewSet,
    WritableViewSet,
    model_errors,
    stated_version,
)
from crossborder.api.caching import cached_read
from crossborder.core.metrics import FIGURE_METRICS
from crossborder.core.vocabulary import in_each_language
from projects import access
from reports.filters import ActionFilterSet

from .models import Action, Figure
from .serializers import (
    ActionSerializer,
    ActionWriteSerializer,
    FigureChangeSerializer,
    FigureSerializer,
    FigureWriteSerializer,
    action_representations,
    action_values,
)
from .services import (
    DELETION_REASON_MAX_LENGTH,
    action_create,
    action_update,
    figure_delete,
    figure_upsert,
)

# The methods of an endpoint whose records may be deleted (figures, participation records): the
# shared base's, and DELETE.
DELETABLE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


def deletion_schema(description: str) -> Any:
    """The schema of a DELETE: the reason as a query parameter (a DELETE has no documented body
    in OpenAPI 3.0), 204 with no body, and a 400 for a reason the history cannot keep."""
    return extend_schema(
        description=description,
        parameters=[
            OpenApiParameter(
                "reason",
                {"type": "string", "maxLength": DELETION_REASON_MAX_LENGTH},
                description=(
                    "Why the record is deleted (at most "
                    f"{DELETION_REASON_MAX_LENGTH} characters): kept in its history."
                ),
            )
        ],
        responses={
            204: OpenApiResponse(description="Deleted."),
            400: OpenApiResponse(VALIDATION_ERROR_SCHEMA, description=ERROR_DESCRIPTIONS["400"]),
        },
    )


def deletion_reason(request: Request) -> str:
    """The reason a DELETE gives (`?reason=`), or none."""
    return str(request.query_params.get("reason", ""))


def _check_editable(request: Request, action: Action) -> None:
    """A coordinator reads every action but changes only those of its projects: 403 otherwise."""
    if not access.actions_editable_by(request.user, Action.objects.filter(pk=action.pk)).exists():
        raise PermissionDenied(_("You may not change actions of this project."))


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=ActionWriteSerializer, responses={201: ActionSerializer}),
    partial_update=extend_schema(request=ActionWriteSerializer, responses={200: ActionSerializer}),
)
class ActionViewSet(VersionedMixin, WritableViewSet):
    """Actions of every type with their figures, employers present and jobs offered.

    Filters are the dashboards' (`reports.filters.ActionFilterSet`); multi-valued ones take
    repeated or comma-separated values. Unlike the outcomes report, the list shows every status
    unless `status` is given. Changes are partial (`PATCH`), based on the version in the
    detail's ETag (`If-Match`); there is no `PUT` and no delete.
    """

    permission_classes = [ProgrammeDataAccess]
    filterset_class = ActionFilterSet
    search_fields = ["reference", *in_each_language("title"), "place"]
    ordering_fields = ["start_date", "year", "semester", "reference", "created_at", "updated_at"]

    def get_queryset(self) -> QuerySet[Action]:
        return Action.objects.all()

    def _representation(self, action: Action) -> dict[str, Any]:
        return action_representations(list(action_values(Action.objects.filter(pk=action.pk))))[0]

    def current_state(self, pk: Any) -> tuple[int, dict[str, Any]]:
        action = get_object_or_404(self.get_queryset(), pk=pk)
        return action.version, self._representation(action)

    # A cached page is an HttpResponse (or a 304), not a Response: DRF's dispatch takes any
    # HttpResponseBase from a handler, the stubs of its mixins only a Response.
    @cached_read
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        # Rows rather than instances: see action_representations. The pagination is always on.
        queryset = action_values(self.filter_queryset(self.get_queryset()))
        rows = self.paginate_queryset(queryset)
        return self.get_paginated_response(action_representations(rows or []))

    @cached_read
    def retrieve(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        action = self.get_object()
        # The version as ETag: the cache keeps it with the page (crossborder.api.caching).
        return self.with_etag(Response(self._representation(action)), action.version)

    def get_serializer_class(self) -> type[ActionSerializer | ActionWriteSerializer]:
        if self.action in ("create", "partial_update"):
            return ActionWriteSerializer
        return ActionSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors():
            action = action_create(**serializer.validated_data)
        response = Response(self._representation(action), status=status.HTTP_201_CREATED)
        return self.with_etag(response, action.version)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action = self.get_object()
        _check_editable(request, action)
        serializer = self.get_serializer(action, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = stated_version(request)
        with self.based_on_version(action.pk), model_errors():
            action = action_update(action=action, version=version, **serializer.validated_data)
        return self.with_etag(Response(self._representation(action)), action.version)


class FigureFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="action__project__slug")
    pes = django_filters.CharFilter(
        method="filter_pes", help_text="Slug of a PES, or `unknown` for unsplit figures."
    )
    metric = django_filters.MultipleChoiceFilter(choices=[(m, m) for m in FIGURE_METRICS])

    class Meta:
        model = Figure
        fields = ["action", "project", "metric", "pes", "is_lower_bound"]

    def filter_pes(self, queryset: QuerySet[Figure], name: str, value: str) -> QuerySet[Figure]:
        if value == "unknown":
            return queryset.filter(pes__isnull=True)
        return queryset.filter(pes__slug=value)


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=FigureWriteSerializer,
        responses={201: FigureSerializer, 200: FigureSerializer},
        description=(
            "Sets the figure of an action for a metric and a PES (`pes` null: the unsplit "
            "remainder). Sending it again for the same action, metric and PES changes it: 201 "
            "when it was created, 200 when it was updated."
        ),
    ),
    partial_update=extend_schema(request=FigureChangeSerializer, responses={200: FigureSerializer}),
    destroy=deletion_schema(
        "Deletes a figure entered by mistake (a coordinator: of a project its organisation takes "
        "part in; 403 otherwise): the reports count without it, and the PES's participation "
        "records of that metric may then be sent instead. 404 when it is gone already."
    ),
)
class FigureViewSet(VersionedUpsertViewSet):
    """Aggregate figures of actions: a count per metric and PES, or unsplit."""

    permission_classes = [ProgrammeDataAccess]
    http_method_names = DELETABLE_METHODS
    read_serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    search_fields = ["note"]
    ordering_fields = ["action", "metric", "value"]

    def get_queryset(self) -> QuerySet[Figure]:
        return Figure.objects.select_related("pes", "action__project")

    def get_serializer_class(
        self,
    ) -> type[FigureSerializer | FigureWriteSerializer | FigureChangeSerializer]:
        if self.action == "create":
            return FigureWriteSerializer
        if self.action == "partial_update":
            return FigureChangeSerializer
        return FigureSerializer

    def upsert(self, **values: Any) -> tuple[Figure, bool]:
        return figure_upsert(**values)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        figure = self.get_object()
        _check_editable(request, figure.action)
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = stated_version(request)
        values = {
            "value": figure.value,
            "is_lower_bound": figure.is_lower_bound,
            "note": figure.note,
            **serializer.validated_data,
        }
        with self.based_on_version(figure.pk), model_errors():
            figure, _created = figure_upsert(
                action=figure.action,
                metric=figure.metric,
                pes=figure.pes,
                version=version,
                **values,
            )
        return self.written(figure)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        figure = self.get_object()
        _check_editable(request, figure.action)
        version = stated_version(request)
        # A figure deleted by a request at the same time is a 404 (based_on_version): that one
        # answered 204.
        with self.based_on_version(figure.pk), model_errors():
            figure_delete(
                figure=figure,
                reason=deletion_reason(request),
                user=request.user,
                version=version,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
