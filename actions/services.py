"""Writes of actions and their aggregate figures: used by the admin, the imports, the API and
commands. Each checks the model's rules (full_clean) before it saves."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models, transaction

from crossborder.core.periods import semester_of
from crossborder.core.versions import check_version, created_unless_raced, lock_current
from crossborder.core.vocabulary import ActionStatus
from projects.models import Office, Organisation

from .models import Action, Certificate, Figure

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The many-to-many fields of an action: set after its row is saved.
ACTION_RELATIONS = ("offices", "organisers", "certificates")


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
    **values: Any,
) -> Action:
    """A new action with these field values (year and semester follow the start date when there
    is one) and its offices, organisers and certificates."""
    relations = {"offices": offices, "organisers": organisers, "certificates": certificates}
    return _action_save(Action(), values, relations)


@transaction.atomic
def action_update(
    *,
    action: Action,
    offices: Iterable[Office] | None = None,
    organisers: Iterable[Organisation] | None = None,
    certificates: Iterable[Certificate] | None = None,
    version: int | None = None,
    **values: Any,
) -> Action:
    """Change the fields given (year and semester follow the start date when there is one) and
    the many-to-many relations given (None: left as they are). `version`: the version the change
    was based on; StaleVersion when the action was changed since (None: no check)."""
    relations = {"offices": offices, "organisers": organisers, "certificates": certificates}
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
    copy.cancellation_reason = ""
    copy.start_date = start_date
    copy.end_date = start_date + length if length is not None else None
    copy.full_clean()
    copy.save()
    copy.organisers.set(action.organisers.all())
    copy.offices.set(action.offices.all())
    copy.certificates.set(action.certificates.all())
    return copy
