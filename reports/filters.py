"""The one FilterSet of actions: the dashboards (filter.form, filter.qs), the API (filterset_class)
and the reports layer (the actions a report counts) all read their filters through it.

Every multi-valued parameter may be repeated (`?pes=vdab&pes=le-forem`) or comma-separated
(`?pes=vdab,le-forem`). A value that is not known is an error on that parameter.

Beside them, the personal filters (personal_filters: gender, age band, status at entry, ...)
choose which participation records a report counts, not which actions; the reports layer reads
them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast, overload

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from actions.models import Action, ActionEmployer, Figure, Sector
from crossborder.core.periods import Semester, parse_year, semester_of
from crossborder.core.vocabulary import ActionStatus, ActionType, OrganisationKind
from participants.attributes import PERSONAL_DIMENSIONS
from participants.models import Participation
from projects.models import Organisation, Project

# The PES value of figures whose split per PES is not known.
UNKNOWN_PES = "unknown"

# The parameter that limits a report to the figures of approved reporting periods
# (`approved=true`), read by reports.selectors.approved_only: a choice of which facts count,
# not a filter of actions, so it is no filter of ActionFilterSet.
APPROVED = "approved"
_YES, _NO = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def parse_approved(value: object) -> bool:
    """`approved=true` (or 1, yes, on) and false (or 0, no, off, empty); a ValidationError
    naming the value otherwise."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(
        _("“%(value)s” is neither true nor false."), code="invalid", params={"value": value}
    )


def personal_filters(data: QueryDict | Mapping[str, Any] | None) -> dict[str, list[str]]:
    """The personal filters asked (`gender=woman,man`, `age_band=under_25`), by dimension of
    participants.attributes.PERSONAL_DIMENSIONS, each value once in the order given. Not
    filters of actions: they choose which participation records count, so ActionFilterSet
    leaves them to the reports layer. A ValidationError keyed by the parameter names every
    value that is none of its choices, and the choices."""
    query = split_commas(data, PERSONAL_DIMENSIONS) if data is not None else QueryDict()
    chosen: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for slug, dimension in PERSONAL_DIMENSIONS.items():
        values = list(dict.fromkeys(query.getlist(slug)))
        if not values:
            continue
        allowed = [value for value, _label in dimension.choices]
        unknown = [value for value in values if value not in allowed]
        if unknown:
            errors[slug] = [
                str(
                    _("“%(value)s” is not a value of %(name)s; use any of: %(choices)s.")
                    % {"value": value, "name": slug, "choices": ", ".join(allowed)}
                )
                for value in unknown
            ]
        else:
            chosen[slug] = values
    if errors:
        raise ValidationError(errors)
    return chosen


def _semester(token: str) -> str:
    """A semester's text, as the actions' `semester` column holds it."""
    return str(Semester.parse(token))


class MultiValueField(forms.Field):
    """A list of values, each checked by ``item``; given repeated or comma-separated."""

    widget = forms.SelectMultiple

    def __init__(self, *, item: Callable[[str], Any], choices: Iterable = (), **kwargs: Any):
        self.item = item
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.choices = list(choices)

    def to_python(self, value: Any) -> list[Any]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        tokens = [t.strip() for v in values for t in str(v).split(",") if t.strip()]
        return [self.item(token) for token in tokens]


class MultiValueFilter(django_filters.Filter):
    field_class = MultiValueField

    def filter(self, qs: QuerySet, value: list[Any]) -> QuerySet:
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


# A record's id as a URL gives it (crossborder.api.base.ID_PATTERN).
_ID = re.compile(r"[0-9]{1,18}")


class ActionKeysField(MultiValueField):
    """Actions by reference or id, cleaned to their ids. A reference is compared as it is
    stored: without surrounding spaces, in its own case (the generated ones are lower case,
    `grenzeloos-tewerkstellen-2018-3f9a0c1d`), as the API's writes find an action by it; a
    number is either an id or a reference, as in the API's other `action` filters. Each value
    that names no action is an error naming it. Every user who reads the reports reads every
    action, so an error tells nothing that the list of actions does not."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(item=str, **kwargs)

    def clean(self, value: Any) -> list[int]:
        keys = list(dict.fromkeys(super().clean(value)))
        if not keys:
            return []
        if any("\x00" in key for key in keys):
            # PostgreSQL refuses NUL in text, even in a lookup: refused before it is looked up.
            raise ValidationError(
                ProhibitNullCharactersValidator.message, code="null_characters_not_allowed"
            )
        ids = {int(key) for key in keys if _ID.fullmatch(key)}
        found = list(
            Action.objects.filter(Q(reference__in=keys) | Q(pk__in=ids)).values_list(
                "pk", "reference"
            )
        )
        references = {reference for _pk, reference in found}
        pks = {pk for pk, _reference in found}
        unknown = [
            key
            for key in keys
            if key not in references and not (_ID.fullmatch(key) and int(key) in pks)
        ]
        if unknown:
            raise ValidationError(
                [
                    ValidationError(
                        _("“%(value)s” is no action."), code="invalid_choice", params={"value": key}
                    )
                    for key in unknown
                ]
            )
        return sorted(pks)


# The `action` filter in the API's schemas (the action list's and the outcomes').
ACTION_KEYS_DESCRIPTION = (
    "Given actions, by reference (as stored, e.g. gt-2018-cohort-1) or id; with the other "
    "filters, those of them that match. One that names no action is a 400 naming it."
)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": f"{ACTION_KEYS_DESCRIPTION} Repeat it or separate values by commas.",
    }
)
class ActionKeysFilter(MultiValueFilter):
    """Its schema declared: the generator would guess it from the filtered column, the id."""

    field_class = ActionKeysField


@overload
def split_commas(data: None, names: Iterable[str]) -> None: ...
@overload
def split_commas(data: QueryDict | Mapping[str, Any], names: Iterable[str]) -> QueryDict: ...
def split_commas(
    data: QueryDict | Mapping[str, Any] | None, names: Iterable[str]
) -> QueryDict | None:
    """A copy of the query in which `a,b` counts as two values of a multi-valued parameter."""
    if data is None:
        return None
    query = data.copy() if isinstance(data, QueryDict) else QueryDict(mutable=True)
    if not isinstance(data, QueryDict):
        for key, value in data.items():
            for item in value if isinstance(value, list | tuple) else [value]:
                query.appendlist(key, str(item))
    for name in names:
        values = query.getlist(name)
        if values:
            query.setlist(name, [t.strip() for v in values for t in v.split(",") if t.strip()])
    return query


def pes_choices() -> list[tuple[str, str | Promise]]:
    pes = Organisation.objects.filter(kind=OrganisationKind.PES).order_by("name")
    return [*pes.values_list("slug", "name"), (UNKNOWN_PES, _("unknown PES"))]


class PesChoiceField(forms.MultipleChoiceField):
    """The PES by slug, or "unknown"; the choices are read once per form, not once per value."""

    def valid_value(self, value: str) -> bool:
        if not hasattr(self, "_slugs"):
            # Pairs by now: the stubs type `choices` as anything a field may be given.
            choices = cast("Iterable[tuple[Any, Any]]", self.choices)
            self._slugs = {str(slug) for slug, _name in choices}
        return value in self._slugs


class PesFilter(django_filters.MultipleChoiceFilter):
    field_class = PesChoiceField


class ActionFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("May not be before the start of the range."))
        return cleaned


class ActionFilterSet(django_filters.FilterSet):
    """Filters of actions on the brief's dimensions, by slug. The lists of choices are
    checkboxes on the dashboards: usable with a keyboard and on a phone, unlike multi-selects."""

    MULTI = ("year", "semester", "project", "action_type", "status", "pes", "sector", "action")

    year = MultiValueFilter(field_name="year", item=parse_year, label=_("year"))
    semester = MultiValueFilter(field_name="semester", item=_semester, label=_("semester"))
    project = django_filters.ModelMultipleChoiceFilter(
        field_name="project__slug",
        to_field_name="slug",
        queryset=Project.objects.order_by("slug"),
        label=_("project"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    action_type = django_filters.MultipleChoiceFilter(
        choices=ActionType.choices,
        label=_("action type"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ActionStatus.choices,
        label=_("status"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    pes = PesFilter(
        method="filter_pes",
        distinct=False,
        choices=pes_choices,
        label=_("PES"),
        widget=forms.CheckboxSelectMultiple,
    )
    sector = django_filters.ModelMultipleChoiceFilter(
        field_name="sector__slug",
        to_field_name="slug",
        queryset=Sector.objects.order_by("slug"),
        label=_("sector"),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    date_from = django_filters.DateFilter(method="filter_date_from", label=_("from"))
    date_to = django_filters.DateFilter(method="filter_date_to", label=_("until"))
    # Given actions, as a partner's system knows them: `?action=gt-2018-cohort-1,gt-2018-cohort-2`.
    action = ActionKeysFilter(field_name="pk", label=_("reference"))

    class Meta:
        model = Action
        fields: list[str] = []
        form = ActionFilterForm

    def __init__(self, data: QueryDict | dict | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(split_commas(data, self.MULTI), *args, **kwargs)

    def filter_pes(
        self, queryset: QuerySet[Action], name: str, value: list[str]
    ) -> QuerySet[Action]:
        """Actions in which jobseekers of these PES are counted, by figure or by record."""
        if not value:
            return queryset
        slugs = [slug for slug in value if slug != UNKNOWN_PES]
        condition = Q(
            Exists(Figure.objects.filter(action=OuterRef("pk"), pes__slug__in=slugs))
        ) | Q(Exists(Participation.objects.filter(action=OuterRef("pk"), pes__slug__in=slugs)))
        if UNKNOWN_PES in value:
            # The unknown PES holds the unsplit figures, the employers present (who belong to
            # no PES) and actions with no figure at all, as in the reports.
            any_figure = Figure.objects.filter(action=OuterRef("pk"))
            any_record = Participation.objects.filter(action=OuterRef("pk"))
            condition |= (
                Q(Exists(any_figure.filter(pes__isnull=True)))
                | Q(Exists(ActionEmployer.objects.filter(action=OuterRef("pk"))))
                | (~Q(Exists(any_figure)) & ~Q(Exists(any_record)))
            )
        return queryset.filter(condition)

    def filter_date_from(
        self, queryset: QuerySet[Action], name: str, value: datetime.date
    ) -> QuerySet[Action]:
        return queryset.filter(starts_on_or_after(value))

    def filter_date_to(
        self, queryset: QuerySet[Action], name: str, value: datetime.date
    ) -> QuerySet[Action]:
        return queryset.filter(starts_on_or_before(value))


def starts_on_or_after(day: datetime.date) -> Q:
    """Actions starting on or after a day; an action known only by its semester or year counts
    when that period reaches the day."""
    return (
        Q(start_date__gte=day)
        | Q(start_date__isnull=True, semester__gte=semester_of(day))
        | Q(start_date__isnull=True, semester="", year__gte=day.year)
    )


def starts_on_or_before(day: datetime.date) -> Q:
    """Actions starting on or before a day, with the same rule for rough periods."""
    return (
        Q(start_date__lte=day)
        | (Q(start_date__isnull=True, semester__lte=semester_of(day)) & ~Q(semester=""))
        | Q(start_date__isnull=True, semester="", year__lte=day.year)
    )


def ended_before(day: datetime.date) -> Q:
    """Actions that ended before a day: by their end date, else their start date (a one-day
    action), else the last day of their semester or year when only that is known."""
    return (
        Q(end_date__lt=day)
        | Q(end_date__isnull=True, start_date__lt=day)
        | (Q(start_date__isnull=True, semester__lt=semester_of(day)) & ~Q(semester=""))
        | Q(start_date__isnull=True, semester="", year__lt=day.year)
    )
