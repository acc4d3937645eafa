"""Actions and their aggregate figures for the API: read with what belongs to them, write with
the model's own validation (the views call full_clean or the services, never these classes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import F, Model, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from modeltranslation.fields import NONE
from modeltranslation.manager import MultilingualQuerySet
from modeltranslation.thread_context import fallbacks_enabled
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order
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


# What an action's own row gives to its representation, in values() names: every language's
# column of each translated text (the text under its own name is read from them, TranslatedText),
# the code of its work package and the slug of its sector; its project's slug is a subquery
# (action_values).
ACTION_VALUES = (
    "id",
    "reference",
    "action_type",
    "status",
    *IN_EACH_LANGUAGE,
    "start_date",
    "end_date",
    "year",
    "semester",
    "period_month",
    "sort_date",
    "online",
    "language_hours",
    "duration_days",
    "capacity",
    "workshops",
    "outcomes_expected_on",
    "created_at",
    "updated_at",
    "work_package__code",
    "sector__slug",
)

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class TranslatedText:
    """How modeltranslation reads a translated field in the active language, worked out once
    for all rows rather than once for each value (its values() does it per value through the
    field's descriptor, which cost a third of a page of 100 actions): the first of its columns,
    in the language's order of fallbacks, that holds a value (neither None nor the field's empty
    value), else the field's value for none."""

    name: str
    # The keys of its columns in a row: names in a dict, positions in a tuple (placed).
    columns: tuple[Any, ...]
    empty: Any
    otherwise: Any

    @classmethod
    def active(cls, model: type[Model], name: str) -> TranslatedText:
        """The field's reading in the active language, with the rules of its descriptor
        (modeltranslation.fields.TranslationFieldDescriptor.__get__)."""
        descriptor = getattr(model, name)
        default = descriptor.field.get_default()
        undefined = descriptor.fallback_undefined
        fallback = descriptor.fallback_value
        languages = resolution_order(get_language(), descriptor.fallback_languages)
        return cls(
            name=name,
            columns=tuple(build_localized_fieldname(name, language) for language in languages),
            empty=default if undefined is NONE else undefined,
            otherwise=fallback if fallbacks_enabled() and fallback is not NONE else default,
        )

    def placed(self, before: Sequence[str]) -> TranslatedText:
        """The reading of tuples that hold the values `before`, then the field's column in each
        language (in_each_language)."""
        positions = {
            column: len(before) + index for index, column in enumerate(in_each_language(self.name))
        }
        return replace(self, columns=tuple(positions[column] for column in self.columns))

    def read(self, row: Any) -> Any:
        """The field's value in a row (a dict, or a tuple once placed) of its columns."""
        for column in self.columns:
            value = row[column]
            if value is not None and value != self.empty:
                return value
        return self.otherwise


def raw_rows(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """The queryset, whose values() and values_list() give the columns as stored: of a
    translated model, modeltranslation's rewriting is switched off for them (a translated field
    is read from its columns by TranslatedText instead of per value); its filters and ordering,
    applied before, keep theirs."""
    if isinstance(queryset, MultilingualQuerySet):
        rewritten: QuerySet[_M] = queryset.rewrite(False)
        return rewritten
    return queryset


def action_values(actions: QuerySet[Action]) -> QuerySet[Action, dict[str, Any]]:
    """The actions as the rows `action_representations` takes (one query, like the page).

    The project's slug is a subquery rather than a join, so that the page's count (the same
    queryset's count()) reads the actions alone: the project's join is an inner one, which
    the count kept, and counting 10,000 actions through it took 10 ms of the database's time,
    counting them alone 1 ms. The work package's and sector's joins are outer ones, which
    PostgreSQL leaves out of a count (a subquery for each took 1 ms more to build the query)."""
    project = Project.objects.filter(pk=OuterRef("project_id")).order_by().values("slug")
    return raw_rows(actions).values(*ACTION_VALUES, project_slug=Subquery(project))


class ByIds:
    """A query whose SQL differs from one page to the next only in a list of ids (the related
    rows of a page of actions), compiled by the ORM once per number of ids, language and
    database, and run again with each page's ids.

    Building and compiling a queryset costs more than running it: the six queries of a page of
    100 actions took 20 ms of CPU through the ORM and 1 ms as SQL. The SQL is the ORM's own
    (the models' orderings, modeltranslation's columns of the language); only the ids change,
    written into it as numbers: the driver reads a statement's parameters one by one, which
    took 0.3 ms for 100 ids, three times as long as running it. They are the ids of the
    page's rows, whole numbers (int), never text from a request. The rows are as the
    database gives them, without the ORM's conversions (a boolean may be 0 or 1); a translated
    model's are built from raw_rows(), whose columns come in the order named."""

    def __init__(self, model: type[Model], build: Callable[[list[int]], QuerySet[Any]]) -> None:
        self.model = model
        self.build = build
        # By number of ids, database and language: the SQL cut at its parameters, and what
        # goes in each cut: an id's position in the list, or a parameter of the query's own.
        self._compiled: dict[tuple[int, str, str], tuple[list[str], list[tuple[int, Any]]]] = {}

    def rows(self, ids: Sequence[int]) -> list[tuple[Any, ...]]:
        alias = router.db_for_read(self.model)
        pieces, slots = self._compile(len(ids), alias)
        sql = [pieces[0]]
        params = []
        for (position, param), piece in zip(slots, pieces[1:], strict=True):
            if position < 0:
                sql.append("%s")
                params.append(param)
            else:
                sql.append(str(int(ids[position])))
            sql.append(piece)
        with connections[alias].cursor() as cursor:
            cursor.execute("".join(sql), params)
            return cursor.fetchall()

    def _compile(self, count: int, alias: str) -> tuple[list[str], list[tuple[int, Any]]]:
        key = (count, alias, get_language())
        compiled = self._compiled.get(key)
        if compiled is None:
            # Ids no row has, told apart from the query's other parameters by their sign: -1
            # stands for the first id, -2 for the second, ...
            queryset = self.build(list(range(-1, -count - 1, -1)))
            if isinstance(queryset, MultilingualQuerySet) and queryset._rewrite:
                # modeltranslation's values_list() selects the columns in no given order (it
                # puts them back in order row by row, which the SQL alone does not).
                raise ValueError(f"Build the rows of {self.model.__name__} from raw_rows().")
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            pieces = sql.split("%s")
            if len(pieces) != len(params) + 1:
                raise ValueError(f"The parameters of the SQL are not its placeholders: {sql}")
            slots = [
                (-param - 1 if type(param) is int and param < 0 else -1, param) for param in params
            ]
            compiled = self._compiled[key] = (pieces, slots)
        return compiled


def _grouped(rows: Iterable[Sequence[Any]]) -> dict[int, list[Any]]:
    """Rows whose first value is an action's id, by action, the rest of each row kept."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for action_id, *values in rows:
        grouped[action_id].append(values[0] if len(values) == 1 else values)
    return grouped


# The related rows of a page of actions, each query in its model's default ordering (the
# prefetch's) and starting with the action's id.
OFFICES = ByIds(
    Office, lambda ids: Office.objects.filter(actions__in=ids).values_list("actions", "slug")
)
CERTIFICATES = ByIds(
    Certificate,
    lambda ids: raw_rows(Certificate.objects.filter(actions__in=ids)).values_list(
        "actions", "slug"
    ),
)
FIGURE_COLUMNS = ("action", "id", "metric", "pes__slug", "value", "is_lower_bound")
FIGURES = ByIds(
    Figure,
    lambda ids: raw_rows(Figure.objects.filter(action__in=ids)).values_list(
        *FIGURE_COLUMNS, *in_each_language("note")
    ),
)
EMPLOYERS = ByIds(
    ActionEmployer,
    lambda ids: ActionEmployer.objects.filter(action__in=ids).values_list(
        "action", "organisation__slug", "organisation__kind", "vacancies"
    ),
)
JOB_OFFER_COLUMNS = ("action", "employer__slug", "positions")
JOB_OFFERS = ByIds(
    JobOffer,
    lambda ids: raw_rows(JobOffer.objects.filter(action__in=ids)).values_list(
        *JOB_OFFER_COLUMNS, *in_each_language("title")
    ),
)


def _organisations_by_role(ids: list[int]) -> QuerySet[Organisation, tuple[Any, ...]]:
    """The organisations each action names in each role (ORGANISATION_ROLES), in one query for
    all roles: (role, action id, slug, name), in Organisation's ordering (the prefetch's)."""
    # Every column an annotation, named alike in each part: the columns of a union follow the
    # order of its first part, and a model's own fields would go before the annotations.
    parts = [
        raw_rows(
            Organisation.objects.filter(**{f"{related}__in": ids}).annotate(
                named_as=Value(role),
                named_in=F(related),
                named_slug=F("slug"),
                named_name=F("name"),
            )
        )
        .values_list("named_as", "named_in", "named_slug", "named_name")
        .order_by()
        for role, related in ORGANISATION_ROLES.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("named_name")


ORGANISATIONS = ByIds(Organisation, _organisations_by_role)


def action_representations(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """What ActionSerializer(many=True) gives for these rows of `action_values`, key for key.

    Serialising model instances costs most of a page of 100 actions: an instance and a related
    manager per action and relation, a field object call per value. Here the related objects are
    read as tuples, one query per relation as prefetch_related does (ByIds), and the values are
    copied as they come from the database, which is what the serializer's fields do with them; a
    translated text is read from its columns as modeltranslation reads it (TranslatedText); only
    dates and times are converted by DRF's own fields, so their format follows the same
    settings. tests/api/test_representation.py checks that both give the same JSON.
    """
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    offices = _grouped(OFFICES.rows(ids))
    organisations: dict[str, dict[int, list[str]]] = {
        role: defaultdict(list) for role in ORGANISATION_ROLES
    }
    for role, action_id, slug, _name in ORGANISATIONS.rows(ids):
        organisations[role][action_id].append(slug)
    certificates = _grouped(CERTIFICATES.rows(ids))
    note = TranslatedText.active(Figure, "note").placed(FIGURE_COLUMNS)
    figures: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for figure in FIGURES.rows(ids):
        action_id, pk, metric, pes, value, is_lower_bound = figure[: len(FIGURE_COLUMNS)]
        figures[action_id].append(
            {
                "id": pk,
                "metric": metric,
                "pes": pes,
                "value": value,
                # The field's conversion, which raw rows go without (a database may give 0 or 1).
                "is_lower_bound": bool(is_lower_bound),
                "note": note.read(figure),
            }
        )
    employers = _grouped(
        (action_id, {"organisation": organisation, "kind": kind, "vacancies": vacancies})
        for action_id, organisation, kind, vacancies in EMPLOYERS.rows(ids)
    )
    title = TranslatedText.active(JobOffer, "title").placed(JOB_OFFER_COLUMNS)
    job_offers = _grouped(
        (offer[0], {"title": title.read(offer), "employer": offer[1], "positions": offer[2]})
        for offer in JOB_OFFERS.rows(ids)
    )
    texts = [TranslatedText.active(Action, name) for name in TRANSLATED_FIELDS]
    date = serializers.DateField().to_representation
    # The zone DRF would look up for every value, once.
    moment = serializers.DateTimeField(
        default_timezone=timezone.get_current_timezone()
    ).to_representation
    representations = []
    for row in rows:
        pk = row["id"]
        # In the serializer's order of fields (ACTION_FIELDS), which the JSON keeps.
        action = {
            "id": pk,
            "reference": row["reference"],
            "project": row["project_slug"],
            "work_package": row["work_package__code"],
            "action_type": row["action_type"],
            "status": row["status"],
        }
        for text in texts:
            action[text.name] = text.read(row)
        for column in IN_EACH_LANGUAGE:
            action[column] = row[column]
        action.update(
            {
                "start_date": date(row["start_date"]),
                "end_date": date(row["end_date"]),
                "year": row["year"],
                "semester": row["semester"],
                "period_month": row["period_month"],
                "sort_date": date(row["sort_date"]),
                "online": row["online"],
                "sector": row["sector__slug"],
                "offices": offices.get(pk, []),
            }
        )
        for role in ORGANISATION_ROLES:
            action[role] = organisations[role].get(pk, [])
        action.update(
            {
                "certificates": certificates.get(pk, []),
                "language_hours": row["language_hours"],
                "duration_days": row["duration_days"],
                "capacity": row["capacity"],
                "workshops": row["workshops"],
                "outcomes_expected_on": date(row["outcomes_expected_on"]),
                "figures": figures.get(pk, []),
                "employers": employers.get(pk, []),
                "job_offers": job_offers.get(pk, []),
                "created_at": moment(row["created_at"]),
                "updated_at": moment(row["updated_at"]),
            }
        )
        representations.append(action)
    return representations


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
