"""Writing the read audit, reading it for a person, and its retention: the only paths to it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import QuerySet

from projects import access

from .models import ReadEvent, ReadEventJobseeker, ReadKind

if TYPE_CHECKING:
    from projects.access import User

# Rows of the link table a query inserts at most: 2 parameters a row stays far below
# PostgreSQL's 65,535 (SQLite's backend batches by its own limit of 999 parameters).
_BATCH = 10_000
SUPERUSER = "superuser"


def role_of(user: User) -> str:
    """The reader's role as the audit keeps it: "superuser", or the role groups it holds."""
    if user.is_superuser:
        return SUPERUSER
    return ", ".join(sorted(access.roles_of(user)))


@transaction.atomic
def read_record(
    *, user: User, kind: ReadKind, path: str, jobseeker_ids: Iterable[int | None]
) -> ReadEvent | None:
    """Record that `user` was shown the personal data of these jobseekers at `path`.

    Two queries whatever the number of jobseekers (the event, then its links in bulk), plus at
    most two the first time a request asks for the user's role and organisation (the access
    checks have usually cached them on the user). Nothing is recorded when no jobseeker was
    shown: an empty page reveals no one.
    """
    ids = sorted({pk for pk in jobseeker_ids if pk is not None})
    if not ids or not user.is_authenticated:
        return None
    organisation = access.organisation_of(user)
    event = ReadEvent.objects.create(
        user_id=user.pk,
        username=user.get_username(),
        role=role_of(user),
        organisation=organisation.name if organisation is not None else "",
        kind=kind,
        path=path.split("?", 1)[0][: ReadEvent._meta.get_field("path").max_length or None],
        jobseeker_count=len(ids),
    )
    ReadEventJobseeker.objects.bulk_create(
        [ReadEventJobseeker(event=event, jobseeker_id=pk) for pk in ids], batch_size=_BATCH
    )
    return event


def reads_of_jobseeker(*, jobseeker_id: int) -> QuerySet[ReadEvent]:
    """Every recorded read that showed this jobseeker, oldest first: one indexed query."""
    return ReadEvent.objects.filter(jobseekers__jobseeker_id=jobseeker_id).order_by("at", "pk")


def read_events_due(*, days: int, now: datetime.datetime) -> QuerySet[ReadEvent]:
    """The events older than `days` days at `now`."""
    return ReadEvent.objects.filter(at__lt=now - datetime.timedelta(days=days))


@transaction.atomic
def read_events_purge(*, days: int, now: datetime.datetime) -> int:
    """Delete the events older than `days` days, with their links; the number of events.

    The only deletion of the audit: Django's own QuerySet.delete, named past the append-only
    queryset that refuses it everywhere else.
    """
    if days < 0:
        raise ValueError("The read audit's retention is 0 days or more.")
    due = read_events_due(days=days, now=now)
    _total, per_model = models.QuerySet.delete(due)
    return per_model.get(ReadEvent._meta.label, 0)
