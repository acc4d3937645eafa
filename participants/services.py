"""Writes of jobseekers and participation: used by the admin imports, the API and commands.
Each checks the model's rules (full_clean) before it saves."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from actions.models import Action
from actions.services import delete_with_reason, deletion_reason_checked
from crossborder.core.versions import check_version, created_unless_raced, lock_current
from projects.models import Organisation

from .models import Jobseeker, Participation, normalise_ref

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


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
    _check_fields("jobseeker", values, Jobseeker.DESCRIBING_FIELDS)
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
    _check_fields("jobseeker", values, ("external_ref", *Jobseeker.DESCRIBING_FIELDS))
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
    _check_fields("participation", values, Participation.OUTCOME_FIELDS)
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
