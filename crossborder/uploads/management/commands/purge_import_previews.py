"""`manage.py purge_import_previews`: delete the import previews older than their lifetime."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from crossborder.uploads.services import previews_purge


class Command(BaseCommand):
    help = (
        "Delete the uploaded import files whose preview was neither confirmed nor cancelled "
        "within IMPORT_PREVIEW_LIFETIME minutes. Safe to run any number of times (e.g. from cron "
        "every ten minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = previews_purge()
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} import preview(s) older than "
                f"{settings.IMPORT_PREVIEW_LIFETIME} minutes."
            )
        )
