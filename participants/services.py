"""Writes of jobseekers and participation: used by the admin imports, the API and commands."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from actions.models import Action
from projects.models import Organisation

from .models import Jobseeker, Participation

JOBSEEKER_FIELDS = ("given_name", "family_name", "birth_year", "education_level", "is_refugee")
PARTICIPATION_FIELDS = (
    "status",
    "started_on",
    "completed_on",
    "placed_on",
    "hired_on",
    "hired_by",
    "certified_on",
    "certificate",
)


def _apply(obj: Any, values: dict[str, Any]) -> bool:
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
    no duplicates. Returns the jobseeker and whether it was created."""
    unknown = set(values) - set(JOBSEEKER_FIELDS)
    if unknown:
        raise TypeError(f"unknown jobseeker fields: {', '.join(sorted(unknown))}")
    external_ref = external_ref.strip()
    jobseeker = (
        Jobseeker.objects.select_for_update().filter(pes=pes, external_ref=external_ref).first()
        if external_ref
        else None
    )
    created = jobseeker is None
    if created:
        jobseeker = Jobseeker(pes=pes, external_ref=external_ref)
    if _apply(jobseeker, values) or created:
        jobseeker.full_clean()
        jobseeker.save()
    return jobseeker, created


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
    unknown = set(values) - set(PARTICIPATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown participation fields: {', '.join(sorted(unknown))}")
    participation = (
        Participation.objects.select_for_update().filter(action=action, jobseeker=jobseeker).first()
    )
    created = participation is None
    if created:
        participation = Participation(action=action, jobseeker=jobseeker)
    if _apply(participation, {"status": status, "started_on": started_on, **values}) or created:
        participation.full_clean()
        participation.save()
    return participation, created
