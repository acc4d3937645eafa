"""Versions of the records that the API and the admin change, so that no change silently
overwrites another.

A versioned record carries a counter that moves on every save (and on every bulk path, which
calls `next_version` itself). A writer states the version its change was based on: the services
lock the row, compare, and refuse with `StaleVersion` when someone else saved it since; the API
turns that into a 412 and the admin into a form error. A record that is created starts at 1.

And the create-or-update by a natural key (a PES and reference, an action and jobseeker, ...):
two identical pushes at the same moment both look for the row, find none, and both insert; one
of them then hits the unique constraint (or, if the other committed first, full_clean's unique
check). `created_unless_raced` tells that loser to update the row the winner created instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext_lazy as _


class StaleVersion(Exception):
    """The change was based on a version of the record that is no longer the current one."""

    def __init__(self, obj: Versioned, *, current: int) -> None:
        super().__init__(f"{obj._meta.label} {obj.pk} is at version {current}")
        self.current = current


class Versioned(models.Model):
    """A record whose `version` moves on every save: 1 when created, then one more each time."""

    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Moves on every change; a change based on an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        based_on = self.version
        self.version = based_on + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        except BaseException:
            # Nothing was written: the record is still at the version it was read at.
            self.version = based_on
            raise


def next_version() -> CombinedExpression:
    """The version a bulk update (QuerySet.update) gives each row it changes."""
    return F("version") + 1


def check_version(obj: Versioned, expected: int | None) -> None:
    """Refuse a change based on another version than the record's, which the caller read under
    a lock (select_for_update) so that the check and the write are one step. None: the caller
    states no version (an import, a command)."""
    if expected is not None and obj.version != expected:
        raise StaleVersion(obj, current=obj.version)


def lock_current(obj: Versioned, expected: int | None) -> None:
    """Lock the record's row until the transaction ends and refuse a change based on another
    version (None: no check). The instance is read again when the row moved since it was
    read, so that its save writes nothing older. Raises DoesNotExist when the row is gone."""
    current = (
        type(obj)
        ._base_manager.select_for_update()
        .filter(pk=obj.pk)
        # No ordering: a default one across a nullable relation would be an outer join, which
        # PostgreSQL refuses under FOR UPDATE.
        .order_by()
        .values_list("version", flat=True)
        .first()
    )
    if current is None:
        raise type(obj).DoesNotExist(f"{obj._meta.label} {obj.pk} was deleted.")
    if expected is not None and current != expected:
        raise StaleVersion(obj, current=current)
    if obj.version != current:
        obj.refresh_from_db()


def created_unless_raced(create: Callable[[], None], taken: Callable[[], bool]) -> bool:
    """Run `create` (full_clean and save of a new record) in a savepoint. True when it created
    the record; False when another transaction created the same natural key meanwhile (`taken`
    says whether the key exists now), so that the caller updates that record instead. Any other
    refusal is raised as it came."""
    try:
        with transaction.atomic():
            create()
    except (IntegrityError, ValidationError):
        # Read committed: the row the other transaction committed is visible here now.
        if taken():
            return False
        raise
    return True
