"""Jobseekers and their participation for the API: personal data, scoped to the user's own PES.

The write serializers only check the shape of a request; the rules are the model's, applied by
the services (jobseeker_upsert, participation_upsert) that the views call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import Action, Certificate
from actions.serializers import push_items
from crossborder.api.base import StrictFieldsMixin
from crossborder.api.keys import (
    ActionKeyField,
    CertificateKeyField,
    JobseekerKeyField,
    OrganisationKeyField,
)
from crossborder.core.periods import FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR
from crossborder.core.vocabulary import OrganisationKind, ParticipationStatus
from projects import access
from projects.models import Organisation, Project

from .models import (
    EducationLevel,
    EntryStatus,
    FollowUpSource,
    Gender,
    Jobseeker,
    LeavingSituation,
    Participation,
    SixMonthSituation,
    UnemploymentDuration,
    normalise_ref,
)

SPECIAL_CATEGORY_HELP = (
    "A special category of personal data (GDPR article 9): present, and accepted, only where "
    "the server keeps them (setting SPECIAL_CATEGORY_DATA) and for a user who holds the "
    "permission participants.view_special_categories; absent from the answer otherwise, and "
    "refused on write."
)


def special_categories_allowed(context: Mapping[str, Any]) -> bool:
    """Whether the request a serializer serves may read and write the special categories
    (access.can_read_special_categories); never without a request."""
    request = context.get("request")
    return request is not None and access.can_read_special_categories(request.user)


def blank_choices_declared(
    fields: dict[str, serializers.Field], model: type[Model]
) -> dict[str, serializers.Field]:
    """The read-only fields with choices that may be blank ("not known", or erased), declared
    so that the schema's enum admits the blank: DRF drops allow_blank from a read-only field."""
    for name in list(fields):
        model_field = next((f for f in model._meta.fields if f.name == name), None)
        if model_field is not None and model_field.choices and model_field.blank:
            fields[name] = serializers.ChoiceField(
                choices=model_field.choices, allow_blank=True, read_only=True
            )
    return fields


class SpecialCategoryField(serializers.BooleanField):
    """Disability or foreign background (Jobseeker.SENSITIVE_FIELDS): yes, no or null (not
    known). On write, refused by its name for a request that may not write it; on read, left
    out of the answer by the serializer (JobseekerSerializer.to_representation)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, help_text=SPECIAL_CATEGORY_HELP, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data is not serializers.empty and not special_categories_allowed(self.context):
            if not settings.SPECIAL_CATEGORY_DATA:
                message = _(
                    "Unknown field: special categories of personal data are not kept on this "
                    "server (setting SPECIAL_CATEGORY_DATA)."
                )
            else:
                message = _(
                    "Unknown field for you: writing special categories of personal data needs "
                    "the permission to read them (participants.view_special_categories)."
                )
            raise serializers.ValidationError(message)
        return super().run_validation(data)


class JobseekerSerializer(serializers.ModelSerializer):
    pes: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    gender = serializers.ChoiceField(choices=Gender.choices, read_only=True)
    # Not read-only, so that the schema does not call them required: they are absent from the
    # answer of a user who may not read them. Only ever used to answer.
    has_disability = SpecialCategoryField()
    foreign_background = SpecialCategoryField()

    class Meta:
        model = Jobseeker
        fields = [
            "id",
            "pes",
            "external_ref",
            *Jobseeker.DESCRIBING_FIELDS,
            *Jobseeker.SENSITIVE_FIELDS,
            "erased_at",
            "created_at",
        ]
        read_only_fields = [name for name in fields if name not in Jobseeker.SENSITIVE_FIELDS]

    def get_fields(self) -> dict[str, serializers.Field]:
        return blank_choices_declared(super().get_fields(), Jobseeker)

    def to_representation(self, instance: Jobseeker) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not special_categories_allowed(self.context):
            for name in Jobseeker.SENSITIVE_FIELDS:
                data.pop(name, None)
        return data


@extend_schema_field(OpenApiTypes.STR)
class WritablePesField(serializers.SlugRelatedField):
    """The PES whose jobseekers the user may write: its own (any PES for a superuser)."""

    default_error_messages = {
        "does_not_exist": "You may only write jobseekers of your own PES; {value} is not it.",
        "invalid": "Must be the slug of a public employment service.",
    }

    def get_queryset(self) -> QuerySet[Organisation]:
        user = self.context["request"].user
        queryset = Organisation.objects.filter(kind=OrganisationKind.PES)
        if user.is_superuser:
            return queryset
        pes = access.own_pes(user)
        return queryset.filter(pk=pes.pk) if pes is not None else queryset.none()


class JobseekerFieldsMixin(serializers.Serializer):
    """Jobseeker.DESCRIBING_FIELDS and SENSITIVE_FIELDS, each with the bounds of its column (a
    test checks that these are those)."""

    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(
        min_value=FIRST_BIRTH_YEAR, max_value=LAST_BIRTH_YEAR, required=False, allow_null=True
    )
    education_level = serializers.ChoiceField(
        choices=EducationLevel.choices, required=False, allow_blank=True
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    is_refugee = serializers.BooleanField(required=False, allow_null=True)
    has_disability = SpecialCategoryField()
    foreign_background = SpecialCategoryField()


class JobseekerPushItemSerializer(StrictFieldsMixin, JobseekerFieldsMixin):
    """One jobseeker, identified by its PES and its reference in the PES's own system."""

    pes = WritablePesField(
        slug_field="slug",
        required=False,
        help_text="Slug of the PES; the user's own PES when left out.",
    )
    external_ref = serializers.CharField(
        max_length=64, help_text="The jobseeker's reference in the PES's own system."
    )

    def validate_external_ref(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("May not be blank."))
        return value.strip()

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "pes" not in data:
            pes = access.own_pes(self.context["request"].user)
            if pes is None:
                raise serializers.ValidationError({"pes": [_("Required: you belong to no PES.")]})
            data["pes"] = pes
        return data


class JobseekerPushSerializer(StrictFieldsMixin, serializers.Serializer):
    # ListSerializer takes max_length (DRF 3.14); the stubs' BaseSerializer does not list it.
    jobseekers = JobseekerPushItemSerializer(many=True, allow_empty=False, max_length=1000)  # type: ignore[call-arg]

    def validate_jobseekers(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each jobseeker once: two items of one PES whose references differ only in case or
        spaces are one jobseeker, which the push would create and then update."""
        first: dict[tuple[int, str], int] = {}
        errors: dict[str, dict[str, list[str]]] = {}
        for index, item in enumerate(items):
            key = (item["pes"].pk, normalise_ref(item["external_ref"]))
            if key in first:
                errors[str(index)] = {
                    "external_ref": [
                        _(
                            "Items %(first)s and %(second)s have the same reference %(ref)s; send "
                            "each jobseeker once."
                        )
                        % {"first": first[key], "second": index, "ref": key[1]}
                    ]
                }
            else:
                first[key] = index
        if errors:
            raise serializers.ValidationError(errors)
        return items


class JobseekerPushResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Jobseekers that were new.")
    updated = serializers.IntegerField(help_text="Jobseekers already known by their reference.")
    results = JobseekerSerializer(many=True)


class JobseekerChangeSerializer(StrictFieldsMixin, JobseekerFieldsMixin):
    """What may change in a jobseeker; its PES stays."""

    external_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ParticipationSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", source="action.project"
    )
    pes: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", source="jobseeker.pes"
    )
    jobseeker_ref = serializers.CharField(read_only=True, source="jobseeker.external_ref")
    hired_by: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )
    certificate: serializers.SlugRelatedField[Certificate] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )

    class Meta:
        model = Participation
        fields = [
            "id",
            "action",
            "project",
            "jobseeker",
            "jobseeker_ref",
            "pes",
            *Participation.WRITTEN_FIELDS,
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        return blank_choices_declared(super().get_fields(), Participation)


class ParticipationFieldsMixin(serializers.Serializer):
    """Participation.WRITTEN_FIELDS but the status, which each serializer below declares as it
    needs it (a test checks that these are those). A blank situation, source or state at entry
    is "not known"; the follow-ups' rules are the model's (Participation.follow_up_errors)."""

    started_on = serializers.DateField(required=False, allow_null=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
    placed_on = serializers.DateField(required=False, allow_null=True)
    hired_on = serializers.DateField(required=False, allow_null=True)
    hired_by = OrganisationKeyField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The employer (company or agency) present at the action who hired, by id or "
        "slug.",
    )
    certified_on = serializers.DateField(required=False, allow_null=True)
    certificate = CertificateKeyField(
        queryset=Certificate.objects.all(),
        required=False,
        allow_null=True,
        help_text="The certificate obtained, by id or slug.",
    )
    entry_status = serializers.ChoiceField(
        choices=EntryStatus.choices,
        required=False,
        allow_blank=True,
        help_text="The labour-market status at entry into this action.",
    )
    unemployment_duration = serializers.ChoiceField(
        choices=UnemploymentDuration.choices,
        required=False,
        allow_blank=True,
        help_text="How long the jobseeker had been unemployed at entry.",
    )
    leaving_situation = serializers.ChoiceField(
        choices=LeavingSituation.choices,
        required=False,
        allow_blank=True,
        help_text="The situation on leaving (within four weeks of the end); needs its date and "
        "source.",
    )
    leaving_checked_on = serializers.DateField(required=False, allow_null=True)
    leaving_source = serializers.ChoiceField(
        choices=FollowUpSource.choices, required=False, allow_blank=True
    )
    six_month_situation = serializers.ChoiceField(
        choices=SixMonthSituation.choices,
        required=False,
        allow_blank=True,
        help_text="The situation six months after leaving; needs its date and source.",
    )
    six_month_checked_on = serializers.DateField(required=False, allow_null=True)
    six_month_source = serializers.ChoiceField(
        choices=FollowUpSource.choices, required=False, allow_blank=True
    )


class ParticipationWriteSerializer(StrictFieldsMixin, ParticipationFieldsMixin):
    """A jobseeker of the user's PES in an action. Sending it again for the same action and
    jobseeker changes it rather than adding one. The action by its id or reference; the
    jobseeker by its id or as `{"pes": "vdab", "ref": "A123"}` (its PES, the user's own when
    left out, and its reference there)."""

    action = ActionKeyField(queryset=Action.objects.all())
    jobseeker = JobseekerKeyField()
    status = serializers.ChoiceField(choices=ParticipationStatus.choices)


class ParticipationPushSerializer(StrictFieldsMixin, serializers.Serializer):
    participations = push_items(ParticipationWriteSerializer())


class ParticipationChangeSerializer(StrictFieldsMixin, ParticipationFieldsMixin):
    """What may change in a participation; its action and jobseeker stay."""

    status = serializers.ChoiceField(choices=ParticipationStatus.choices, required=False)
