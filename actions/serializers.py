"""Actions and their aggregate figures for the API: read with what belongs to them, write with
the model's own validation (the views call full_clean or the services, never these classes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crossborder.api.base import StrictFieldsMixin
from crossborder.api.keys import (
    ActionKeyField,
    CertificateKeyField,
    JobseekerKeyField,
    NaturalKeyField,
    OfficeKeyField,
    OrganisationKeyField,
    PesKeyField,
    SectorKeyField,
)
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
from .services import PUSH_MAX_ITEMS, PushStatus
from .translation import ActionTranslation

# The texts of an action kept in each language (title_en, title_nl, title_fr, ...): read in the
# request's language under their own name, and in each language under the column's.
TRANSLATED_FIELDS: tuple[str, ...] = tuple(ActionTranslation.fields)
IN_EACH_LANGUAGE: list[str] = [
    column for name in TRANSLATED_FIELDS for column in in_each_language(name)
]
# The organisations an action names besides its employers, each a many-to-many relation read
# and written by slug; with the relation's name on Organisation, by which its rows are read.
ORGANISATION_ROLES: dict[str, str] = {
    "organisers": "organised_actions",
    "taught_by": "taught_actions",
    "tested_by": "tested_actions",
    "presenters": "presented_actions",
}


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
    *TRANSLATED_FIELDS,
    *IN_EACH_LANGUAGE,
    "start_date",
    "end_date",
    "year",
    "semester",
    "period_month",
    "sort_date",
    "online",
    "sector",
    "offices",
    *ORGANISATION_ROLES,
    "certificates",
    "language_hours",
    "duration_days",
    "capacity",
    "workshops",
    "outcomes_expected_on",
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
    taught_by: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    tested_by: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug"
    )
    presenters: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
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


# What an action's own row gives to its representation, in values() names: the translated
# texts under their own names are modeltranslation's, in the active language with its
# fallbacks.
ACTION_VALUES = (
    "id",
    "reference",
    "project__slug",
    "work_package__code",
    "action_type",
    "status",
    *TRANSLATED_FIELDS,
    *IN_EACH_LANGUAGE,
    "start_date",
    "end_date",
    "year",
    "semester",
    "period_month",
    "sort_date",
    "online",
    "sector__slug",
    "language_hours",
    "duration_days",
    "capacity",
    "workshops",
    "outcomes_expected_on",
    "created_at",
    "updated_at",
)
# The values of the row that the representation gives as they come, under the same name.
PLAIN_VALUES = (
    "id",
    "reference",
    "action_type",
    "status",
    *TRANSLATED_FIELDS,
    *IN_EACH_LANGUAGE,
    "year",
    "semester",
    "period_month",
    "online",
    "language_hours",
    "duration_days",
    "capacity",
    "workshops",
)
DATE_VALUES = ("start_date", "end_date", "sort_date", "outcomes_expected_on")


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
    organisations = _organisations_by_role(ids)
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
    representations = [
        {
            **{name: row[name] for name in PLAIN_VALUES},
            "project": row["project__slug"],
            "work_package": row["work_package__code"],
            **{name: date.to_representation(row[name]) for name in DATE_VALUES},
            "sector": row["sector__slug"],
            "offices": offices.get(row["id"], []),
            **{role: organisations[role].get(row["id"], []) for role in ORGANISATION_ROLES},
            "certificates": certificates.get(row["id"], []),
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
    # In the serializer's order of fields, which the JSON keeps.
    return [{name: built[name] for name in ACTION_FIELDS} for built in representations]


def _organisations_by_role(ids: list[int]) -> dict[str, dict[int, list[str]]]:
    """The slugs of the organisations each action names in each role (ORGANISATION_ROLES), in
    one query for all roles, each list in Organisation's ordering (the prefetch's)."""
    # Every column an annotation, named alike in each part: the columns of a union follow the
    # order of its first part, and a model's own fields would go before the annotations.
    parts = [
        Organisation.objects.filter(**{f"{related}__in": ids})
        .annotate(
            named_as=Value(role), named_in=F(related), named_slug=F("slug"), named_name=F("name")
        )
        .values_list("named_as", "named_in", "named_slug", "named_name")
        .order_by()
        for role, related in ORGANISATION_ROLES.items()
    ]
    rows = parts[0].union(*parts[1:], all=True).order_by("named_name")
    grouped: dict[str, dict[int, list[str]]] = {
        role: defaultdict(list) for role in ORGANISATION_ROLES
    }
    for role, action_id, slug, _name in rows:
        grouped[role][action_id].append(slug)
    return grouped


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
    start date; without one, give the year (and the semester, or the month the period begins,
    when known). The texts are written per language (`title_nl`, `title_fr`, `title_en`, ...),
    none required over the others, but a title in one language at least; `description`,
    `place`, `period_note` and `cancellation_reason` without a language write the request's.
    Related records by id or slug; the reference, generated when none is given, stays."""

    project = EditableProjectField(slug_field="slug")
    action_type = serializers.ChoiceField(choices=ActionType.choices)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    sector = SectorKeyField(queryset=Sector.objects.all(), required=False, allow_null=True)
    offices = OfficeKeyField(queryset=Office.objects.all(), many=True, required=False)
    organisers = OrganisationKeyField(
        queryset=Organisation.objects.all(), many=True, required=False
    )
    taught_by = OrganisationKeyField(
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="The organisations that taught (a training centre, a language school).",
    )
    tested_by = OrganisationKeyField(
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="The organisations that tested the participants (a certification body).",
    )
    presenters = OrganisationKeyField(
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="For seminars and info sessions: the organisations that presented.",
    )
    certificates = CertificateKeyField(
        queryset=Certificate.objects.all(), many=True, required=False
    )
    year = serializers.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)

    class Meta:
        model = Action
        fields = [
            "project",
            "reference",
            "action_type",
            "status",
            *IN_EACH_LANGUAGE,
            "description",
            "cancellation_reason",
            "start_date",
            "end_date",
            "year",
            "semester",
            "period_month",
            "period_note",
            "place",
            "online",
            "sector",
            "offices",
            *ORGANISATION_ROLES,
            "certificates",
            "language_hours",
            "duration_days",
            "capacity",
            "workshops",
            "outcomes_expected_on",
        ]
        # The model's rules (unique reference, dates, cohort limits) are checked by full_clean
        # in the view, with the admin's messages; DRF's own copies of them are switched off.
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"reference": {"validators": []}}

    def validate_reference(self, value: str) -> str:
        # Stored as the API finds it (ActionKeyField): without surrounding spaces. A blank one
        # is generated for a new action; an action's reference, once given, stays one.
        value = value.strip()
        if not value and self.instance is not None:
            raise serializers.ValidationError(
                _("May not be blank: clients find the action by its reference.")
            )
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        titles = in_each_language("title")
        given = {
            column: data.get(column, getattr(self.instance, column, None) or "")
            for column in titles
        }
        if not any(str(title).strip() for title in given.values()):
            message = _("Give a title in one language at least: %(columns)s.") % {
                "columns": ", ".join(titles)
            }
            raise serializers.ValidationError({"title": [message]})
        return data


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


def editable_action_field(**kwargs: Any) -> ActionKeyField:
    """An action the user may change (access.actions_editable_by), by id or reference."""
    return ActionKeyField(
        scope=access.actions_editable_by,
        error_messages={
            "unknown_id": _lazy("No action you may change has the id {value}."),
            "unknown_key": _lazy('No action you may change has the reference "{value}".'),
        },
        **kwargs,
    )


def pes_field(**kwargs: Any) -> PesKeyField:
    """A public employment service by id or slug."""
    return PesKeyField(queryset=Organisation.objects.filter(kind=OrganisationKind.PES), **kwargs)


class FigureWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """An aggregate count for an action, a metric and a PES (null: the unsplit remainder).
    Sending it again for the same action, metric and PES changes it rather than adding one.
    The action by its id or reference, the PES by its id or slug."""

    action = editable_action_field()
    metric = serializers.ChoiceField(choices=[(m, m) for m in FIGURE_METRICS])
    pes = pes_field(allow_null=True, required=False, default=None)
    value = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    is_lower_bound = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class FigureChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    """What may change in a figure; its action, metric and PES identify it and stay."""

    value = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False)
    is_lower_bound = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class PushListSerializer(serializers.ListSerializer):
    """The items of a bulk push: the related records they name (NaturalKeyField,
    JobseekerKeyField) are resolved for all items at once, one query per field, before each
    item is validated."""

    def to_internal_value(self, data: Any) -> Any:
        child = self.child
        assert isinstance(child, serializers.Serializer)
        if isinstance(data, list) and len(data) <= PUSH_MAX_ITEMS:
            for name, field in child.fields.items():
                if isinstance(field, NaturalKeyField | JobseekerKeyField):
                    field.preload(
                        item[name] for item in data if isinstance(item, Mapping) and name in item
                    )
        return super().to_internal_value(data)


class PushListSchema(OpenApiSerializerFieldExtension):
    """A push's list with its bounds (minItems, maxItems), which drf-spectacular leaves out."""

    target_class = PushListSerializer

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(
            self.target, direction, bypass_extensions=True
        )
        return {**schema, "minItems": self.target.min_length, "maxItems": self.target.max_length}


def push_items(child: serializers.Serializer) -> PushListSerializer:
    """A push's list of 1 to PUSH_MAX_ITEMS items."""
    return PushListSerializer(
        child=child, allow_empty=False, min_length=1, max_length=PUSH_MAX_ITEMS
    )


class FigurePushSerializer(StrictFieldsMixin, serializers.Serializer):
    figures = push_items(FigureWriteSerializer())


class PushOutcomeSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the list, from 0.")
    id = serializers.IntegerField(help_text="The record's id.")
    status = serializers.ChoiceField(
        choices=PushStatus.choices,
        help_text="`created`, `updated`, or `unchanged` when the record was already so.",
    )


class PushResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Records that were new.")
    updated = serializers.IntegerField(help_text="Records that were changed.")
    unchanged = serializers.IntegerField(help_text="Records that were already as sent.")
    results = PushOutcomeSerializer(many=True, help_text="One per item, in the items' order.")


class PushProblemSerializer(serializers.Serializer):
    index = serializers.IntegerField(
        allow_null=True, help_text="The item's position in the list, from 0; null: the push."
    )
    field = serializers.CharField(
        help_text="The field at fault (`non_field_errors`: the item as a whole)."
    )
    message = serializers.CharField()


class PushProblemsSerializer(serializers.Serializer):
    problems = PushProblemSerializer(many=True)
