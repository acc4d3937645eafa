"""`manage.py import_participations FILE --action REF [--dry-run] [--update]` for batch drops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from actions.models import Action
from crossborder.core import tabular
from participants.imports import import_participations


class Command(BaseCommand):
    help = (
        "Import jobseekers with their participation in one action from an .xlsx or .csv file "
        "(the columns of the admin's template). All or nothing: one bad row writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument(
            "--action", required=True, help="the action's reference (or its id in the admin)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would change; write none"
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="update jobseekers and participations already held instead of reporting them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = _find_action(options["action"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            # Refused before it is read into memory.
            tabular.check_size(path.stat().st_size)
        except tabular.FileRefused as refused:
            raise CommandError(f"{path.name}: {refused.message} Nothing was written.") from None
        data = path.read_bytes()
        result = import_participations(
            action=action,
            filename=path.name,
            data=data,
            dry_run=options["dry_run"],
            update_existing=options["update"],
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem(s) in {path.name}: nothing was written."
            )
        for outcome in result.outcomes:
            self.stdout.write(f"Row {outcome.number}: {outcome.jobseeker}: {outcome.outcome}")
        if options["dry_run"]:
            self.stdout.write(f"Dry run, nothing written. {result.summary()}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported into {action}. {result.summary()}"))


def _find_action(value: str) -> Action:
    action = Action.objects.filter(reference=value).first()
    if action is None and value.isdigit():
        action = Action.objects.filter(pk=int(value)).first()
    if action is None:
        raise CommandError(f'No action has the reference or id "{value}".')
    return action
