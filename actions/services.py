"""Writes of actions' aggregate figures: used by the admin imports, the API and commands."""

from __future__ import annotations

import datetime

from django.db import transaction

from crossborder.core.vocabulary import ActionStatus
from projects.models import Organisation

from .models import Action, Figure


@transaction.atomic
def figure_upsert(
    *,
    action: Action,
    metric: str,
    pes: Organisation | None,
    value: int,
    is_lower_bound: bool = False,
    note: str = "",
) -> tuple[Figure, bool]:
    """Set an action's figure for a metric and PES (None: unsplit). Returns it and whether it was
    created. The model's rules apply: one form per action, PES and metric; cohort limits."""
    # Ordered by pk: the model's ordering (pes__name) would LEFT JOIN the nullable PES, and
    # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    figure = (
        Figure.objects.select_for_update()
        .filter(action=action, metric=metric, pes=pes)
        .order_by("pk")
        .first()
    )
    created = figure is None
    if created:
        figure = Figure(action=action, metric=metric, pes=pes)
    wanted = {"value": value, "is_lower_bound": is_lower_bound, "note": note}
    if created or any(getattr(figure, k) != v for k, v in wanted.items()):
        for name, field_value in wanted.items():
            setattr(figure, name, field_value)
        figure.full_clean()
        figure.save()
    return figure, created


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
