"""`manage.py send_follow_up_digest [--as-of 2027-02-28]`: the weekly digest of follow-ups due,
to each coordinator of a PES (participants.followups.send_follow_up_digests)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from participants.followups import send_follow_up_digests


class Command(BaseCommand):
    help = (
        "Mail each coordinator of a PES (with an email address) the follow-ups of its PES due "
        "or overdue: at most once per ISO week, so that a scheduler may run it daily or twice "
        "without sending twice; none to a coordinator with nothing due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            default=None,
            help="the day the follow-ups are due by, as 2027-02-28 (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError as error:
                raise CommandError(
                    f"--as-of: {options['as_of']!r} is no day; write it as 2027-02-28."
                ) from error
        try:
            sent = send_follow_up_digests(as_of=as_of)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{sent} follow-up digest(s) sent for the week of {as_of.isoformat()}.")
