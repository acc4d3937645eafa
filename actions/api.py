"""API endpoints for actions (with their figures, employers and jobs) and aggregate figures.

Everyone with a role reads them; coordinators create and change them in the projects their
organisation takes part in (access.actions_editable_by), superusers everywhere; a figure entered
by mistake is deleted there too. Writes go through the services (action_create, action_update,
figure_upsert, figure_delete), so the API keeps the admin's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import Any

import django_filters
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action as endpoint
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from crossborder.api.base import (
    ERROR_DESCRIPTIONS,
    FORMAT_PARAMETER,
    VALIDATION_ERROR_SCHEMA,
    ProgrammeDataAccess,
    TrueFalseFilter,
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
    FigurePushSerializer,
    FigureSerializer,
    FigureWriteSerializer,
    PushProblemsSerializer,
    PushResultSerializer,
    action_representations,
    action_values,
)
from .services import (
    DELETION_REASON_MAX_LENGTH,
    PUSH_MAX_ITEMS,
    PushOutcome,
    PushRefused,
    PushStatus,
    action_create,
    action_update,
    figure_delete,
    figure_upsert,
    figures_push,
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


# Bulk pushes (POST /figures/push/, /participations/push/): the body's list, the rules and the
# answers, shared by both endpoints.

PUSH_LIMITS = (
    f"From 1 to {PUSH_MAX_ITEMS:,} items, in one transaction: either all are written or, with a "
    "400 that lists every problem (`index`: the item's position in the list, from 0; `field`; "
    "`message`), none. Each item is found by its natural key and created, updated, or left "
    "`unchanged` when it is already as sent, so that sending the same push again changes "
    "nothing; a change moves the record's version. The answer gives each item's `index`, "
    "record `id` and `status`, in the items' order. A push counts as one request for the "
    "throttle (the hourly limit of every user), whatever the number of its items."
)

NON_FIELD_ERRORS = api_settings.NON_FIELD_ERRORS_KEY


def push_schema(request: type[serializers.Serializer], description: str) -> Any:
    return extend_schema(
        request=request,
        responses={
            200: PushResultSerializer,
            400: OpenApiResponse(
                PushProblemsSerializer,
                description="Every problem of the push, by item; nothing was written.",
            ),
        },
        description=f"{description}\n\n{PUSH_LIMITS}",
    )


def _messages(detail: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(place, message) for each message of DRF's error detail: `figures.3.value`, the place
    of a message on the whole of something being the place of that something."""
    if isinstance(detail, Mapping):
        for key, inner in detail.items():
            name = str(key)
            inner_path = path if name == NON_FIELD_ERRORS else (*path, name)
            yield from _messages(inner, inner_path)
    elif isinstance(detail, list):
        for position, inner in enumerate(detail):
            if isinstance(inner, Mapping | list):
                yield from _messages(inner, (*path, str(position)))
            else:
                yield ".".join(path), str(inner)
    else:
        yield ".".join(path), str(detail)


def push_problems(detail: Any, items_name: str) -> list[dict[str, Any]]:
    """DRF's error detail of a push as its problems: `{index, field, message}`, the index of
    the item at fault (None: the push as a whole)."""
    problems = []
    for place, message in _messages(detail):
        parts = place.split(".") if place else []
        if len(parts) > 1 and parts[0] == items_name and parts[1].isdigit():
            index: int | None = int(parts[1])
            field = ".".join(parts[2:]) or NON_FIELD_ERRORS
        else:
            index, field = None, place or NON_FIELD_ERRORS
        problems.append({"index": index, "field": field, "message": message})
    return problems


def _refused(problems: Sequence[Mapping[str, Any]]) -> Response:
    return Response({"problems": list(problems)}, status=status.HTTP_400_BAD_REQUEST)


PushService = Callable[..., list[PushOutcome]]


def run_push(
    view: GenericAPIView[Any], request: Request, *, items_name: str, service: PushService
) -> Response:
    """Read, check and write a push: its body (with the view's serializer), then the service's
    rules; every problem of either is a 400 by item."""
    try:
        data = request.data
        # The base refuses unknown fields by place here (crossborder.api.base.unknown_fields).
        serializer = view.get_serializer(data=data)
    except serializers.ValidationError as error:
        # The JSON parser's refusals, by place (crossborder.api.base.JSONParser).
        return _refused(push_problems(error.detail, items_name))
    except ParseError as error:
        return _refused(push_problems({NON_FIELD_ERRORS: [error.detail]}, items_name))
    if not serializer.is_valid():
        return _refused(push_problems(serializer.errors, items_name))
    user: AbstractBaseUser | AnonymousUser = request.user
    try:
        outcomes = service(items=serializer.validated_data[items_name], user=user)
    except PushRefused as refused:
        return _refused([asdict(problem) for problem in refused.problems])
    except IntegrityError:
        # A record of the push written by another request meanwhile: the push is rolled back.
        message = _("The change conflicts with data written at the same time; send it again.")
        return _refused([{"index": None, "field": NON_FIELD_ERRORS, "message": message}])
    counts = {choice: 0 for choice in PushStatus}
    for outcome in outcomes:
        counts[outcome.status] += 1
    body = {
        "created": counts[PushStatus.CREATED],
        "updated": counts[PushStatus.UPDATED],
        "unchanged": counts[PushStatus.UNCHANGED],
        "results": [
            {"index": outcome.index, "id": outcome.pk, "status": outcome.status.value}
            for outcome in outcomes
        ],
    }
    return Response(body)


def _check_editable(request: Request, action: Action) -> None:
    """A coordinator reads every action but changes only those of its projects: 403 otherwise."""
    if not access.actions_editable_by(request.user, Action.objects.filter(pk=action.pk)).exists():
        raise PermissionDenied(_("You may not change actions of this project."))


class SortDateOrdering(OrderingFilter):
    """The actions' ordering, where their date is the sort date: an action known only by its
    period has no start date but sorts where its period begins (Action.sort_date). `start_date`,
    which clients name, sorts by it too; ties by id, so that pages never overlap."""

    ALIASES = {"start_date": "sort_date"}

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        ordering = super().get_ordering(request, queryset, view) or []
        terms = []
        for term in ordering:
            name = term.lstrip("-")
            terms.append(term[: len(term) - len(name)] + self.ALIASES.get(name, name))
        return [*terms, "pk"]


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=ActionWriteSerializer, responses={201: ActionSerializer}),
    partial_update=extend_schema(request=ActionWriteSerializer, responses={200: ActionSerializer}),
)
class ActionViewSet(VersionedMixin, WritableViewSet):
    """Actions of every type with their figures, employers present and jobs offered.

    Filters are the dashboards' (`reports.filters.ActionFilterSet`); multi-valued ones take
    repeated or comma-separated values. Unlike the outcomes report, the list shows every status
    unless `status` is given. The list is ordered by date (`sort_date`: the start date, or the
    first day of the rough period); `ordering=start_date` sorts by it too. Changes are partial
    (`PATCH`), based on the version in the detail's ETag (`If-Match`); there is no `PUT` and no
    delete. Related records are named by id or slug (an organisation, sector, office,
    certificate); the texts per language (`title_nl`, `title_fr`, `title_en`, ...).
    """

    permission_classes = [ProgrammeDataAccess]
    filterset_class = ActionFilterSet
    filter_backends = [
        SortDateOrdering if backend is OrderingFilter else backend
        for backend in WritableViewSet.filter_backends
    ]
    search_fields = ["reference", *in_each_language("title"), "place"]
    ordering_fields = [
        "sort_date",
        "start_date",
        "year",
        "semester",
        "reference",
        "created_at",
        "updated_at",
    ]
    ordering = ["sort_date"]

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
    is_lower_bound = TrueFalseFilter()

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
    push=push_schema(
        FigurePushSerializer,
        "Sets many figures at once, each like a POST to this list: an action (by id or "
        "reference), a metric and a PES (by id or slug; null: the unsplit remainder). A "
        "coordinator pushes the figures of the actions it may change.",
    ),
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

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {
            "create": FigureWriteSerializer,
            "partial_update": FigureChangeSerializer,
            "push": FigurePushSerializer,
        }.get(self.action, FigureSerializer)

    @endpoint(detail=False, methods=["post"])
    def push(self, request: Request) -> Response:
        return run_push(self, request, items_name="figures", service=figures_push)

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
