"""`manage.py purge_tombstones`: delete the tombstones older than their retention."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from crossborder.sync.services import tombstones_purge


class Command(BaseCommand):
    help = (
        "Delete the tombstones of records deleted more than SYNC_TOMBSTONE_DAYS days ago: a sync "
        "from further back answers 410 and reads the list from the start. Safe to run any "
        "number of times (e.g. from cron once a day)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = tombstones_purge()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} tombstone(s) older than {settings.SYNC_TOMBSTONE_DAYS} days."
            )
        )
