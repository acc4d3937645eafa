"""Tombstones for every deletion of a record the API lists, whichever path deletes it: a
service, the admin (one record or its bulk "delete selected", a QuerySet.delete()), or a cascade
(deleting an action deletes its figures, employers present, jobs offered and participation
records, and each of them gets its tombstone). A post_delete receiver is the one place all of
those pass through: Django's deletion collector sends it for every row it deletes, cascades
included, and only skips signals for models that have no receiver. The tombstone is written in
the deleting transaction, so a rolled-back delete leaves none.

Each record's natural key is written in the API's words (an action's reference, slugs), read
while the deleted row's parents still exist: the collector deletes the dependent rows first.
Personal records keep no personal data in their tombstone: a jobseeker's is named by its PES
only (its reference at the PES is personal), a participation by its action and jobseeker id.

One more receiver keeps the erasure of a jobseeker visible to a sync of the participation
records, which show the jobseeker's reference: see `participations_touch_on_erasure`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from actions.models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector
from participants.models import Jobseeker, Participation
from projects.models import (
    BorderOfficePair,
    Indicator,
    Office,
    Organisation,
    Programme,
    Project,
    ReportingPeriod,
)

from .models import Tombstone


def _slug(model: type[Model], pk: int | None) -> str | None:
    if pk is None:
        return None
    slug: str | None = model._default_manager.filter(pk=pk).values_list("slug", flat=True).first()
    return slug


def _action(action_id: int) -> tuple[str | None, int | None]:
    """The reference and project id of an action (None, None once it is gone)."""
    row = Action.objects.filter(pk=action_id).values_list("reference", "project_id").first()
    return row if row is not None else (None, None)


class Scope:
    """What a tombstone keeps of its record: the natural key and the scope ids."""

    def __init__(
        self,
        natural_key: dict[str, Any],
        *,
        pes_id: int | None = None,
        project_id: int | None = None,
    ) -> None:
        self.natural_key = natural_key
        self.pes_id = pes_id
        self.project_id = project_id


def _by_slug(instance: Any) -> Scope:
    return Scope({"slug": instance.slug})


def _action_scope(action: Action) -> Scope:
    return Scope({"reference": action.reference}, project_id=action.project_id)


def _figure_scope(figure: Figure) -> Scope:
    reference, project_id = _action(figure.action_id)
    key = {"action": reference, "metric": figure.metric, "pes": _slug(Organisation, figure.pes_id)}
    return Scope(key, pes_id=figure.pes_id, project_id=project_id)


def _employer_scope(employer: ActionEmployer) -> Scope:
    reference, project_id = _action(employer.action_id)
    organisation = _slug(Organisation, employer.organisation_id)
    return Scope({"action": reference, "organisation": organisation}, project_id=project_id)


def _job_offer_scope(offer: JobOffer) -> Scope:
    reference, project_id = _action(offer.action_id)
    key = {
        "action": reference,
        "title": offer.title,
        "employer": _slug(Organisation, offer.employer_id),
    }
    return Scope(key, project_id=project_id)


def _jobseeker_scope(jobseeker: Jobseeker) -> Scope:
    return Scope({"pes": _slug(Organisation, jobseeker.pes_id)}, pes_id=jobseeker.pes_id)


def _participation_scope(participation: Participation) -> Scope:
    reference, project_id = _action(participation.action_id)
    key = {"action": reference, "jobseeker": participation.jobseeker_id}
    return Scope(key, pes_id=participation.pes_id, project_id=project_id)


def _indicator_scope(indicator: Indicator) -> Scope:
    return Scope({"code": indicator.code})


def _pair_scope(pair: BorderOfficePair) -> Scope:
    key = {
        "office": _slug(Office, pair.office_id),
        "partner_office": _slug(Office, pair.partner_office_id),
    }
    return Scope(key)


def _period_scope(period: ReportingPeriod) -> Scope:
    key = {
        "project": _slug(Project, period.project_id),
        "year": period.year,
        "semester": period.semester,
        "pes": _slug(Organisation, period.pes_id),
    }
    return Scope(key, pes_id=period.pes_id, project_id=period.project_id)


# Every model an API list shows, with what its tombstone keeps. A model listed by a new endpoint
# is added here (tests/sync/test_tombstones.py checks that every list's model is).
SCOPES: dict[type[Model], Callable[[Any], Scope]] = {
    Action: _action_scope,
    Figure: _figure_scope,
    ActionEmployer: _employer_scope,
    JobOffer: _job_offer_scope,
    Sector: _by_slug,
    Certificate: _by_slug,
    Jobseeker: _jobseeker_scope,
    Participation: _participation_scope,
    Programme: _by_slug,
    Project: _by_slug,
    Organisation: _by_slug,
    Office: _by_slug,
    BorderOfficePair: _pair_scope,
    Indicator: _indicator_scope,
    ReportingPeriod: _period_scope,
}


def tombstone_record(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """post_delete: the deleted record's tombstone."""
    scope = SCOPES[sender](instance)
    Tombstone.objects.create(
        model=sender._meta.label_lower,
        object_id=instance.pk,
        natural_key=scope.natural_key,
        pes_id=scope.pes_id,
        project_id=scope.project_id,
    )


def participations_touch_on_erasure(
    sender: type[Jobseeker], instance: Jobseeker, **kwargs: Any
) -> None:
    """post_save of an erased jobseeker: its participation records show its reference, which
    erasure blanks, so they count as changed too and a sync sends them again without it.
    Only those not touched since the jobseeker's save: saving an erased record again (rare)
    costs one UPDATE that finds nothing to change."""
    if instance.erased_at is None:
        return
    Participation.objects.filter(
        jobseeker_id=instance.pk, updated_at__lt=instance.updated_at
    ).update(updated_at=timezone.now())


def connect() -> None:
    """Called once, from the app's ready()."""
    for model in SCOPES:
        post_delete.connect(
            tombstone_record, sender=model, dispatch_uid=f"sync-tombstone-{model._meta.label}"
        )
    post_save.connect(
        participations_touch_on_erasure, sender=Jobseeker, dispatch_uid="sync-erasure-touch"
    )
