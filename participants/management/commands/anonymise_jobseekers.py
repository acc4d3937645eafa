"""`manage.py anonymise_jobseekers [--years N] [--dry-run]`: the GDPR storage limit, of the
jobseekers' data and of the read audit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from crossborder.audit.services import read_events_due, read_events_purge
from participants.gdpr import jobseeker_erase, jobseekers_due_for_erasure


class Command(BaseCommand):
    help = (
        "Erase the personal data of jobseekers whose every project ended more than N years ago "
        "(default: the RETENTION_YEARS setting). Their participation records stay, so every "
        "figure stays exact. Also deletes the read audit's entries older than "
        "READ_AUDIT_RETENTION_DAYS. Safe to run any number of times (e.g. nightly)."
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
        read_days = settings.READ_AUDIT_RETENTION_DAYS
        if options["dry_run"]:
            reads = read_events_due(days=read_days, now=timezone.now()).count()
            self.stdout.write(
                f"Dry run: {len(due)} jobseeker(s) whose projects ended more than {years} "
                f"year(s) ago would be erased, and {reads} read(s) of the read audit older "
                f"than {read_days} day(s) deleted."
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
        # The erased keep their entries in the read audit (by id only): who looked at the
        # record stays answerable until the audit's own retention removes the entry.
        purged = read_events_purge(days=read_days, now=timezone.now())
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {purged} read(s) of the read audit older than {read_days} day(s)."
            )
        )
