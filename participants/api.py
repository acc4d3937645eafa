"""API endpoints for jobseekers and participation: a PES's partners and coordinators read and
write its own jobseekers only; the others' do not exist for them (404).

A PES pushes its list of jobseekers with POST /jobseekers/push/: each is found by its
reference in the PES's system and created or updated, so pushing the same list again changes
nothing. Participation is pushed the same way, one record per POST keyed by action and
jobseeker, or up to 5,000 at once with POST /participations/push/, each naming its action by
reference and its jobseeker by PES and reference.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from actions.api import (
    DELETABLE_METHODS,
    deletion_reason,
    deletion_schema,
    push_schema,
    run_push,
)
from crossborder.api.base import (
    FORMAT_PARAMETER,
    IdFilter,
    PersonalDataAccess,
    TrueFalseFilter,
    VersionedUpsertViewSet,
    model_errors,
    non_field_errors_key,
    stated_version,
)
from crossborder.audit.recording import ApiReadAuditMixin
from crossborder.core.vocabulary import ParticipationStatus
from projects import access

from .models import EntryStatus, Jobseeker, Participation, normalise_ref
from .serializers import (
    JobseekerChangeSerializer,
    JobseekerPushItemSerializer,
    JobseekerPushResultSerializer,
    JobseekerPushSerializer,
    JobseekerSerializer,
    ParticipationChangeSerializer,
    ParticipationPushSerializer,
    ParticipationSerializer,
    ParticipationWriteSerializer,
)
from .services import (
    jobseeker_update,
    jobseeker_upsert,
    participation_delete,
    participation_upsert,
    participations_push,
)


class RefFilter(django_filters.CharFilter):
    """A PES reference, compared as it is stored (normalise_ref): `vd-001 ` finds `VD-001`."""

    def filter(self, qs: QuerySet[Any], value: str | None) -> QuerySet[Any]:
        return super().filter(qs, normalise_ref(value) if value else value)


class JobseekerFilterSet(django_filters.FilterSet):
    pes = django_filters.CharFilter(field_name="pes__slug")
    external_ref = RefFilter(
        field_name="external_ref",
        help_text="The PES's reference, without regard to case and surrounding spaces.",
    )
    action = IdFilter(
        field_name="participations__action", distinct=True, help_text="Id of an action."
    )
    is_refugee = TrueFalseFilter()

    class Meta:
        model = Jobseeker
        fields = ["pes", "external_ref", "gender", "education_level", "is_refugee", "action"]


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=JobseekerPushItemSerializer,
        responses={201: JobseekerSerializer, 200: JobseekerSerializer},
        description=(
            "Creates the jobseeker of a PES with this reference (201), or updates it when the "
            "PES already has it (200)."
        ),
    ),
    partial_update=extend_schema(
        request=JobseekerChangeSerializer, responses={200: JobseekerSerializer}
    ),
)
class JobseekerViewSet(ApiReadAuditMixin, VersionedUpsertViewSet):
    """Jobseekers of the user's own PES (personal data); reads recorded in the read audit."""

    permission_classes = [PersonalDataAccess]
    read_serializer_class = JobseekerSerializer
    filterset_class = JobseekerFilterSet
    search_fields = ["external_ref", "given_name", "family_name"]
    ordering_fields = ["family_name", "given_name", "external_ref", "created_at"]

    def get_queryset(self) -> QuerySet[Jobseeker]:
        return access.jobseekers_for(self.request.user, Jobseeker.objects.select_related("pes"))

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {
            "create": JobseekerPushItemSerializer,
            "partial_update": JobseekerChangeSerializer,
            "push": JobseekerPushSerializer,
        }.get(self.action, JobseekerSerializer)

    def upsert(self, **values: Any) -> tuple[Jobseeker, bool]:
        return jobseeker_upsert(**values)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        jobseeker = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = stated_version(request)
        with self.based_on_version(jobseeker.pk), model_errors():
            jobseeker = jobseeker_update(
                jobseeker=jobseeker, version=version, **serializer.validated_data
            )
        return self.written(jobseeker)

    @extend_schema(
        request=JobseekerPushSerializer,
        responses={200: JobseekerPushResultSerializer},
        description=(
            "Creates or updates a list of jobseekers, each found by its PES and reference, in "
            "one transaction: either all are written or, with a 400 giving the messages of "
            "each refused item by its position in the list (from 0), none. Pushing the same "
            "list again creates nothing."
        ),
    )
    @action(detail=False, methods=["post"])
    def push(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["jobseekers"]
        # Refused items by position, as DRF reports the list's own validation errors.
        errors: dict[str, dict[str, Any]] = {}
        results: list[Jobseeker] = []
        created_count = 0
        with model_errors(), transaction.atomic():
            for index, item in enumerate(items):
                try:
                    jobseeker, created = jobseeker_upsert(**item)
                except DjangoValidationError as error:
                    errors[str(index)] = non_field_errors_key(
                        serializers.as_serializer_error(error)
                    )
                    continue
                results.append(jobseeker)
                created_count += created
            if errors:
                transaction.set_rollback(True)
        if errors:
            raise serializers.ValidationError({"jobseekers": errors})
        body = {
            "created": created_count,
            "updated": len(results) - created_count,
            "results": JobseekerSerializer(
                results, many=True, context=self.get_serializer_context()
            ).data,
        }
        return Response(body)


class ParticipationFilterSet(django_filters.FilterSet):
    project = django_filters.CharFilter(field_name="action__project__slug")
    status = django_filters.MultipleChoiceFilter(choices=ParticipationStatus.choices)
    entry_status = django_filters.MultipleChoiceFilter(choices=EntryStatus.choices)
    jobseeker_ref = RefFilter(
        field_name="jobseeker__external_ref",
        help_text="The jobseeker's reference at the PES, without regard to case and spaces.",
    )

    class Meta:
        model = Participation
        fields = ["action", "jobseeker", "jobseeker_ref", "project", "status", "entry_status"]


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=ParticipationWriteSerializer,
        responses={201: ParticipationSerializer, 200: ParticipationSerializer},
        description=(
            "Records a jobseeker of the user's PES in an action (201), or updates the record "
            "when there is one for this action and jobseeker (200)."
        ),
    ),
    partial_update=extend_schema(
        request=ParticipationChangeSerializer, responses={200: ParticipationSerializer}
    ),
    push=push_schema(
        ParticipationPushSerializer,
        "Records many jobseekers of the user's PES in actions at once, each like a POST to this "
        'list: the action by id or reference, the jobseeker by id or as `{"pes": "vdab", '
        '"ref": "A123"}` (its PES, the user\'s own when left out, and its reference there). '
        "A jobseeker of another PES is refused as unknown.",
    ),
    destroy=deletion_schema(
        "Deletes a participation record of the user's PES entered by mistake: the reports count "
        "without it. 404 for another PES's record, or one gone already."
    ),
)
class ParticipationViewSet(ApiReadAuditMixin, VersionedUpsertViewSet):
    """Participation of the user's own PES's jobseekers in actions (personal data: the
    jobseeker's reference); reads recorded in the read audit."""

    read_audit_jobseeker_field = "jobseeker"
    permission_classes = [PersonalDataAccess]
    http_method_names = DELETABLE_METHODS
    read_serializer_class = ParticipationSerializer
    filterset_class = ParticipationFilterSet
    ordering_fields = ["action", "started_on", "status"]

    def get_queryset(self) -> QuerySet[Participation]:
        return access.participations_for(
            self.request.user,
            Participation.objects.select_related(
                "action__project", "jobseeker__pes", "hired_by", "certificate"
            ),
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return {
            "create": ParticipationWriteSerializer,
            "partial_update": ParticipationChangeSerializer,
            "push": ParticipationPushSerializer,
        }.get(self.action, ParticipationSerializer)

    def upsert(self, **values: Any) -> tuple[Participation, bool]:
        return participation_upsert(**values)

    @action(detail=False, methods=["post"])
    def push(self, request: Request) -> Response:
        return run_push(self, request, items_name="participations", service=participations_push)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        participation = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = stated_version(request)
        # The fields not sent as they were in the version the change is based on: the service
        # refuses the change (412) if that is not the current one.
        current = {name: getattr(participation, name) for name in Participation.WRITTEN_FIELDS}
        values = {**current, **serializer.validated_data}
        with self.based_on_version(participation.pk), model_errors():
            participation, _created = participation_upsert(
                action=participation.action,
                jobseeker=participation.jobseeker,
                version=version,
                **values,
            )
        return self.written(participation)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        participation = self.get_object()
        version = stated_version(request)
        # A record deleted by a request at the same time is a 404 (based_on_version): that one
        # answered 204.
        with self.based_on_version(participation.pk), model_errors():
            participation_delete(
                participation=participation,
                reason=deletion_reason(request),
                user=request.user,
                version=version,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
