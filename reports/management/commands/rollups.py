"""The reports' rollups (reports/rollups.py): how they stand, and their upkeep by hand.

    manage.py rollups                    # how they stand: built, horizon, marked actions, lag
    manage.py rollups --refresh          # make the marked actions' rows again
    manage.py rollups --rebuild          # every row again from the records, a new horizon
    manage.py rollups --rebuild --horizon 2025-01-01
    manage.py rollups --check            # compare every row with the records; exit 1 if any differ

Celery beat refreshes every minute and rebuilds nightly (with the check); these are for a first
build after an upgrade, after a restore, and to tell whether the rollups are right.
"""

from __future__ import annotations

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crossborder.core.periods import FIRST_YEAR
from reports import rollups

# Differences printed by --check; the count says how many there are in all.
SHOWN_DIFFERENCES = 20


class Command(BaseCommand):
    help = "Show, refresh, rebuild or check the reports' rollups."

    def add_arguments(self, parser: ArgumentParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--refresh", action="store_true", help="the marked actions' rows")
        action.add_argument("--rebuild", action="store_true", help="every row, a new horizon")
        action.add_argument("--check", action="store_true", help="compare with the records")
        parser.add_argument(
            "--horizon",
            help="with --rebuild: the horizon (YYYY-MM-DD); default ROLLUP_HORIZON_DAYS before"
            " today",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        horizon = self._horizon(options["horizon"], options["rebuild"])
        started = time.perf_counter()
        if options["rebuild"]:
            computed = rollups.rebuild(horizon)
            self.stdout.write(
                f"Rebuilt: {len(computed.rows)} rows, {len(computed.open)} groups of open"
                f" follow-ups, in {time.perf_counter() - started:.1f} s."
            )
        elif options["refresh"]:
            refreshed = rollups.refresh_dirty()
            self.stdout.write(
                f"Refreshed {refreshed} actions in {time.perf_counter() - started:.1f} s."
            )
        elif options["check"]:
            differences = rollups.check()
            if differences:
                for difference in differences[:SHOWN_DIFFERENCES]:
                    self.stdout.write(
                        f"{difference.of} {difference.action_id}, PES {difference.pes_id},"
                        f" {difference.what}: kept {difference.kept!r},"
                        f" from the records {difference.computed!r}"
                    )
                raise CommandError(
                    f"The rollups differ from the records in {len(differences)} places:"
                    " run `manage.py rollups --rebuild`."
                )
            self.stdout.write(
                f"The rollups match the records ({time.perf_counter() - started:.1f} s)."
            )
        self._show()

    def _horizon(self, value: str | None, rebuild: bool) -> datetime.date | None:
        if value is None:
            return None
        if not rebuild:
            raise CommandError("--horizon goes with --rebuild.")
        try:
            horizon = datetime.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--horizon: “{value}” is no date (YYYY-MM-DD).") from error
        if horizon.year < FIRST_YEAR or horizon > timezone.localdate():
            raise CommandError(
                f"--horizon: give a day from {rollups.FIRST_DAY.isoformat()} to today."
            )
        return horizon

    def _show(self) -> None:
        lag = rollups.lag()
        if not lag.built:
            self.stdout.write(
                "The rollups are not built: every report reads the records."
                " Run `manage.py rollups --rebuild`."
            )
            return
        horizon = timezone.localdate() - datetime.timedelta(days=lag.horizon_days)
        self.stdout.write(
            f"Horizon {horizon.isoformat()} ({lag.horizon_days} days ago); {lag.marked} actions"
            f" marked (oldest {lag.oldest_mark_seconds:.0f} s); {lag.open_rows} groups of open"
            f" follow-ups; {lag.cell_actions} settled actions summed in {lag.cells} cells."
        )
