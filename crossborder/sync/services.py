"""Writes of the sync's tombstones: their purge once they are older than their retention."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .models import Tombstone


def tombstones_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the tombstones older than SYNC_TOMBSTONE_DAYS; how many were deleted. A sync from
    further back answers 410 (crossborder.sync.api), so none of them is needed any more."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SYNC_TOMBSTONE_DAYS)
    deleted, _by_model = Tombstone.objects.filter(deleted_at__lt=cutoff).delete()
    return deleted
