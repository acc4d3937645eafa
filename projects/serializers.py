"""Read-only representations of programmes, projects, organisations and indicators for the API.

Related objects are named by their slug (projects, organisations, PES) or code (indicators,
work packages), as in the domain brief's vocabulary.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crossborder.api.base import StrictFieldsMixin
from crossborder.core.vocabulary import in_each_language

from .models import (
    COMMENT_MAX_LENGTH,
    FormerName,
    Indicator,
    Office,
    Organisation,
    PeriodTransition,
    Programme,
    Project,
    ProjectPartner,
    ReportingPeriod,
    WorkPackage,
)


class ProgrammeSerializer(serializers.ModelSerializer):
    projects: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )

    class Meta:
        model = Programme
        fields = [
            "slug",
            "name",
            *in_each_language("name"),
            "starts_on",
            "ends_on",
            "projects",
        ]


class FormerNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormerName
        fields = ["name", "used_until"]


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["slug", "name", "city"]


class OrganisationSerializer(serializers.ModelSerializer):
    former_names = FormerNameSerializer(many=True, read_only=True)
    offices = OfficeSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "kind",
            "country",
            "territory",
            "city",
            "activity",
            "former_names",
            "offices",
        ]


class ProjectPartnerSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )

    class Meta:
        model = ProjectPartner
        fields = ["organisation", "role"]


class WorkPackageSerializer(serializers.ModelSerializer):
    coordinator: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )

    class Meta:
        model = WorkPackage
        fields = ["code", "name", "coordinator"]


class ProjectSerializer(serializers.ModelSerializer):
    programme: serializers.SlugRelatedField[Programme] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    lead_partner: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )
    partners = ProjectPartnerSerializer(many=True, read_only=True, source="memberships")
    work_packages = WorkPackageSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "slug",
            "programme",
            "name",
            *in_each_language("name"),
            "summary",
            "starts_on",
            "ends_on",
            "lead_partner",
            "partners",
            "work_packages",
        ]


class TargetProgressSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="milestone or final")
    year = serializers.IntegerField()
    target = serializers.IntegerField()
    actual = serializers.IntegerField(help_text="What the records add up to by the target's year.")
    lower_bound = serializers.BooleanField(
        help_text='True when a figure counted in is a minimum ("more than 200").'
    )
    ratio = serializers.FloatField(allow_null=True, help_text="Share of the target reached.")


class ProgressSerializer(serializers.Serializer):
    """An indicator in one project (or, with `project` null, the whole programme)."""

    project = serializers.CharField(allow_null=True, help_text="Slug of the project.")
    actual = serializers.IntegerField()
    lower_bound = serializers.BooleanField()
    not_yet_known = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "ESF+ results: the follow-ups not due or due (not overdue) and not done; null for "
            "the other indicators. With `actual` 0 and some not yet known, the value is not "
            "known yet, not 0."
        ),
    )
    unknown = serializers.IntegerField(
        allow_null=True,
        help_text="ESF+ results: the follow-ups overdue and not done; null for the others.",
    )
    targets = TargetProgressSerializer(many=True)


class IndicatorSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "rule",
            "source",
            "action_types",
            "definition",
            "progress",
        ]

    @extend_schema_field(ProgressSerializer(many=True))
    def get_progress(self, indicator: Indicator) -> list[dict[str, object]]:
        """From the reports layer, computed once for the whole response (context "progress")."""
        progress = self.context["progress"].get(indicator.code, [])
        # A ListSerializer's list: the stubs give Serializer(many=True) the type of its child.
        return ProgressSerializer(progress, many=True).data  # type: ignore[return-value]


class PeriodTransitionSerializer(serializers.ModelSerializer):
    by: serializers.CharField = serializers.CharField(
        source="by.username", read_only=True, help_text="The user who took the step."
    )

    class Meta:
        model = PeriodTransition
        fields = ["kind", "status", "by", "at", "comment"]


class ReportingPeriodSerializer(serializers.ModelSerializer):
    """A PES's figures for a project's semester: where they stand, and every step taken."""

    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    pes: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    period: serializers.CharField = serializers.CharField(
        source="period_label",
        read_only=True,
        help_text="The semester (2018-S1), or the year for the actions known only by their year.",
    )
    transitions = PeriodTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "project", "year", "semester", "period", "pes", "status", "transitions"]


class PeriodCommentSerializer(StrictFieldsMixin, serializers.Serializer):
    """The body of a step: a comment, required to return a period or to reopen it."""

    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=COMMENT_MAX_LENGTH,
        help_text="Why: required for `return/` (what to correct) and `reopen/` (the reason).",
    )
