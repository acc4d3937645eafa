"""Writes of jobseekers and participation: used by the admin imports, the API and commands.
Each checks the model's rules (full_clean) before it saves."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from actions.models import Action
from actions.services import (
    ItemProblem,
    PushOutcome,
    PushRefused,
    PushRules,
    PushStatus,
    bulk_write,
    delete_with_reason,
    deletion_reason_checked,
    same_items_problems,
    validation_problems,
)
from crossborder.core.versions import check_version, created_unless_raced, lock_current
from projects.models import Organisation

from .models import Jobseeker, Participation, normalise_ref

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


# What a write of a jobseeker sets besides its PES and reference. The special categories are
# written only by callers that checked access.can_read_special_categories (the API, the
# imports, the admin): the services take what they are given.
JOBSEEKER_FIELDS: tuple[str, ...] = Jobseeker.DESCRIBING_FIELDS + Jobseeker.SENSITIVE_FIELDS


def _check_fields(kind: str, values: dict[str, Any], known: Collection[str]) -> None:
    unknown = set(values) - set(known)
    if unknown:
        raise TypeError(f"unknown {kind} fields: {', '.join(sorted(unknown))}")


def _apply(obj: models.Model, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@transaction.atomic
def jobseeker_upsert(
    *, pes: Organisation, external_ref: str, **values: Any
) -> tuple[Jobseeker, bool]:
    """Create the PES's jobseeker with this reference, or update it: pushing a list again makes
    no duplicates; the reference is compared without case and surrounding spaces. Returns the
    jobseeker and whether it was created. The same jobseeker pushed twice at the same moment is
    created by one push and updated by the other."""
    _check_fields("jobseeker", values, JOBSEEKER_FIELDS)
    external_ref = normalise_ref(external_ref)
    same = Jobseeker.objects.filter(pes=pes, external_ref=external_ref)
    held = same.select_for_update().first() if external_ref else None
    if held is None:
        jobseeker = Jobseeker(pes=pes, external_ref=external_ref)
        _apply(jobseeker, values)

        def create() -> None:
            jobseeker.full_clean()
            jobseeker.save()

        # Without a reference there is nothing another push could have created.
        if created_unless_raced(create, lambda: bool(external_ref) and same.exists()):
            return jobseeker, True
        held = same.select_for_update().get()
    if _apply(held, values):
        held.full_clean()
        held.save()
    return held, False


@transaction.atomic
def jobseeker_update(
    *, jobseeker: Jobseeker, version: int | None = None, **values: Any
) -> Jobseeker:
    """Change what describes a jobseeker, or their reference at the PES (the PES stays). The
    data of an erased jobseeker stays erased. `version`: the version the change was based on;
    StaleVersion when the jobseeker was changed since (None: no check)."""
    _check_fields("jobseeker", values, ("external_ref", *JOBSEEKER_FIELDS))
    lock_current(jobseeker, version)
    if jobseeker.erased_at:
        raise ValidationError(_("This jobseeker's data was erased; it cannot be changed."))
    if "external_ref" in values:
        values["external_ref"] = normalise_ref(values["external_ref"])
    if _apply(jobseeker, values):
        jobseeker.full_clean()
        jobseeker.save()
    return jobseeker


@transaction.atomic
def participation_upsert(
    *,
    action: Action,
    jobseeker: Jobseeker,
    status: str,
    started_on: datetime.date | None = None,
    version: int | None = None,
    **values: Any,
) -> tuple[Participation, bool]:
    """Record a jobseeker's participation in an action, or update it. Returns it and whether it
    was created. `version`: the version of the held record the change was based on;
    StaleVersion when it was changed since, Participation.DoesNotExist when it is gone (None:
    no check, created if need be). The same record sent twice at the same moment is created
    by one and updated by the other."""
    _check_fields("participation", values, Participation.WRITTEN_FIELDS)
    wanted = {"status": status, "started_on": started_on, **values}
    same = Participation.objects.filter(action=action, jobseeker=jobseeker)
    held = same.select_for_update().first()
    if held is None:
        if version is not None:
            raise Participation.DoesNotExist("The participation record was deleted.")
        participation = Participation(action=action, jobseeker=jobseeker)
        _apply(participation, wanted)

        def create() -> None:
            participation.full_clean()
            participation.save()

        if created_unless_raced(create, same.exists):
            return participation, True
        held = same.select_for_update().get()
    check_version(held, version)
    if _apply(held, wanted):
        held.full_clean()
        held.save()
    return held, False


@transaction.atomic
def participation_delete(
    *,
    participation: Participation,
    reason: str,
    user: AbstractBaseUser | AnonymousUser | None,
    version: int | None = None,
) -> None:
    """Delete a participation record entered by mistake, with the reason in its history; the
    reports count without it. Raises Participation.DoesNotExist when it is gone already
    (deleted at the same time by someone else), and StaleVersion when it was changed since
    `version` (None: no check)."""
    reason = deletion_reason_checked(reason)
    # Locked and read again: of two deletions at once, the second finds nothing.
    held = Participation.objects.select_for_update().filter(pk=participation.pk).order_by("pk")
    record = held.first()
    if record is None:
        raise Participation.DoesNotExist("The participation record was deleted already.")
    check_version(record, version)
    # A record of a submitted or approved reporting period stays until the period is reopened.
    refusal = record.stored_period_refusal()
    if refusal:
        raise ValidationError(refusal)
    delete_with_reason(record, reason=reason, user=user)


# The foreign keys of a pushed record, resolved by the API (the action, the jobseeker with its
# PES, the employer and certificate): clean_fields() would ask each with a query.
PARTICIPATION_RESOLVED = ["action", "jobseeker", "pes", "hired_by", "certificate"]
# The outcome fields that name a record by its id, compared and set by it (hired_by_id).
PARTICIPATION_RELATED = ("hired_by", "certificate")


@transaction.atomic
def participations_push(
    *,
    items: Sequence[Mapping[str, Any]],
    user: AbstractBaseUser | AnonymousUser | None,
) -> list[PushOutcome]:
    """Record many jobseekers' participation at once, each like participation_upsert (an action
    and a jobseeker; the status, the start and the other fields given, the start None when
    not given): created, updated or left unchanged, in the items' order. All or nothing:
    PushRefused with every problem when any item breaks a rule (Participation.clean's, asked per
    action: the reporting period, records or figures per PES, the start window, the age, the
    employer who hired, the places of a guidance cohort). A fixed number of queries per action,
    whatever the number of items."""
    problems = same_items_problems(
        [(item["action"].pk, item["jobseeker"].pk) for item in items], field="jobseeker"
    )
    if problems:
        raise PushRefused(problems)
    actions = {item["action"].pk: item["action"] for item in items}
    # Locked until the push ends: a record changed meanwhile waits, and is compared as it is.
    held = {
        (record.action_id, record.jobseeker_id): record
        for record in Participation.objects.select_for_update().filter(
            action__in=list(actions), jobseeker__in={item["jobseeker"].pk for item in items}
        )
    }
    rules = PushRules(actions.values())
    written: list[tuple[int, Participation, PushStatus]] = []
    # The records of guidance cohorts that start, or no longer start.
    starts: dict[int, list[tuple[int, Participation]]] = {}
    for index, item in enumerate(items):
        action, jobseeker = item["action"], item["jobseeker"]
        wanted = _wanted_columns(item)
        record = held.get((action.pk, jobseeker.pk))
        had_started = record is not None and record.has_started
        if record is None:
            # bulk_create skips save(), which copies the jobseeker's PES.
            record = Participation(action=action, jobseeker=jobseeker, pes_id=jobseeker.pes_id)
            status = PushStatus.CREATED
        elif any(getattr(record, column) != value for column, value in wanted.items()):
            status = PushStatus.UPDATED
        else:
            written.append((index, record, PushStatus.UNCHANGED))
            continue
        for column, value in wanted.items():
            setattr(record, column, value)
        # The action and the jobseeker the items named, which the rules read.
        record.action, record.jobseeker = action, jobseeker
        written.append((index, record, status))
        problems.extend(_record_problems(index, record, rules))
        if action.limits_places and record.has_started != had_started:
            starts.setdefault(action.pk, []).append((index, record))
    for action_pk, records in starts.items():
        problems.extend(_places_problems(actions[action_pk], records))
    if problems:
        raise PushRefused(problems)
    changed = {column.removesuffix("_id") for item in items for column in _wanted_columns(item)}
    bulk_write(
        Participation,
        created=[record for _i, record, status in written if status == PushStatus.CREATED],
        updated=[record for _i, record, status in written if status == PushStatus.UPDATED],
        fields=sorted(changed),
        user=user,
    )
    return [PushOutcome(index, record.pk, status) for index, record, status in written]


def _wanted_columns(item: Mapping[str, Any]) -> dict[str, Any]:
    """What an item sets, by column: the status, the start (None when not given) and the
    other fields it gives (Participation.WRITTEN_FIELDS), a related record by its id."""
    wanted = {"status": item["status"], "started_on": item.get("started_on")}
    for name in Participation.WRITTEN_FIELDS:
        if name in item and name not in wanted:
            if name in PARTICIPATION_RELATED:
                wanted[f"{name}_id"] = item[name].pk if item[name] is not None else None
            else:
                wanted[name] = item[name]
    return wanted


def _record_problems(index: int, record: Participation, rules: PushRules) -> list[ItemProblem]:
    """Participation.clean's rules but the cohort's places (asked for all the action's items at
    once), with what `rules` knows of the actions."""
    action, jobseeker = record.action, record.jobseeker
    refusal = rules.period_refusal(action, jobseeker.pes_id)
    if refusal:
        return [ItemProblem(index, "action", refusal)]
    errors: dict[str, list[str]] = {}
    try:
        record.clean_fields(exclude=PARTICIPATION_RESOLVED)
    except ValidationError as error:
        errors = error.message_dict
    for name, message in record.rule_errors().items():
        errors.setdefault(name, []).append(str(message))
    if errors:
        return validation_problems(index, ValidationError(errors))
    # Participation.action_errors, in its order, with what `rules` knows.
    refusal = action.records_refusal(jobseeker.pes, pes_with_figures=rules.pes_with_figures(action))
    if refusal:
        return [ItemProblem(index, "jobseeker", refusal)]
    problems = []
    if record.started_on:
        refusal = action.start_refusal(record.started_on, window=rules.start_window(action))
        if refusal:
            problems.append(ItemProblem(index, "started_on", refusal))
    refusal = action.age_refusal(jobseeker.birth_year)
    if refusal:
        problems.append(ItemProblem(index, "jobseeker", refusal))
    if record.hired_by_id:
        refusal = action.hire_refusal(record.hired_by_id, employer_ids=rules.employer_ids(action))
        if refusal:
            problems.append(ItemProblem(index, "hired_by", refusal))
    return problems


def _places_problems(action: Action, records: list[tuple[int, Participation]]) -> list[ItemProblem]:
    """The places of a guidance cohort with the pushed records that start or no longer start,
    as Action.places_refusal tells for each in Participation.clean: the first record that fills
    the cohort beyond its limit is refused. Two queries."""
    # The places freed first: a push that moves a jobseeker out and another in fits.
    taken = action.places_taken() - sum(1 for _index, record in records if not record.has_started)
    for index, record in records:
        if not record.has_started:
            continue
        refusal = action.places_refusal(1, taken=taken)
        if refusal:
            return [ItemProblem(index, "action", refusal)]
        taken += 1
    return []
