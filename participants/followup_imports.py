"""The follow-up spreadsheet: a row per follow-up, naming the jobseeker by their PES and
reference there and the action by its reference, with the kind, the situation found, the day it
was checked and the source. Written pre-filled with the follow-ups due (the worklist's download),
filled in by a coordinator, and read back (crossborder.core.tabular): every cell checked, then
every follow-up recorded by follow_ups_record_bulk, all or nothing. A row whose situation, date
and source are all blank is a follow-up not yet known: it is skipped, so that a coordinator
fills in the rows they know and sends the file back whole.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actions.imports import pes_lookup
from actions.services import PushRefused
from crossborder.core import tabular
from crossborder.core.tabular import Problem
from crossborder.core.writers import XlsxWorkbook, separator, write_csv

from .followups import FollowUp, FollowUpItem, follow_ups_record_bulk, situation_choices
from .models import FollowUpKind, FollowUpSource, Participation, normalise_ref

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The columns read back; `due_on` and `state` only tell the coordinator, and are not read.
COLUMNS: tuple[str, ...] = (
    "pes",
    "reference",
    "action",
    "kind",
    "situation",
    "checked_on",
    "source",
)
INFO_COLUMNS: tuple[str, ...] = ("due_on", "state")
REQUIRED: tuple[str, ...] = (
    "pes",
    "reference",
    "action",
    "kind",
    "situation",
    "checked_on",
    "source",
)
# Where a problem of the service (by the item's field) belongs in the file.
FIELD_COLUMNS: dict[str, str] = {
    "participation": "reference",
    "jobseeker": "reference",
    "non_field_errors": "",
}


def notes() -> dict[str, str]:
    """What to write in each column, for the template's second sheet, in the reader's language."""
    return {
        "pes": _("the jobseeker's PES: vdab, le-forem or pole-emploi (or the PES's name)"),
        "reference": _("the jobseeker's reference at the PES"),
        "action": _("the action's reference"),
        "kind": ", ".join(FollowUpKind.values),
        "situation": _("on leaving: %(leaving)s; six months on: %(six)s; blank: not yet known")
        % {
            "leaving": ", ".join(value for value, _label in situation_choices("on_leaving")),
            "six": ", ".join(value for value, _label in situation_choices("six_months")),
        },
        "checked_on": _("the day the situation was checked, 2027-02-28 or 28/02/2027"),
        "source": _("how it was known: %(values)s") % {"values": ", ".join(FollowUpSource.values)},
        "due_on": _("when the follow-up falls due (not read)"),
        "state": _("due or overdue on the day of the download (not read)"),
    }


def write_follow_ups(
    follow_ups: Iterable[FollowUp], file_format: str, sep: str | None = None
) -> bytes:
    """The spreadsheet of these follow-ups, the parts already recorded filled in; with no
    follow-ups, an empty template. A .csv is separated as `sep` asks, else as the Excel of the
    active language splits, as the import templates (read_file reads any separator back);
    UnknownSeparator for a `sep` there is not, whatever the format."""
    delimiter = separator(sep, get_language() or settings.LANGUAGE_CODE)
    rows = [
        {
            "pes": follow_up.participation.jobseeker.pes.slug,
            "reference": follow_up.participation.jobseeker.external_ref,
            "action": follow_up.participation.action.reference,
            "kind": follow_up.kind,
            "situation": follow_up.part("situation"),
            "checked_on": follow_up.part("checked_on"),
            "source": follow_up.part("source"),
            "due_on": follow_up.due_on,
            "state": follow_up.state,
        }
        for follow_up in follow_ups
    ]
    columns = (*COLUMNS, *INFO_COLUMNS)
    if file_format == "csv":
        return write_csv(rows, columns=columns, delimiter=delimiter)
    workbook = XlsxWorkbook()
    workbook.sheet("follow-ups").table(rows, columns=columns)
    explained = notes()
    workbook.sheet("columns").table(
        ({"column": column, "note": explained[column]} for column in columns),
        columns=["column", "note"],
        headings=[_("column"), _("what to write")],
    )
    return workbook.to_bytes()


@dataclass(frozen=True)
class FollowUpRow:
    """A row read: where it is in the file, and the follow-up it records by its natural keys."""

    number: int
    pes_id: int
    reference: str
    action: str
    kind: str
    situation: str
    checked_on: datetime.date | None
    source: str

    def as_list(self) -> list[Any]:
        """The row as a confirmation carries it (JSON)."""
        day = self.checked_on.isoformat() if self.checked_on else None
        return [
            self.number,
            self.pes_id,
            self.reference,
            self.action,
            self.kind,
            self.situation,
            day,
            self.source,
        ]

    @classmethod
    def from_list(cls, values: Sequence[Any]) -> FollowUpRow:
        number, pes_id, reference, action, kind, situation, day, source = values
        checked_on = datetime.date.fromisoformat(day) if day else None
        return cls(
            int(number),
            int(pes_id),
            str(reference),
            str(action),
            str(kind),
            str(situation),
            checked_on,
            str(source),
        )


def parse_rows(table: tabular.Table) -> tuple[list[FollowUpRow], list[Problem]]:
    """The rows to record and every problem of a cell; the rows not yet known are left out."""
    all_pes = pes_lookup()
    rows: list[FollowUpRow] = []
    problems: list[Problem] = []
    for number, cells in table.rows:
        check = tabular.RowCheck(number, cells)
        situation = check.text("situation")
        source = check.text("source")
        checked_on = check.parse("checked_on", tabular.date)
        if not situation and not source and checked_on is None and not check.problems:
            continue
        pes = all_pes.get(check.text("pes").lower())
        if pes is None:
            check.refuse("pes", _('"%(cell)s" is no PES.') % {"cell": check.text("pes")})
        reference = normalise_ref(check.text("reference"))
        if not reference:
            check.refuse("reference", _("Required: the jobseeker's reference at the PES."))
        action = check.text("action")
        if not action:
            check.refuse("action", _("Required: the action's reference."))
        kind = check.text("kind")
        if kind not in FollowUpKind.values:
            check.refuse(
                "kind",
                _('"%(cell)s" is no kind of follow-up; use %(values)s.')
                % {"cell": kind, "values": ", ".join(FollowUpKind.values)},
            )
        elif situation not in {value for value, _label in situation_choices(kind)}:
            check.refuse(
                "situation",
                _('"%(cell)s" is no situation of this follow-up; use %(values)s.')
                % {
                    "cell": situation,
                    "values": ", ".join(value for value, _label in situation_choices(kind)),
                },
            )
        if checked_on is None and not any(p.column == "checked_on" for p in check.problems):
            check.refuse("checked_on", _("Required with the situation: the day it was checked."))
        if source not in FollowUpSource.values:
            check.refuse(
                "source",
                _('"%(cell)s" is no source; use %(values)s.')
                % {"cell": source, "values": ", ".join(FollowUpSource.values)},
            )
        if check.problems:
            problems.extend(check.problems)
            continue
        assert pes is not None
        rows.append(
            FollowUpRow(number, pes.pk, reference, action, kind, situation, checked_on, source)
        )
    return rows, problems


@dataclass
class FollowUpImport(tabular.Result[FollowUpRow]):
    """What an import found wrong, the rows it records (or, checked only, would record)."""


def record_rows(
    rows: Sequence[FollowUpRow],
    *,
    participations: QuerySet[Participation],
    user: AbstractBaseUser | AnonymousUser | None,
    dry_run: bool,
) -> FollowUpImport:
    """Record the rows' follow-ups, each participation found among `participations` (the
    user's scope) by its action's reference and its jobseeker's PES and reference: all or
    nothing. `dry_run` (the preview): the same checks and writes, rolled back."""
    result = FollowUpImport(outcomes=list(rows))
    found = {
        (record.action.reference, record.jobseeker.pes_id, record.jobseeker.external_ref): record
        for record in participations.filter(
            action__reference__in={row.action for row in rows},
            jobseeker__external_ref__in={row.reference for row in rows},
        ).select_related("action", "jobseeker")
    }
    items: list[FollowUpItem] = []
    for row in rows:
        record = found.get((row.action, row.pes_id, row.reference))
        if record is None:
            result.problems.append(
                Problem(
                    row.number,
                    "reference",
                    _(
                        "No participation of %(reference)s in the action %(action)s among "
                        "the records you may change."
                    )
                    % {"reference": row.reference, "action": row.action},
                )
            )
            continue
        items.append(FollowUpItem(record, row.kind, row.situation, row.checked_on, row.source))
    if result.problems or not rows:
        return result
    with transaction.atomic():
        try:
            follow_ups_record_bulk(items=items, user=user)
        except PushRefused as refused:
            for problem in refused.problems:
                number = rows[problem.index].number if problem.index is not None else None
                column = FIELD_COLUMNS.get(problem.field, problem.field)
                result.problems.append(Problem(number, column, problem.message))
            return result
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.written = True
    return result


def read_file(filename: str, data: bytes) -> tuple[list[FollowUpRow], list[Problem]]:
    """The rows of an uploaded follow-up file; FileRefused when it cannot be read."""
    table = tabular.read_table(
        filename,
        data,
        known=(*COLUMNS, *INFO_COLUMNS),
        required=REQUIRED,
        max_rows=tabular.ADMIN_MAX_ROWS,
    )
    return parse_rows(table)
