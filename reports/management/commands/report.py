"""Scheduled exports of the reports layer.

    manage.py report outcomes --year 2017 --group-by action_type,pes --format csv
    manage.py report year 2017 --as-of 2018-04-20 --format docx -o answer-2017.docx --lang nl

Each report's formats are those of its writers in reports.exports (`--help` lists them); text
formats go to stdout without -o, binary ones need -o. A file is written whole or not at
all (written beside its target, then renamed), so a scheduled run never leaves half a file, and
running it again writes the same report again: nothing else changes.
"""

from __future__ import annotations

import os
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import override

from crossborder.core.formats import UnknownFormat, Writers
from crossborder.core.periods import parse_year
from participants.attributes import PERSONAL_DIMENSIONS
from reports import exports
from reports.filters import APPROVED
from reports.protection import protect
from reports.selectors import DIMENSIONS, OutcomeTable, ReportParameterError, outcomes
from reports.year_report import LANGUAGES, YearReport, year_report

# Filters of the reports layer (reports.filters.ActionFilterSet), as options.
FILTER_OPTIONS = {
    "year": "Year(s) in which the actions start, e.g. 2017 or 2017,2018.",
    "semester": "Semester(s), e.g. 2017-S1.",
    "project": "Project slug(s).",
    "action_type": "Action type(s), e.g. guidance_cohort,jobdating.",
    "pes": 'PES slug(s), or "unknown" for figures whose split per PES is not known.',
    "sector": "Sector slug(s).",
    "status": "Status(es); by default the realised ones (ongoing, completed).",
}


def _format_help(writers: Writers[Any]) -> str:
    """The formats of a report for --help, from the formats' registry."""
    binary = [fmt.name for fmt in writers.formats if fmt.binary]
    return f"One of {', '.join(writers.names)}" + (
        f"; binary, so only with -o: {', '.join(binary)}." if binary else "."
    )


def _option(parameter: str, positional: tuple[str, ...] = ()) -> str:
    """The command-line spelling of a parameter of the reports layer (`group_by` -> --group-by)."""
    return parameter if parameter in positional else "--" + parameter.replace("_", "-")


class Command(BaseCommand):
    help = (
        "Export a report of the reports layer: `outcomes` (the outcomes table, any grouping "
        "and filter) or `year` (the year report: the answer sheet of a parliamentary question)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="{outcomes,year}")

        table = reports.add_parser(
            "outcomes",
            help="The outcomes table: metrics per combination of dimensions, and the totals.",
        )
        table.add_argument(
            "--group-by",
            default="",
            help=f"Dimensions, comma-separated, in order: {', '.join(DIMENSIONS)}.",
        )
        for name, text in FILTER_OPTIONS.items():
            table.add_argument(
                _option(name),
                dest=name,
                action="append",
                default=[],
                help=text + " Repeat the option or separate values by commas.",
            )
        for slug, dimension in PERSONAL_DIMENSIONS.items():
            table.add_argument(
                _option(slug),
                dest=slug,
                action="append",
                default=[],
                help=f"Only the participation records of these values of {dimension.label} "
                f"({', '.join(value for value, _label in dimension.choices)}); figures and "
                "employers present say no person and are left out.",
            )
        table.add_argument("--date-from", help="Actions starting on or after this day (ISO).")
        table.add_argument("--date-to", help="Actions starting on or before this day (ISO).")
        table.add_argument(
            "--format",
            dest="file_format",
            default="csv",
            help=_format_help(exports.OUTCOMES)
            + " csv has the rows; json and xlsx the rows and the totals.",
        )
        self._common(table)

        year = reports.add_parser(
            "year",
            help="The year report: per project and action type, the realised actions, the "
            "cancelled and planned ones, the totals and indicator progress.",
        )
        year.add_argument("year", help="The year, e.g. 2017.")
        year.add_argument(
            "--project",
            action="append",
            default=[],
            help="Project slug(s); all projects by default. Repeat or separate by commas.",
        )
        year.add_argument(
            "--as-of",
            dest="as_of",
            default="",
            help="The day the report is as of, e.g. 2018-04-20 or 20/04/2018; today by default. "
            "Nothing after it counts: an action starting later is planned.",
        )
        year.add_argument(
            "--format",
            dest="file_format",
            default="html",
            help=_format_help(exports.YEAR_REPORT) + " csv has one row per action.",
        )
        self._common(year)

    def _common(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--approved",
            action="store_true",
            help="Count only the figures and records of approved reporting periods (figures "
            "without a PES belong to no period and are left out). Without it everything counts, "
            "and figures of periods not approved yet are marked provisional.",
        )
        parser.add_argument(
            "-o",
            "--output",
            help="File to write; without it, text formats go to standard output.",
        )
        parser.add_argument(
            "--lang",
            default=settings.LANGUAGE_CODE,
            help=f"Language of labels and names: {', '.join(LANGUAGES)}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lang, output = options["lang"], options["output"]
        if lang not in LANGUAGES:
            raise CommandError(
                f"--lang: “{lang}” is not a language; use any of: {', '.join(LANGUAGES)}."
            )
        writers: Writers[Any] = (
            exports.OUTCOMES if options["report"] == "outcomes" else exports.YEAR_REPORT
        )
        # Messages about parameters in the site's language, like the command's own, whatever
        # language the caller left active; the writers use --lang.
        with override(settings.LANGUAGE_CODE):
            try:
                file_format, write = writers.get(options["file_format"])
            except UnknownFormat as error:
                raise CommandError(f"--format: {error}") from None
        if file_format.binary and not output:
            raise CommandError(
                f"-o/--output: a .{file_format.extension} file is binary; give the file to write."
            )
        # The year of the year report is positional: its errors name `year`, not `--year`.
        positional = ("year",) if options["report"] == "year" else ()
        try:
            with override(settings.LANGUAGE_CODE):
                if options["report"] == "outcomes":
                    data: OutcomeTable | YearReport = self._outcomes(options)
                else:
                    data = self._year_report(options)
            content = write(data, lang)
        except ReportParameterError as error:
            raise CommandError(
                "; ".join(
                    f"{_option(name, positional)}: {' '.join(messages)}"
                    for name, messages in error.message_dict.items()
                )
            ) from None
        if output:
            try:
                self._write(Path(output), content)
            except OSError as error:
                raise CommandError(f"-o/--output: {output} cannot be written: {error}.") from None
            self.stderr.write(f"Wrote {output} ({len(content)} bytes).")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")

    def _outcomes(self, options: dict[str, Any]) -> OutcomeTable:
        filters: dict[str, Any] = {
            name: options[name] for name in (*FILTER_OPTIONS, *PERSONAL_DIMENSIONS)
        }
        for name in ("date_from", "date_to"):
            if options[name]:
                filters[name] = options[name]
        if options["approved"]:
            filters[APPROVED] = True
        table = outcomes(group_by=options["group_by"].split(","), filters=filters)
        # A file leaves the site: its small numbers are protected as for a user who may not
        # read personal data.
        return protect(table, user=None)

    def _year_report(self, options: dict[str, Any]) -> YearReport:
        try:
            year = parse_year(options["year"])
        except ValidationError as error:
            raise ReportParameterError({"year": error.messages}) from None
        projects = [s.strip() for value in options["project"] for s in value.split(",")]
        return year_report(
            year=year,
            projects=[s for s in projects if s] or None,
            approved=options["approved"],
            as_of=options["as_of"] or None,
        )

    def _write(self, path: Path, content: bytes) -> None:
        """Write the whole file or nothing: a temporary file beside it, then a rename."""
        directory = path.resolve().parent
        if not directory.is_dir():
            raise CommandError(f"-o/--output: the folder {directory} does not exist.")
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            # mkstemp makes the file private; an export is read by others (a shared folder).
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
