"""Actions and their aggregate figures for the API: read with what belongs to them, write with
the model's own validation (the views call full_clean or the services, never these classes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crossborder.api.base import StrictFieldsMixin
from crossborder.core.metrics import FIGURE_METRICS
from crossborder.core.periods import FIRST_YEAR, LAST_YEAR
from crossborder.core.vocabulary import (
    ActionStatus,
    ActionType,
    OrganisationKind,
    in_each_language,
)
from projects import access
from projects.models import Office, Organisation, Project, WorkPackage

from .models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector


class FigureInActionSerializer(serializers.ModelSerializer):
    pes: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )

    class Meta:
        model = Figure
        fields = ["id", "metric", "pes", "value", "is_lower_bound", "note"]


class EmployerSerializer(serializers.ModelSerializer):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    kind = serializers.CharField(source="organisation.kind", read_only=True)

    class Meta:
        model = ActionEmployer
        fields = ["organisation", "kind", "vacancies"]


class JobOfferSerializer(serializers.ModelSerializer):
    employer: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )

    class Meta:
        model = JobOffer
        fields = ["title", "employer", "positions"]


ACTION_FIELDS = [
    "id",
    "reference",
    "project",
    "work_package",
    "action_type",
    "status",
    "title",
    *in_each_language("title"),
    "description",
    "cancellation_reason",
    "start_date",
    "end_date",
    "year",
    "semester",
    "period_note",
    "place",
    "online",
    "sector",
    "offices",
    "organisers",
    "certificates",
    "language_hours",
    "duration_days",
    "capacity",
    "figures",
    "employers",
    "job_offers",
    "created_at",
    "updated_at",
]


# An action as the API shows it. The reads build it with `action_representations`, which gives
# the same JSON from rows; this class is its definition, and the schema's (a comment, not a
# docstring, which drf-spectacular would put in the schema).
class ActionSerializer(serializers.ModelSerializer):
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug"
    )
    work_package: serializers.SlugRelatedField[WorkPackage] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="code"
    )
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )
    offices: serializers.SlugRelatedField[Office] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    organisers: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    certificates: serializers.SlugRelatedField[Certificate] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    figures = FigureInActionSerializer(many=True, read_only=True)
    employers = EmployerSerializer(many=True, read_only=True)
    job_offers = JobOfferSerializer(many=True, read_only=True)

    class Meta:
        model = Action
        fields = ACTION_FIELDS
        read_only_fields = ACTION_FIELDS


# What an action's own row gives to its representation, in values() names: "title" and
# "description" are modeltranslation's, in the active language with its fallbacks.
ACTION_VALUES = (
    "id",
    "reference",
    "project__slug",
    "work_package__code",
    "action_type",
    "status",
    "title",
    *in_each_language("title"),
    "description",
    "cancellation_reason",
    "start_date",
    "end_date",
    "year",
    "semester",
    "period_note",
    "place",
    "online",
    "sector__slug",
    "language_hours",
    "duration_days",
    "capacity",
    "created_at",
    "updated_at",
)


def action_values(actions: QuerySet[Action]) -> QuerySet[Action, dict[str, Any]]:
    """The actions as the rows `action_representations` takes (one query, like the page)."""
    return actions.values(*ACTION_VALUES)


def _grouped(rows: QuerySet[Any, tuple[Any, ...]]) -> dict[int, list[Any]]:
    """Rows whose first value is an action's id, by action, the rest of each row kept."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for action_id, *values in rows:
        grouped[action_id].append(values[0] if len(values) == 1 else values)
    return grouped


def action_representations(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ActionSerializer(many=True) gives for these rows of `action_values`, key for key.

    Serialising model instances costs most of a page of 100 actions: an instance and a related
    manager per action and relation, a field object call per value. Here the related objects are
    read as tuples, one query per relation as prefetch_related does, each in its model's default
    ordering (the prefetch's), and the values are copied as they come from the database, which is
    what the serializer's fields do with them; only dates and times are converted by DRF's own
    fields, so their format follows the same settings. tests/api/test_representation.py checks
    that both give the same JSON.
    """
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    offices = _grouped(Office.objects.filter(actions__in=ids).values_list("actions", "slug"))
    organisers = _grouped(
        Organisation.objects.filter(organised_actions__in=ids).values_list(
            "organised_actions", "slug"
        )
    )
    certificates = _grouped(
        Certificate.objects.filter(actions__in=ids).values_list("actions", "slug")
    )
    figures = _grouped(
        Figure.objects.filter(action__in=ids).values_list(
            "action", "id", "metric", "pes__slug", "value", "is_lower_bound", "note"
        )
    )
    employers = _grouped(
        ActionEmployer.objects.filter(action__in=ids).values_list(
            "action", "organisation__slug", "organisation__kind", "vacancies"
        )
    )
    job_offers = _grouped(
        JobOffer.objects.filter(action__in=ids).values_list(
            "action", "title", "employer__slug", "positions"
        )
    )
    date = serializers.DateField()
    # The zone DRF would look up for every value, once.
    moment = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())
    return [
        {
            "id": row["id"],
            "reference": row["reference"],
            "project": row["project__slug"],
            "work_package": row["work_package__code"],
            "action_type": row["action_type"],
            "status": row["status"],
            "title": row["title"],
            **{name: row[name] for name in in_each_language("title")},
            "description": row["description"],
            "cancellation_reason": row["cancellation_reason"],
            "start_date": date.to_representation(row["start_date"]),
            "end_date": date.to_representation(row["end_date"]),
            "year": row["year"],
            "semester": row["semester"],
            "period_note": row["period_note"],
            "place": row["place"],
            "online": row["online"],
            "sector": row["sector__slug"],
            "offices": offices.get(row["id"], []),
            "organisers": organisers.get(row["id"], []),
            "certificates": certificates.get(row["id"], []),
            "language_hours": row["language_hours"],
            "duration_days": row["duration_days"],
            "capacity": row["capacity"],
            "figures": [
                {
                    "id": pk,
                    "metric": metric,
                    "pes": pes,
                    "value": value,
                    "is_lower_bound": is_lower_bound,
                    "note": note,
                }
                for pk, metric, pes, value, is_lower_bound, note in figures.get(row["id"], [])
            ],
            "employers": [
                {"organisation": organisation, "kind": kind, "vacancies": vacancies}
                for organisation, kind, vacancies in employers.get(row["id"], [])
            ],
            "job_offers": [
                {"title": title, "employer": employer, "positions": positions}
                for title, employer, positions in job_offers.get(row["id"], [])
            ],
            "created_at": moment.to_representation(row["created_at"]),
            "updated_at": moment.to_representation(row["updated_at"]),
        }
        for row in rows
    ]


@extend_schema_field(OpenApiTypes.STR)
class EditableProjectField(serializers.SlugRelatedField):
    """A project the requesting user may change (access.projects_editable_by)."""

    default_error_messages = {
        "does_not_exist": "No project you may change has the slug {slug_name}={value}.",
        "invalid": "Must be a project slug.",
    }

    def get_queryset(self) -> QuerySet[Project]:
        return access.projects_editable_by(self.context["request"].user)


class ActionWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """What a coordinator sends to create or change an action. Year and semester follow the
    start date; without one, give the year (and the semester when known)."""

    project = EditableProjectField(slug_field="slug")
    action_type = serializers.ChoiceField(choices=ActionType.choices)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    sector = serializers.SlugRelatedField(
        slug_field="slug", queryset=Sector.objects.all(), required=False, allow_null=True
    )
    offices = serializers.SlugRelatedField(
        slug_field="slug", queryset=Office.objects.all(), many=True, required=False
    )
    organisers = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), many=True, required=False
    )
    certificates = serializers.SlugRelatedField(
        slug_field="slug", queryset=Certificate.objects.all(), many=True, required=False
    )
    year = serializers.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = Action
        fields = [
            "project",
            "reference",
            "action_type",
            "status",
            *in_each_language("title"),
            "description",
            "cancellation_reason",
            "start_date",
            "end_date",
            "year",
            "semester",
            "period_note",
            "place",
            "online",
            "sector",
            "offices",
            "organisers",
            "certificates",
            "language_hours",
            "duration_days",
            "capacity",
        ]
        # The model's rules (unique reference, dates, cohort limits) are checked by full_clean
        # in the view, with the admin's messages; DRF's own copies of them are switched off.
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"reference": {"validators": []}}


@extend_schema_field(OpenApiTypes.STR)
class PesField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "No public employment service has the slug {slug_name}={value}.",
        "invalid": "Must be the slug of a public employment service.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            slug_field="slug",
            queryset=Organisation.objects.filter(kind=OrganisationKind.PES),
            **kwargs,
        )


class FigureSerializer(serializers.ModelSerializer):
    pes: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        read_only=True, allow_null=True, slug_field="slug"
    )
    project: serializers.SlugRelatedField[Project] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", source="action.project"
    )

    class Meta:
        model = Figure
        fields = ["id", "action", "project", "metric", "pes", "value", "is_lower_bound", "note"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class EditableActionField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No action you may change has the id {pk_value}.",
        "incorrect_type": "Must be the id of an action (an integer).",
    }

    def get_queryset(self) -> QuerySet[Action]:
        return access.actions_editable_by(self.context["request"].user)


class FigureWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """An aggregate count for an action, a metric and a PES (null: the unsplit remainder).
    Sending it again for the same action, metric and PES changes it rather than adding one."""

    action = EditableActionField()
    metric = serializers.ChoiceField(choices=[(m, m) for m in FIGURE_METRICS])
    pes = PesField(allow_null=True, required=False, default=None)
    value = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    is_lower_bound = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class FigureChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    """What may change in a figure; its action, metric and PES identify it and stay."""

    value = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    is_lower_bound = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
