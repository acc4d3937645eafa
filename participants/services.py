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
    jobseeker and whether it was created."""
    _check_fields("jobseeker", values, Jobseeker.DESCRIBING_FIELDS)
    external_ref = normalise_ref(external_ref)
    held = (
        Jobseeker.objects.select_for_update().filter(pes=pes, external_ref=external_ref).first()
        if external_ref
        else None
    )
    created = held is None
    jobseeker = Jobseeker(pes=pes, external_ref=external_ref) if held is None else held
    if _apply(jobseeker, values) or created:
        jobseeker.full_clean()
        jobseeker.save()
    return jobseeker, created


@transaction.atomic
def jobseeker_update(*, jobseeker: Jobseeker, **values: Any) -> Jobseeker:
    """Change what describes a jobseeker, or their reference at the PES (the PES stays). The
    data of an erased jobseeker stays erased."""
    _check_fields("jobseeker", values, ("external_ref", *Jobseeker.DESCRIBING_FIELDS))
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
    **values: Any,
) -> tuple[Participation, bool]:
    """Record a jobseeker's participation in an action, or update it. Returns it and whether it
    was created."""
    _check_fields("participation", values, Participation.OUTCOME_FIELDS)
    held = (
        Participation.objects.select_for_update().filter(action=action, jobseeker=jobseeker).first()
    )
    created = held is None
    participation = Participation(action=action, jobseeker=jobseeker) if held is None else held
    if _apply(participation, {"status": status, "started_on": started_on, **values}) or created:
        participation.full_clean()
        participation.save()
    return participation, created


@transaction.atomic
def participation_delete(
    *,
    participation: Participation,
    reason: str,
    user: AbstractBaseUser | AnonymousUser | None,
) -> None:
    """Delete a participation record entered by mistake, with the reason in its history; the
    reports count without it. Raises Participation.DoesNotExist when it is gone already
    (deleted at the same time by someone else)."""
    reason = deletion_reason_checked(reason)
    # Locked and read again: of two deletions at once, the second finds nothing.
    held = Participation.objects.select_for_update().filter(pk=participation.pk).order_by("pk")
    record = held.first()
    if record is None:
        raise Participation.DoesNotExist("The participation record was deleted already.")
    delete_with_reason(record, reason=reason, user=user)
