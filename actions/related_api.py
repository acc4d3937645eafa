"""API endpoints for what an action holds besides its figures: the employers present (companies
and temporary-work agencies, with the vacancies they brought and the jobseekers they hired) and
the jobs shown or offered there.

Everyone with a role reads them; they are changed as the action's own fields are: by the
coordinators of the projects their organisation takes part in (access.actions_editable_by) and
superusers, 403 for anyone else and for an action of another project. Writes go through the
services (action_employer_create ..., job_offer_delete), so the API keeps their rules. Neither
record belongs to a PES, so no reporting period locks them (like an unsplit figure).

They are not versioned (no `version`, no `ETag`): a change (PATCH) sets only the fields it
sends, on the record as it is when the change is written, so two changes of different fields
both hold and a change never brings back older values of the fields it does not name; a
change or delete needs no `If-Match`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from crossborder.api.base import (
    FORMAT_PARAMETER,
    ID_PATTERN,
    ProgrammeDataAccess,
    StrictFieldsMixin,
    WritableViewSet,
    model_errors,
)
from crossborder.api.caching import cached_read
from crossborder.api.keys import ActionKeyField, OrganisationKeyField
from crossborder.core.vocabulary import OrganisationKind, in_each_language
from projects import access
from projects.models import Organisation

from .api import DELETABLE_METHODS, deletion_reason, deletion_schema
from .models import Action, ActionEmployer, JobOffer
from .services import (
    action_employer_create,
    action_employer_delete,
    action_employer_update,
    job_offer_create,
    job_offer_delete,
    job_offer_update,
)

# The kinds of organisation that can be present at an action as an employer.
EMPLOYER_KINDS = (OrganisationKind.COMPANY, OrganisationKind.AGENCY)
# The largest count a column takes (PositiveIntegerField), and a number of days (a small one).
MAX_COUNT = 2_147_483_647
MAX_DAYS = 32_767


def check_editable(request: Request, action: Action) -> None:
    """What an action holds is changed by those who may change the action: 403 otherwise."""
    if not access.actions_editable_by(request.user, Action.objects.filter(pk=action.pk)).exists():
        raise PermissionDenied(_("You may not change actions of this project."))


class EmployerKeyField(OrganisationKeyField):
    """A company or temporary-work agency, by id or slug; any other kind is refused by name."""

    def to_internal_value(self, data: Any) -> Organisation:
        organisation = super().to_internal_value(data)
        if organisation.kind not in EMPLOYER_KINDS:
            raise serializers.ValidationError(
                _(
                    "Must be a company or a temporary-work agency: %(organisation)s is of the "
                    "kind “%(kind)s”."
                )
                % {"organisation": organisation.slug, "kind": organisation.get_kind_display()}
            )
        return organisation


def _count(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True, **kwargs
    )


def _days(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=MAX_DAYS, required=False, allow_null=True, **kwargs
    )


# Reads.


class ActionEmployerSerializer(serializers.ModelSerializer):
    action_reference = serializers.CharField(source="action.reference", read_only=True)
    project: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="action.project", slug_field="slug", read_only=True
    )
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    kind = serializers.CharField(source="organisation.kind", read_only=True)

    class Meta:
        model = ActionEmployer
        fields = [
            "id",
            "action",
            "action_reference",
            "project",
            "organisation",
            "kind",
            "vacancies",
            "hires",
            "hired_within_days",
            "updated_at",
        ]
        read_only_fields = fields


class JobOfferReadSerializer(serializers.ModelSerializer):
    action_reference = serializers.CharField(source="action.reference", read_only=True)
    project: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="action.project", slug_field="slug", read_only=True
    )
    employer: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = JobOffer
        fields = [
            "id",
            "action",
            "action_reference",
            "project",
            "title",
            *in_each_language("title"),
            "employer",
            "positions",
            "updated_at",
        ]
        read_only_fields = fields


# Writes.


class ActionEmployerWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """A company or temporary-work agency present at an action, once per action: the vacancies it
    brought, the jobseekers of the action it hired and within how many days. The hires of the
    action's employers together may not exceed the action's hires as its figures and records
    count them (unless a figure is a lower bound): send those first. A number of days needs
    hires."""

    action = ActionKeyField(scope=access.actions_editable_by)
    organisation = EmployerKeyField(queryset=Organisation.objects.all())
    vacancies = _count(help_text="The vacancies it brought.")
    hires = _count(help_text="The jobseekers of the action it hired.")
    hired_within_days = _days(help_text="How soon after the action they were hired (7: a week).")


class ActionEmployerChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    """What may change in an employer present; its action and organisation identify it (delete
    it and add another to change them)."""

    vacancies = _count(help_text="The vacancies it brought.")
    hires = _count(help_text="The jobseekers of the action it hired.")
    hired_within_days = _days(help_text="How soon after the action they were hired (7: a week).")


TITLE_MAX_LENGTH = JobOffer._meta.get_field("title").max_length


class JobOfferChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    """What may change in a job offered: its title (`title` in the request's language, or per
    language), its employer (one present at the action; null: the action's own) and its
    positions. Its action identifies it."""

    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text="The title in the request's language (Accept-Language).",
    )
    title_en = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True)
    title_nl = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True)
    title_fr = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False, allow_blank=True)
    employer = EmployerKeyField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="A company or agency present at the action; null: a job of the action itself.",
    )
    positions = _count(help_text="How many people the job takes.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # `title` is the title in the request's language: it goes to that language's column,
        # which may not be given otherwise at the same time.
        if "title" in attrs:
            column = f"title_{get_language() or 'en'}"
            title = attrs.pop("title")
            if column in attrs and attrs[column] != title:
                raise serializers.ValidationError(
                    {"title": [_("Differs from %(column)s: give it once.") % {"column": column}]}
                )
            attrs[column] = title
        return attrs


class JobOfferWriteSerializer(JobOfferChangeSerializer):
    """A job shown or offered at an action: its title in one language at least, by an employer
    present at the action (or by the action itself), with its number of positions."""

    action = ActionKeyField(scope=access.actions_editable_by)

    field_order = ["action"]


# Filters.


class ActionKeyFilter(django_filters.CharFilter):
    """An action by its id or its reference (a number is either)."""

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        value = value.strip()
        match = Q(action__reference=value)
        if re.fullmatch(ID_PATTERN, value):
            match |= Q(action__pk=int(value))
        return qs.filter(match)


class ActionEmployerFilterSet(django_filters.FilterSet):
    action = ActionKeyFilter(help_text="An action's id or reference.")
    organisation = django_filters.CharFilter(
        field_name="organisation__slug", help_text="An organisation's slug."
    )
    kind = django_filters.ChoiceFilter(
        field_name="organisation__kind",
        choices=[(kind.value, kind.label) for kind in EMPLOYER_KINDS],
        help_text="`company` or `agency`.",
    )
    project = django_filters.CharFilter(field_name="action__project__slug", help_text="Slug.")

    class Meta:
        model = ActionEmployer
        fields = ["action", "organisation", "kind", "project"]


class JobOfferFilterSet(django_filters.FilterSet):
    action = ActionKeyFilter(help_text="An action's id or reference.")
    employer = django_filters.CharFilter(
        field_name="employer__slug", help_text="The slug of the employer who offers it."
    )
    project = django_filters.CharFilter(field_name="action__project__slug", help_text="Slug.")

    class Meta:
        model = JobOffer
        fields = ["action", "employer", "project"]


# Endpoints.


class RelatedRecordViewSet(WritableViewSet):
    """Records an action holds, listed, read, added, changed (PATCH) and deleted (with a reason,
    kept in their history); their pages are cached by the data version like the actions'."""

    permission_classes = [ProgrammeDataAccess]
    http_method_names = DELETABLE_METHODS
    lookup_value_regex = ID_PATTERN
    read_serializer_class: type[serializers.Serializer]
    write_serializer_class: type[serializers.Serializer]
    change_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "create":
            return self.write_serializer_class
        if self.action == "partial_update":
            return self.change_serializer_class
        return self.read_serializer_class

    @contextmanager
    def gone_meanwhile(self) -> Iterator[None]:
        """Around a service's write: a record (or its action) deleted by a request at the same
        time is a 404; that request answered 204."""
        try:
            yield
        except ObjectDoesNotExist as gone:
            raise NotFound() from gone

    def written(self, pk: int, created: bool = False) -> Response:
        fresh = self.get_queryset().get(pk=pk)
        return Response(
            self.read_serializer_class(fresh).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    # A cached page is an HttpResponse (or a 304), not a Response: see actions.api.
    @cached_read
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        return super().list(request, *args, **kwargs)

    @cached_read
    def retrieve(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        return super().retrieve(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=ActionEmployerWriteSerializer,
        responses={201: ActionEmployerSerializer},
        description=(
            "Adds a company or temporary-work agency present at an action (by the action's id "
            "or reference, the organisation's id or slug). One per action and organisation: a "
            "second is a 400. An action the user may not change is a 400 naming it, as unknown."
        ),
    ),
    partial_update=extend_schema(
        request=ActionEmployerChangeSerializer,
        responses={200: ActionEmployerSerializer},
        description=(
            "Changes the vacancies, hires or days given; the fields not sent stay as they are. "
            "No If-Match: the record is not versioned."
        ),
    ),
    destroy=deletion_schema(
        "Removes an employer present entered by mistake (403 for an action of a project the "
        "user may not change). Refused (400) while a participation record names it as the "
        "employer who hired or a job offered at the action is its. 404 when it is gone already."
    ),
)
class ActionEmployerViewSet(RelatedRecordViewSet):
    """Companies and temporary-work agencies present at actions, with the vacancies they
    brought and the jobseekers of the action they hired. No reporting period locks them: they
    belong to no PES."""

    read_serializer_class = ActionEmployerSerializer
    write_serializer_class = ActionEmployerWriteSerializer
    change_serializer_class = ActionEmployerChangeSerializer
    filterset_class = ActionEmployerFilterSet
    search_fields = ["organisation__slug", "organisation__name", "action__reference"]
    ordering_fields = ["id", "vacancies", "hires", "updated_at"]

    def get_queryset(self) -> QuerySet[ActionEmployer]:
        return ActionEmployer.objects.select_related("action__project", "organisation").order_by(
            "action__sort_date", "action_id", "organisation__slug"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors():
            employer = action_employer_create(**serializer.validated_data)
        return self.written(employer.pk, created=True)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        employer = self.get_object()
        check_editable(request, employer.action)
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with self.gone_meanwhile(), model_errors():
            action_employer_update(employer=employer, **serializer.validated_data)
        return self.written(employer.pk)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        employer = self.get_object()
        check_editable(request, employer.action)
        with self.gone_meanwhile(), model_errors():
            action_employer_delete(
                employer=employer, reason=deletion_reason(request), user=request.user
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=JobOfferWriteSerializer,
        responses={201: JobOfferReadSerializer},
        description=(
            "Adds a job shown or offered at an action (by the action's id or reference): its "
            "title in one language at least (`title` in the request's language, or "
            "`title_nl`, `title_fr`, `title_en`), its employer (id or slug of a company or "
            "agency present at the action; none: the action's own) and its positions. An "
            "action the user may not change is a 400 naming it, as unknown."
        ),
    ),
    partial_update=extend_schema(
        request=JobOfferChangeSerializer,
        responses={200: JobOfferReadSerializer},
        description=(
            "Changes the fields sent; the others stay as they are. No If-Match: the record is "
            "not versioned."
        ),
    ),
    destroy=deletion_schema(
        "Removes a job offered entered by mistake (403 for an action of a project the user "
        "may not change). 404 when it is gone already."
    ),
)
class JobOfferViewSet(RelatedRecordViewSet):
    """Jobs shown or offered at actions (line operator, forklift driver), by an employer present
    or by the action itself, with their titles in each language."""

    read_serializer_class = JobOfferReadSerializer
    write_serializer_class = JobOfferWriteSerializer
    change_serializer_class = JobOfferChangeSerializer
    filterset_class = JobOfferFilterSet
    search_fields = [*in_each_language("title"), "action__reference"]
    ordering_fields = ["id", "positions", "updated_at"]

    def get_queryset(self) -> QuerySet[JobOffer]:
        return JobOffer.objects.select_related("action__project", "employer").order_by(
            "action__sort_date", "action_id", "pk"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors():
            offer = job_offer_create(**serializer.validated_data)
        return self.written(offer.pk, created=True)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer = self.get_object()
        check_editable(request, offer.action)
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with self.gone_meanwhile(), model_errors():
            job_offer_update(offer=offer, **serializer.validated_data)
        return self.written(offer.pk)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer = self.get_object()
        check_editable(request, offer.action)
        with self.gone_meanwhile(), model_errors():
            job_offer_delete(offer=offer, reason=deletion_reason(request), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
