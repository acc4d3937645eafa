"""`manage.py anonymise_jobseekers [--years N] [--dry-run]`: the GDPR storage limit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from participants.gdpr import jobseeker_erase, jobseekers_due_for_erasure


class Command(BaseCommand):
    help = (
        "Erase the personal data of jobseekers whose every project ended more than N years ago "
        "(default: the RETENTION_YEARS setting). Their participation records stay, so every "
        "figure stays exact. Safe to run any number of times (e.g. nightly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help=f"years after a project's end (default {settings.RETENTION_YEARS})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count who would be erased; erase no one"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        years = settings.RETENTION_YEARS if options["years"] is None else options["years"]
        if years < 0:
            raise CommandError("--years must be 0 or more.")
        due = list(jobseekers_due_for_erasure(years=years, today=timezone.localdate()))
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run: {len(due)} jobseeker(s) whose projects ended more than {years} "
                "year(s) ago would be erased."
            )
            return
        for jobseeker in due:
            jobseeker_erase(jobseeker=jobseeker)
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased {len(due)} jobseeker(s) whose projects ended more than {years} year(s) "
                "ago."
            )
        )
