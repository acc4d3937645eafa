"""Writes of actions and their aggregate figures: used by the admin, the imports, the API and
commands. Each checks the model's rules (full_clean) before it saves."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname, get_language

from crossborder.core.bulk import bulk_change_with_history, bulk_insert_with_history
from crossborder.core.dataversion import bump_data_version
from crossborder.core.facts import facts_written_for
from crossborder.core.metrics import EMPLOYER_METRICS, PARTICIPANT_METRICS, REGISTRY, Metric
from crossborder.core.periods import semester_of
from crossborder.core.versions import (
    Versioned,
    check_version,
    created_unless_raced,
    lock_current,
)
from crossborder.core.vocabulary import ActionStatus, in_each_language
from projects.models import Office, Organisation

from .models import Action, ActionEmployer, Certificate, Figure, JobOffer

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The many-to-many fields of an action: set after its row is saved.
ACTION_RELATIONS = (
    "offices",
    "organisers",
    "certificates",
    "taught_by",
    "tested_by",
    "presenters",
)


def _check_action_fields(values: dict[str, Any]) -> None:
    for name in values:
        try:
            field = Action._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is None or not field.concrete or name in ACTION_RELATIONS:
            raise TypeError(f"not a field of an action: {name}")


def _action_save(
    action: Action,
    values: dict[str, Any],
    relations: dict[str, Iterable[Office] | Iterable[Organisation] | Iterable[Certificate] | None],
) -> Action:
    _check_action_fields(values)
    for name, value in values.items():
        setattr(action, name, value)
    if action.start_date:
        # clean() derives year and semester from the start date too, but clean_fields() runs
        # first and would refuse the missing year of an action given with its dates only.
        action.year, action.semester = action.start_date.year, semester_of(action.start_date)
    action.full_clean()
    action.save()
    for name, objects in relations.items():
        if objects is not None:
            getattr(action, name).set(objects)
    return action


@transaction.atomic
def action_create(
    *,
    offices: Iterable[Office] | None = None,
    organisers: Iterable[Organisation] | None = None,
    certificates: Iterable[Certificate] | None = None,
    taught_by: Iterable[Organisation] | None = None,
    tested_by: Iterable[Organisation] | None = None,
    presenters: Iterable[Organisation] | None = None,
    **values: Any,
) -> Action:
    """A new action with these field values (year and semester follow the start date when there
    is one) and its offices, organisers, certificates and the organisations that taught, tested
    or presented."""
    relations = {
        "offices": offices,
        "organisers": organisers,
        "certificates": certificates,
        "taught_by": taught_by,
        "tested_by": tested_by,
        "presenters": presenters,
    }
    return _action_save(Action(), values, relations)


@transaction.atomic
def action_update(
    *,
    action: Action,
    offices: Iterable[Office] | None = None,
    organisers: Iterable[Organisation] | None = None,
    certificates: Iterable[Certificate] | None = None,
    taught_by: Iterable[Organisation] | None = None,
    tested_by: Iterable[Organisation] | None = None,
    presenters: Iterable[Organisation] | None = None,
    version: int | None = None,
    **values: Any,
) -> Action:
    """Change the fields given (year and semester follow the start date when there is one) and
    the many-to-many relations given (None: left as they are). `version`: the version the change
    was based on; StaleVersion when the action was changed since (None: no check)."""
    relations = {
        "offices": offices,
        "organisers": organisers,
        "certificates": certificates,
        "taught_by": taught_by,
        "tested_by": tested_by,
        "presenters": presenters,
    }
    lock_current(action, version)
    return _action_save(action, values, relations)


@transaction.atomic
def action_complete(*, action: Action) -> Action:
    """Mark an action completed, with the model's rules; one already completed is left as is."""
    if action.status != ActionStatus.COMPLETED:
        action.status = ActionStatus.COMPLETED
        action.full_clean()
        action.save()
    return action


@transaction.atomic
def figure_upsert(
    *,
    action: Action,
    metric: str,
    pes: Organisation | None,
    value: int,
    is_lower_bound: bool = False,
    note: str = "",
    version: int | None = None,
) -> tuple[Figure, bool]:
    """Set an action's figure for a metric and PES (None: unsplit). Returns it and whether it was
    created. The model's rules apply: one form per action, PES and metric; cohort limits.

    `version`: the version of the held figure the change was based on; StaleVersion when it
    was changed since, Figure.DoesNotExist when it is gone (None: no check, created if need be).
    The same figure sent twice at the same moment is created by one and updated by the other."""
    wanted = {"value": value, "is_lower_bound": is_lower_bound, "note": note}
    # Ordered by pk: the model's ordering (pes__name) would LEFT JOIN the nullable PES, and
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    held_figures = Figure.objects.filter(action=action, metric=metric, pes=pes).order_by("pk")
    held = held_figures.select_for_update().first()
    if held is None:
        if version is not None:
            raise Figure.DoesNotExist("The figure was deleted.")
        figure = Figure(action=action, metric=metric, pes=pes, **wanted)

        def create() -> None:
            figure.full_clean()
            figure.save()

        if created_unless_raced(create, held_figures.exists):
            return figure, True
        held = held_figures.select_for_update().get()
    check_version(held, version)
    if any(getattr(held, k) != v for k, v in wanted.items()):
        for name, field_value in wanted.items():
            setattr(held, name, field_value)
        held.full_clean()
        held.save()
    return held, False


# The audit trail keeps a reason of at most this many characters (the history's
# history_change_reason column).
DELETION_REASON_MAX_LENGTH = 100


def deletion_reason_checked(reason: str) -> str:
    """A deletion's reason as the history keeps it: stripped, at most 100 characters, no NUL
    (which PostgreSQL refuses); a ValidationError under `reason` otherwise."""
    reason = reason.strip()
    try:
        MaxLengthValidator(DELETION_REASON_MAX_LENGTH)(reason)
        ProhibitNullCharactersValidator()(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from error
    return reason


def delete_with_reason(
    obj: models.Model, *, reason: str, user: AbstractBaseUser | AnonymousUser | None
) -> None:
    """Delete a row already locked by the caller; its history's deletion record names the user
    and the reason."""
    obj._change_reason = reason or None  # type: ignore[attr-defined]
    if user is not None and user.is_authenticated:
        # Before the request's user: an API request authenticates by token, after middleware.
        obj._history_user = user  # type: ignore[attr-defined]
    obj.delete()


@transaction.atomic
def figure_delete(
    *,
    figure: Figure,
    reason: str,
    user: AbstractBaseUser | AnonymousUser | None,
    version: int | None = None,
) -> None:
    """Delete a figure entered by mistake, with the reason in its history; the reports count
    without it, and that PES's records of the metric may then be entered. Raises
    Figure.DoesNotExist when it is gone already (deleted at the same time by someone else), and
    StaleVersion when it was changed since `version` (None: no check)."""
    reason = deletion_reason_checked(reason)
    # Locked and read again: of two deletions at once, the second finds nothing. Ordered by pk
    # (see figure_upsert: no outer join under FOR UPDATE).
    held = Figure.objects.select_for_update().filter(pk=figure.pk).order_by("pk").first()
    if held is None:
        raise Figure.DoesNotExist("The figure was deleted already.")
    check_version(held, version)
    # A figure of a submitted or approved reporting period stays until the period is reopened.
    refusal = held.stored_period_refusal()
    if refusal:
        raise ValidationError(refusal)
    delete_with_reason(held, reason=reason, user=user)


@transaction.atomic
def action_copy(*, action: Action, start_date: datetime.date) -> Action:
    """A planned copy of an action on a new date, keeping its length and its descriptive data."""
    copy = Action.objects.get(pk=action.pk)
    length = (
        (action.end_date - action.start_date) if action.start_date and action.end_date else None
    )
    copy.pk = None
    copy._state.adding = True
    copy.reference = ""
    copy.status = ActionStatus.PLANNED
    # In every language: clearing `cancellation_reason` alone clears the active one's only.
    # The expected outcomes belong to the original's dates.
    for column in (*in_each_language("cancellation_reason"), *in_each_language("outcomes_note")):
        setattr(copy, column, "")
    copy.cancellation_reason = ""
    copy.outcomes_note = ""
    copy.outcomes_expected_on = None
    copy.start_date = start_date
    copy.end_date = start_date + length if length is not None else None
    copy.full_clean()
    copy.save()
    for name in ACTION_RELATIONS:
        getattr(copy, name).set(getattr(action, name).all())
    return copy


# Bulk pushes (the API's POST /figures/push/ and /participations/push/): up to PUSH_MAX_ITEMS
# records in one transaction, each found by its natural key and created, updated or left as it
# is; any problem refuses the whole push with every problem by the item's index. The rules are
# the models' (the same methods full_clean() asks), asked once per action rather than per item,
# and the records are written in bulk with their history and a new version each.

PUSH_MAX_ITEMS = 5000


class PushStatus(models.TextChoices):
    CREATED = "created", gettext_lazy("created")
    UPDATED = "updated", gettext_lazy("updated")
    UNCHANGED = "unchanged", gettext_lazy("unchanged")


@dataclass(frozen=True)
class ItemProblem:
    """Why an item of a push is refused: its index in the list (from 0; None for the push as a
    whole), the field at fault (`non_field_errors` for the item as a whole) and the message."""

    index: int | None
    field: str
    message: str


class PushRefused(Exception):
    """A push with problems: nothing of it was written."""

    def __init__(self, problems: list[ItemProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class PushOutcome:
    """What a push did with an item: the record (by id) and created, updated or unchanged."""

    index: int
    pk: int
    status: PushStatus


def same_items_problems(keys: Sequence[Hashable], *, field: str) -> list[ItemProblem]:
    """Each record once in a push: the second item with a key already sent is refused, naming
    the first (two items for one record would write it twice)."""
    first: dict[Hashable, int] = {}
    problems = []
    for index, key in enumerate(keys):
        if key in first:
            message = _(
                "Items %(first)s and %(second)s are the same record; send each record once."
            ) % {"first": first[key], "second": index}
            problems.append(ItemProblem(index, field, message))
        else:
            first.setdefault(key, index)
    return problems


def validation_problems(index: int, error: ValidationError) -> list[ItemProblem]:
    """A model's ValidationError as problems of one item, by field."""
    return [
        ItemProblem(index, "non_field_errors" if name == NON_FIELD_ERRORS else name, message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def changed_columns(model: type[models.Model], names: Iterable[str]) -> list[str]:
    """The columns a bulk UPDATE of these fields writes: the field's own, and for a translated
    text (modeltranslation) the active language's column, which save() writes through it."""
    translated: Collection[str] = (
        translator.get_options_for_model(model).all_fields
        if model in translator.get_registered_models()
        else ()
    )
    columns: list[str] = []
    for name in names:
        columns.append(name)
        if name in translated:
            columns.append(build_localized_fieldname(name, get_language()))
    return columns


def bulk_write(
    model: type[Versioned],
    *,
    created: list[Any],
    updated: list[Any],
    fields: Iterable[str],
    user: AbstractBaseUser | AnonymousUser | None,
) -> None:
    """Insert the new records and update the changed ones, each with its history entry; the
    changed ones move to their next version (the caller holds their rows locked, so the
    version it read is theirs) with a new update stamp, as save() gives them."""
    history_user = user if user is not None and user.is_authenticated else None
    if created:
        bulk_insert_with_history(created, model, user=history_user)
    if updated:
        now = timezone.now()
        for record in updated:
            record.version += 1
            record.updated_at = now
        bulk_change_with_history(
            updated,
            model,
            [*changed_columns(model, fields), "version", "updated_at"],
            user=history_user,
        )
    # Bulk writes send no model signals: the reports' rollups are told which actions changed.
    facts_written_for(getattr(record, "action_id", None) for record in [*created, *updated])


FIGURE_VALUE_FIELDS = ("value", "is_lower_bound", "note")
# The foreign keys of a pushed figure, resolved by the API: clean_fields() would ask each.
FIGURE_RESOLVED = ["action", "pes"]


class PushRules:
    """What the rules of a push's actions need to know (the questions Figure.clean and
    Participation.clean ask the action per record), asked on first use and once for the whole
    push: each reporting period once, each relation of the actions in one query for all."""

    def __init__(self, actions: Iterable[Action]) -> None:
        self.action_ids = [action.pk for action in actions]
        self._periods: dict[tuple[Any, ...], str | None] = {}
        self._windows: dict[int, tuple[datetime.date, datetime.date | None]] = {}
        self._with_records: dict[int, set[int]] | None = None
        self._with_figures: dict[int, set[int]] | None = None
        self._employers: dict[int, set[int]] | None = None
        self._figures_refusals: dict[tuple[int, int, str], str | None] = {}

    def period_refusal(self, action: Action, pes_id: int) -> str | None:
        """Action.period_refusal, once per project, semester and PES."""
        key = (action.project_id, action.year, action.semester, pes_id)
        if key not in self._periods:
            self._periods[key] = action.period_refusal([pes_id])
        return self._periods[key]

    def start_window(self, action: Action) -> tuple[datetime.date, datetime.date | None]:
        if action.pk not in self._windows:
            self._windows[action.pk] = action.start_window()
        return self._windows[action.pk]

    def pes_with_records(self, action: Action) -> set[int]:
        """Action.pes_with_records, for all the push's actions in one query."""
        if self._with_records is None:
            rows = Action.objects.filter(
                pk__in=self.action_ids, participations__isnull=False
            ).values_list("pk", "participations__pes_id")
            self._with_records = _grouped_ids(rows.order_by().distinct())
        return self._with_records.get(action.pk, set())

    def pes_with_figures(self, action: Action) -> set[int]:
        """Action.pes_with_figures, for all the push's actions in one query."""
        if self._with_figures is None:
            rows = Figure.objects.filter(
                action__in=self.action_ids, pes__isnull=False, metric__in=PARTICIPANT_METRICS
            ).values_list("action_id", "pes_id")
            self._with_figures = _grouped_ids(rows.order_by().distinct())
        return self._with_figures.get(action.pk, set())

    def employer_ids(self, action: Action) -> set[int]:
        """Action.employer_ids, for all the push's actions in one query."""
        if self._employers is None:
            rows = ActionEmployer.objects.filter(action__in=self.action_ids).values_list(
                "action_id", "organisation_id"
            )
            self._employers = _grouped_ids(rows.order_by())
        return self._employers.get(action.pk, set())

    def figures_refusal(self, action: Action, pes: Organisation, metric: str) -> str | None:
        """Action.figures_refusal, with what pes_with_records knows."""
        if metric not in PARTICIPANT_METRICS or pes.pk not in self.pes_with_records(action):
            return None
        # Only for a figure refused: the model's message, once per action, PES and metric.
        key = (action.pk, pes.pk, metric)
        if key not in self._figures_refusals:
            self._figures_refusals[key] = action.figures_refusal(pes, metric)
        return self._figures_refusals[key]


def _grouped_ids(rows: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    grouped: dict[int, set[int]] = {}
    for action_id, other_id in rows:
        grouped.setdefault(action_id, set()).add(other_id)
    return grouped


# What a pushed figure is set to when the item leaves it out (as FigureWriteSerializer's).
FIGURE_DEFAULTS: dict[str, Any] = {"is_lower_bound": False, "note": ""}


@transaction.atomic
def figures_push(
    *,
    items: Sequence[Mapping[str, Any]],
    user: AbstractBaseUser | AnonymousUser | None,
) -> list[PushOutcome]:
    """Set many figures at once, each like figure_upsert (an action, a metric and a PES, None
    for the unsplit remainder; its value, lower bound and note): created, updated or left
    unchanged, in the items' order. All or nothing: PushRefused with every problem when any
    item breaks a rule (Figure.clean's, asked per action: the reporting period, one form per
    action, PES and metric, the places of a guidance cohort). A fixed number of queries per
    action, whatever the number of items."""
    problems = same_items_problems(
        [(item["action"].pk, item["metric"], _pk(item.get("pes"))) for item in items],
        field="pes",
    )
    if problems:
        raise PushRefused(problems)
    actions = {item["action"].pk: item["action"] for item in items}
    # Locked until the push ends: a figure changed meanwhile waits, and is compared as it is.
    # Ordered by pk: no outer join to the nullable PES under FOR UPDATE (see figure_upsert).
    held = {
        (figure.action_id, figure.metric, figure.pes_id): figure
        for figure in Figure.objects.select_for_update()
        .filter(action__in=list(actions), metric__in={item["metric"] for item in items})
        .order_by("pk")
    }
    rules = PushRules(actions.values())
    written: list[tuple[int, Figure, PushStatus]] = []
    # The starts figures of guidance cohorts that change, with their stored values (0: new).
    starts: dict[int, list[tuple[int, Figure, int]]] = {}
    for index, item in enumerate(items):
        action, metric, pes = item["action"], item["metric"], item.get("pes")
        wanted = {"value": item["value"], **FIGURE_DEFAULTS}
        wanted.update((name, item[name]) for name in FIGURE_DEFAULTS if name in item)
        figure = held.get((action.pk, metric, _pk(pes)))
        stored = figure.value if figure is not None else 0
        if figure is None:
            figure = Figure(action=action, metric=metric, pes=pes, **wanted)
            status = PushStatus.CREATED
        elif any(getattr(figure, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(figure, name, value)
            status = PushStatus.UPDATED
        else:
            written.append((index, figure, PushStatus.UNCHANGED))
            continue
        written.append((index, figure, status))
        problems.extend(_figure_problems(index, figure, rules))
        if metric == Metric.STARTS and action.limits_places:
            starts.setdefault(action.pk, []).append((index, figure, stored))
    for action_pk, figures in starts.items():
        problems.extend(_places_problems(actions[action_pk], figures))
    if problems:
        raise PushRefused(problems)
    bulk_write(
        Figure,
        created=[figure for _i, figure, status in written if status == PushStatus.CREATED],
        updated=[figure for _i, figure, status in written if status == PushStatus.UPDATED],
        fields=FIGURE_VALUE_FIELDS,
        user=user,
    )
    if any(status != PushStatus.UNCHANGED for _i, _figure, status in written):
        # Bulk writes send no signals: the API's cached pages of the actions are out of date.
        bump_data_version()
    return [PushOutcome(index, figure.pk, status) for index, figure, status in written]


def _pk(obj: models.Model | None) -> int | None:
    return obj.pk if obj is not None else None


def _figure_problems(index: int, figure: Figure, rules: PushRules) -> list[ItemProblem]:
    """Figure.clean's rules but the cohort's places (asked for all the action's items at once),
    with what `rules` knows of the actions."""
    try:
        figure.clean_fields(exclude=FIGURE_RESOLVED)
    except ValidationError as error:
        return validation_problems(index, error)
    # An unsplit figure belongs to no PES's reporting period.
    if figure.pes is None:
        return []
    refusal = rules.period_refusal(figure.action, figure.pes.pk)
    if refusal:
        return [ItemProblem(index, "action", refusal)]
    if figure.metric in EMPLOYER_METRICS:
        message = _("Employers, agencies and vacancies belong to no PES: leave it empty.")
        return [ItemProblem(index, "pes", message)]
    refusal = rules.figures_refusal(figure.action, figure.pes, figure.metric)
    return [ItemProblem(index, "pes", refusal)] if refusal else []


def _places_problems(action: Action, figures: list[tuple[int, Figure, int]]) -> list[ItemProblem]:
    """The places of a guidance cohort with the pushed starts figures (index, figure, its
    stored value: 0 for a new one), as Action.places_refusal tells for each in Figure.clean:
    the first figure that fills the cohort beyond its limit is refused. Two queries."""
    taken = action.places_taken() - sum(stored for _index, _figure, stored in figures)
    for index, figure, _stored in figures:
        refusal = action.places_refusal(figure.value, taken=taken, by_figure=True)
        if refusal:
            return [ItemProblem(index, "value", refusal)]
        taken += figure.value
    return []


# Employers present at an action and the jobs offered there: the API's writes of them. Neither
# belongs to a PES, so no reporting period locks them (like an unsplit figure); their rules span
# the action, whose row each write locks so that two writes for one action take turns.


def _locked_action(action: Action) -> Action:
    """The action's row, locked until the transaction ends (Action.DoesNotExist when gone)."""
    return Action.objects.select_for_update().get(pk=action.pk)


def action_hires_counted(action: Action) -> tuple[int, bool]:
    """The action's hires as its figures (every PES and unsplit) and participation records count
    them, and whether a figure makes that a lower bound ("more than"). Two queries."""
    hired = REGISTRY[Metric.HIRES].record
    assert hired is not None
    figures = action.figures.filter(metric=Metric.HIRES).aggregate(
        total=Sum("value"), lower=Count("pk", filter=Q(is_lower_bound=True))
    )
    records = action.participations.filter(hired.condition()).count()
    return (figures["total"] or 0) + records, bool(figures["lower"])


def employer_hires_refusal(employer: ActionEmployer) -> dict[str, str]:
    """Why the hires given at this employer present are implausible, by field: a number of days
    without hires to count, or more hires at the action's employers together than the action's
    figures and records count (unless those are a lower bound). Empty when plausible."""
    if employer.hired_within_days is not None and not employer.hires:
        return {
            "hired_within_days": _(
                "Give the hires it counts too: the days say how soon they were hired."
            )
        }
    if not employer.hires:
        return {}
    others = (
        ActionEmployer.objects.filter(action=employer.action_id)
        .exclude(pk=employer.pk)
        .aggregate(total=Sum("hires"))["total"]
        or 0
    )
    counted, lower_bound = action_hires_counted(employer.action)
    total = others + employer.hires
    if lower_bound or total <= counted:
        return {}
    return {
        "hires": ngettext(
            "The action's employers would have hired %(total)s jobseekers, more than the "
            "%(counted)s hire its figures and participation records count: send the action's "
            "hires first.",
            "The action's employers would have hired %(total)s jobseekers, more than the "
            "%(counted)s hires its figures and participation records count: send the action's "
            "hires first.",
            counted,
        )
        % {"total": total, "counted": counted}
    }


def _action_employer_save(employer: ActionEmployer, *, hires_given: bool = True) -> ActionEmployer:
    """Save with the model's rules and, when its hires or days are given, their plausibility: a
    change of the vacancies only is not refused for hires that became implausible since (a
    figure lowered), which only a change of the hires can put right."""
    employer.full_clean()
    refusal = employer_hires_refusal(employer) if hires_given else None
    if refusal:
        raise ValidationError(refusal)
    employer.save()
    return employer


@transaction.atomic
def action_employer_create(
    *,
    action: Action,
    organisation: Organisation,
    vacancies: int | None = None,
    hires: int | None = None,
    hired_within_days: int | None = None,
) -> ActionEmployer:
    """A company or temporary-work agency present at an action, with the vacancies it brought
    and the jobseekers of the action it hired (employer_hires_refusal says what is plausible).
    One per action and organisation: a second is a ValidationError."""
    employer = ActionEmployer(
        action=_locked_action(action),
        organisation=organisation,
        vacancies=vacancies,
        hires=hires,
        hired_within_days=hired_within_days,
    )
    return _action_employer_save(employer)


# What a change of an employer present may set: its action and organisation identify it.
ACTION_EMPLOYER_CHANGEABLE = ("vacancies", "hires", "hired_within_days")


@transaction.atomic
def action_employer_update(*, employer: ActionEmployer, **values: Any) -> ActionEmployer:
    """Change the vacancies, hires or days given of an employer present (the fields not given
    stay as they are now, read under the lock: two changes of different fields both hold).
    ActionEmployer.DoesNotExist when it was deleted meanwhile."""
    unknown = set(values) - set(ACTION_EMPLOYER_CHANGEABLE)
    if unknown:
        raise TypeError(f"not a field an employer present may change: {sorted(unknown)}")
    _locked_action(employer.action)
    held = ActionEmployer.objects.select_for_update().order_by("pk").get(pk=employer.pk)
    for name, value in values.items():
        setattr(held, name, value)
    return _action_employer_save(
        held, hires_given=bool({"hires", "hired_within_days"} & set(values))
    )


@transaction.atomic
def action_employer_delete(
    *,
    employer: ActionEmployer,
    reason: str,
    user: AbstractBaseUser | AnonymousUser | None,
) -> None:
    """Remove an employer present (entered by mistake), with the reason in its history; the
    reports count the action's companies, agencies and vacancies without it. Refused while a
    participation record names it as the employer who hired, or a job offered at the action is
    its: those would name an employer who was not there. ActionEmployer.DoesNotExist when it is
    gone already."""
    reason = deletion_reason_checked(reason)
    action = _locked_action(employer.action)
    held = ActionEmployer.objects.select_for_update().filter(pk=employer.pk).order_by("pk").first()
    if held is None:
        raise ActionEmployer.DoesNotExist("The employer present was deleted already.")
    hires = action.participations.filter(hired_by=held.organisation_id).count()
    offers = action.job_offers.filter(employer=held.organisation_id).count()
    refusals = []
    if hires:
        refusals.append(
            ngettext(
                "%(count)s participation record of the action names it as the employer who "
                "hired: change it first.",
                "%(count)s participation records of the action name it as the employer who "
                "hired: change them first.",
                hires,
            )
            % {"count": hires}
        )
    if offers:
        refusals.append(
            ngettext(
                "%(count)s job offered at the action is its: change or delete it first.",
                "%(count)s jobs offered at the action are its: change or delete them first.",
                offers,
            )
            % {"count": offers}
        )
    if refusals:
        raise ValidationError(refusals)
    delete_with_reason(held, reason=reason, user=user)


def job_offer_employer_refusal(offer: JobOffer) -> str | None:
    """Why the job's employer cannot offer it at the action: it was not present there. None when
    it was, or when the job is the action's own (no employer). One query."""
    if offer.employer_id is None:
        return None
    return offer.action.hire_refusal(offer.employer_id)


def _job_offer_save(offer: JobOffer) -> JobOffer:
    # Before full_clean, which would say only that the default language's title is blank.
    if not any(getattr(offer, name) for name in in_each_language("title")):
        raise ValidationError({"title": _("Give the job's title, in one language at least.")})
    offer.full_clean()
    refusal = job_offer_employer_refusal(offer)
    if refusal:
        raise ValidationError({"employer": refusal})
    offer.save()
    return offer


# What a job offered may be given and changed: its title in each language, its employer and the
# number of positions. Its action identifies it.
JOB_OFFER_FIELDS = (*in_each_language("title"), "employer", "positions")


def _check_job_offer_fields(values: dict[str, Any]) -> None:
    unknown = set(values) - set(JOB_OFFER_FIELDS)
    if unknown:
        raise TypeError(f"not a field of a job offered: {sorted(unknown)}")


@transaction.atomic
def job_offer_create(*, action: Action, **values: Any) -> JobOffer:
    """A job shown or offered at an action: its title (in one language at least), by one of the
    employers present or by the action itself (no employer), with its number of positions."""
    _check_job_offer_fields(values)
    offer = JobOffer(action=_locked_action(action))
    for name, value in values.items():
        setattr(offer, name, value)
    return _job_offer_save(offer)


@transaction.atomic
def job_offer_update(*, offer: JobOffer, **values: Any) -> JobOffer:
    """Change the fields given of a job offered (the others stay as they are now, read under the
    lock). JobOffer.DoesNotExist when it was deleted meanwhile."""
    _check_job_offer_fields(values)
    _locked_action(offer.action)
    held = JobOffer.objects.select_for_update().order_by("pk").get(pk=offer.pk)
    for name, value in values.items():
        setattr(held, name, value)
    return _job_offer_save(held)


@transaction.atomic
def job_offer_delete(
    *, offer: JobOffer, reason: str, user: AbstractBaseUser | AnonymousUser | None
) -> None:
    """Remove a job offered (entered by mistake), with the reason in its history.
    JobOffer.DoesNotExist when it is gone already."""
    reason = deletion_reason_checked(reason)
    held = JobOffer.objects.select_for_update().filter(pk=offer.pk).order_by("pk").first()
    if held is None:
        raise JobOffer.DoesNotExist("The job offered was deleted already.")
    delete_with_reason(held, reason=reason, user=user)
