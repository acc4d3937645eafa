"""`manage.py generate_load --participations 1000000 [--seed 42] [--reset] [--force]`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossborder.demo import loadgen


class Command(BaseCommand):
    help = (
        "Generate synthetic load for benchmarks: a `load-` programme with its projects, actions "
        "over 10 years, jobseekers of the three PES (references `LOAD-`), their participations "
        "and aggregate figures. Refuses a database holding other actions or jobseekers unless "
        "--force; --reset deletes earlier generated data (and only it) first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--participations", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--actions", type=int, help="default: participations / 100")
        parser.add_argument("--jobseekers", type=int, help="default: 0.3 x participations")
        parser.add_argument(
            "--reset", action="store_true", help="delete the data generated earlier first"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the load beside actions and jobseekers that were not generated",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {
            name: options[name] for name in ("actions", "jobseekers") if options[name] is not None
        }
        if options["participations"] < 1 or any(value < 1 for value in overrides.values()):
            raise CommandError("Counts must be positive.")
        scale = loadgen.Scale.for_participations(options["participations"], **overrides)
        foreign = loadgen.foreign_data()
        if foreign and not options["force"]:
            raise CommandError(
                f"This database holds {' and '.join(foreign)} that were not generated; use a "
                "database of its own for load tests, or --force to add the load beside them."
            )
        if loadgen.has_load():
            if not options["reset"]:
                raise CommandError(
                    f"Generated data is already here ({loadgen.summary()}); "
                    "add --reset to replace it."
                )
            started = time.perf_counter()
            loadgen.reset()
            self.stdout.write(f"Deleted the earlier load in {time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()
        result = loadgen.generate(scale, seed=options["seed"], log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Generated {result} in {time.perf_counter() - started:.1f} s.")
        )
