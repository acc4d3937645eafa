"""Import of jobseekers with their participation in one action, from .xlsx or .csv; and export.

One module for the admin and for `manage.py import_participations`. The file is read
(crossborder.core.tabular) and every cell checked; then everything is written inside one
transaction, which is rolled back for a preview or when any row is refused, so a file with one
bad row writes nothing. Every record is checked with a fixed number of queries for the whole
file (each record's own rules as full_clean() checks them, and the action's rules, asked of the
Action once: which PES it counts by records and which by figures, the places of a guidance
cohort) and written in bulk with its audit trail: the participations already held as a push of
them would change them (participants.services.participations_push), the new ones after. A preview
runs the same checks and writes as the import, then rolls back: it refuses what the import would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export import fields

from actions.imports import GuardedExportResource, pes_lookup
from actions.models import Action, Certificate
from actions.services import PushOutcome, PushRefused, PushStatus, bulk_write
from crossborder.core import tabular
from crossborder.core.bulk import bulk_insert_with_history
from crossborder.core.facts import facts_written_for
from crossborder.core.periods import FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR
from crossborder.core.tabular import FileRefused, Problem
from crossborder.core.vocabulary import ParticipationStatus
from projects import access
from projects.models import Organisation

from .models import (
    EducationLevel,
    EntryStatus,
    FollowUpSource,
    Gender,
    Jobseeker,
    LeavingSituation,
    Participation,
    SixMonthSituation,
    UnemploymentDuration,
    normalise_ref,
)
from .services import participations_push


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


# A column per field of the jobseeker that describes them, named as the field but "refugee".
PERSONAL_COLUMNS: dict[str, str] = {
    name: {"is_refugee": "refugee"}.get(name, name) for name in Jobseeker.DESCRIBING_FIELDS
}
# The special categories (GDPR article 9): columns of a file only where the server keeps them
# and for a user allowed to read them (access.can_read_special_categories).
SENSITIVE_COLUMNS: dict[str, str] = {
    name: {"has_disability": "disability"}.get(name, name) for name in Jobseeker.SENSITIVE_FIELDS
}
COLUMNS: tuple[str, ...] = (
    "action",
    "pes",
    "reference",
    *PERSONAL_COLUMNS.values(),
    *Participation.WRITTEN_FIELDS,
)
# The columns of a file of a user who may read the special categories: beside the others that
# describe the person.
COLUMNS_WITH_SPECIAL_CATEGORIES: tuple[str, ...] = (
    "action",
    "pes",
    "reference",
    *PERSONAL_COLUMNS.values(),
    *SENSITIVE_COLUMNS.values(),
    *Participation.WRITTEN_FIELDS,
)
REQUIRED: tuple[str, ...] = ("pes", "reference", "status")
# Where a model's error belongs in the file.
FIELD_COLUMNS: dict[str, str] = {
    **PERSONAL_COLUMNS,
    **SENSITIVE_COLUMNS,
    "external_ref": "reference",
    "jobseeker": "pes",
    "action": "status",
    NON_FIELD_ERRORS: "",
}
DATE_COLUMNS: tuple[str, ...] = tuple(
    name
    for name in Participation.WRITTEN_FIELDS
    if isinstance(Participation._meta.get_field(name), models.DateField)
)
# The participation's other fields with choices (the status is required, and read apart), each
# read by its value or by its name in any of the languages (choice_lookup).
CHOICE_COLUMNS: tuple[str, ...] = tuple(
    name
    for name in Participation.WRITTEN_FIELDS
    if name != "status" and model_field(Participation, name).choices
)


def columns_for(user: AbstractBaseUser | None) -> tuple[str, ...]:
    """The columns a file of this user may have: the special categories only for a user who
    may read them."""
    if isinstance(user, AbstractUser) and access.can_read_special_categories(user):
        return COLUMNS_WITH_SPECIAL_CATEGORIES
    return COLUMNS


def choice_lookup(model: type[models.Model], name: str) -> dict[str, str]:
    """The value of each choice of a field by what a cell may say, in lower case: the value
    itself (with spaces for its underscores too: "long term unemployed") and its name in every
    language of the site ("femme", "vrouw", "woman")."""
    choices = [(str(value), label) for value, label in model_field(model, name).choices or ()]
    lookup: dict[str, str] = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                lookup[str(label).strip().lower()] = value
    for value, _label in choices:
        lookup[value] = value
        lookup[value.replace("_", " ")] = value
    return lookup


def notes() -> dict[str, str]:
    """What to write in each column, for the template's second sheet, in the reader's language."""
    return {
        "action": _(
            "optional; the action's reference (as exported). Rows of another action are refused."
        ),
        "pes": _("vdab, le-forem or pole-emploi (or the PES's name)"),
        "reference": _("the jobseeker's reference at the PES; required, once per file"),
        "given_name": _("optional"),
        "family_name": _("optional"),
        "birth_year": _("optional, e.g. 1988"),
        "education_level": _("optional: %(values)s") % {"values": ", ".join(EducationLevel.values)},
        "gender": _("optional: %(values)s (not_given when left empty)")
        % {"values": ", ".join(Gender.values)},
        "refugee": _("optional: yes or no"),
        "disability": _(
            "optional: yes or no; a special category of personal data, kept only with the "
            "person's consent"
        ),
        "foreign_background": _(
            "optional: yes or no; a special category of personal data, kept only with the "
            "person's consent"
        ),
        "status": _("required: %(values)s") % {"values": ", ".join(ParticipationStatus.values)},
        "started_on": _("date, 2017-11-28 or 28/11/2017"),
        "completed_on": _("date; only for status completed"),
        "placed_on": _("date the jobseeker found work after the action"),
        "hired_on": _("date hired by an employer of the action"),
        "hired_by": _("the employer who hired (slug or name of the organisation)"),
        "certified_on": _("date the certificate was obtained"),
        "certificate": _("the certificate (slug or name)"),
        "entry_status": _("optional, the labour-market status at entry: %(values)s")
        % {"values": ", ".join(EntryStatus.values)},
        "unemployment_duration": _("optional, unemployed at entry for: %(values)s")
        % {"values": ", ".join(UnemploymentDuration.values)},
        "leaving_situation": _(
            "optional, the situation on leaving: %(values)s; with its date and source"
        )
        % {"values": ", ".join(LeavingSituation.values)},
        "leaving_checked_on": _("date the situation on leaving was known"),
        "leaving_source": _("how it was known: %(values)s")
        % {"values": ", ".join(FollowUpSource.values)},
        "six_month_situation": _(
            "optional, the situation six months after leaving: %(values)s; with its date and source"
        )
        % {"values": ", ".join(SixMonthSituation.values)},
        "six_month_checked_on": _("date the situation six months on was known"),
        "six_month_source": _("how it was known: %(values)s")
        % {"values": ", ".join(FollowUpSource.values)},
    }


def choice_refusal(column: str, cell: str, values: list[str]) -> str:
    """What a cell that is none of its column's choices is told, naming the allowed values."""
    messages = {
        "gender": _('"%(cell)s" is not a gender; use %(values)s or leave it empty.'),
        "entry_status": _(
            '"%(cell)s" is not a labour-market status at entry; use %(values)s or leave it empty.'
        ),
        "unemployment_duration": _(
            '"%(cell)s" is not a duration of unemployment; use %(values)s or leave it empty.'
        ),
        "leaving_situation": _('"%(cell)s" is not a situation; use %(values)s or leave it empty.'),
        "six_month_situation": _(
            '"%(cell)s" is not a situation; use %(values)s or leave it empty.'
        ),
        "leaving_source": _('"%(cell)s" is not a source; use %(values)s or leave it empty.'),
        "six_month_source": _('"%(cell)s" is not a source; use %(values)s or leave it empty.'),
    }
    return messages[column] % {"cell": cell, "values": ", ".join(values)}


@dataclass
class Row:
    number: int
    pes: Organisation
    reference: str
    jobseeker_values: dict[str, Any]
    participation_values: dict[str, Any]


class RowChange(TextChoices):
    """What the import does with a row. Summaries count the codes; the labels are translated
    only when shown, in the reader's language."""

    NEW_JOBSEEKER = "new_jobseeker", gettext_lazy("new jobseeker, new participation")
    NEW_PARTICIPATION = "new_participation", gettext_lazy("known jobseeker, new participation")
    UPDATED = "updated", gettext_lazy("known jobseeker, participation updated")
    UNCHANGED = "unchanged", gettext_lazy("known jobseeker, participation unchanged")
    REFUSED = "refused", gettext_lazy("refused")


@dataclass
class RowOutcome:
    number: int
    jobseeker: str
    change: RowChange

    @property
    def outcome(self) -> str:
        return str(self.change.label)


@dataclass
class ImportResult(tabular.Result[RowOutcome]):
    def summary(self) -> str:
        """The line above the preview, e.g. "2 rows: 2 new participations, 0 updated.", in the
        reader's language; with the rows that change nothing held, "3 rows: 0 new
        participations, 1 updated, 2 unchanged.".

        Every count goes through ngettext, for the plural forms of each language.
        """
        total = len(self.outcomes)
        new = sum(
            1
            for o in self.outcomes
            if o.change in (RowChange.NEW_JOBSEEKER, RowChange.NEW_PARTICIPATION)
        )
        unchanged = sum(1 for o in self.outcomes if o.change == RowChange.UNCHANGED)
        updated = total - new - unchanged
        counts = {
            "rows": ngettext("%(count)s row", "%(count)s rows", total) % {"count": total},
            "new_participations": ngettext(
                "%(count)s new participation", "%(count)s new participations", new
            )
            % {"count": new},
            "updated": updated,
        }
        if unchanged:
            return ngettext(
                # Translators: the form follows the number updated; "unchanged" is a count of
                # participations, such as "2 unchanged".
                "%(rows)s: %(new_participations)s, %(updated)s updated, %(unchanged)s.",
                "%(rows)s: %(new_participations)s, %(updated)s updated, %(unchanged)s.",
                updated,
            ) % {
                **counts,
                "unchanged": ngettext("%(count)s unchanged", "%(count)s unchanged", unchanged)
                % {"count": unchanged},
            }
        return (
            ngettext(
                # Translators: the form follows the number updated.
                "%(rows)s: %(new_participations)s, %(updated)s updated.",
                "%(rows)s: %(new_participations)s, %(updated)s updated.",
                updated,
            )
            % counts
        )


def _organisation_lookup(names: set[str]) -> dict[str, Organisation]:
    lookup: dict[str, Organisation] = {}
    if not names:
        return lookup
    for organisation in Organisation.objects.all():
        lookup[organisation.slug.lower()] = organisation
        lookup[organisation.name.strip().lower()] = organisation
    return lookup


def _certificate_lookup(names: set[str]) -> dict[str, Certificate]:
    lookup: dict[str, Certificate] = {}
    if not names:
        return lookup
    for certificate in Certificate.objects.all():
        lookup[certificate.slug.lower()] = certificate
        lookup[certificate.name.strip().lower()] = certificate
    return lookup


def parse_rows(
    table: tabular.Table,
    *,
    action: Action,
    allowed_pes: Organisation | None,
    special_categories: bool = False,
) -> tuple[list[Row], list[Problem]]:
    """Check every cell; allowed_pes limits the rows to one PES's jobseekers (None: any PES);
    special_categories: whether the columns of the special categories are read (columns_for)."""
    problems: list[Problem] = []
    rows: list[Row] = []
    all_pes = pes_lookup()
    lookups = {
        "gender": choice_lookup(Jobseeker, "gender"),
        **{name: choice_lookup(Participation, name) for name in CHOICE_COLUMNS},
    }
    employers = _organisation_lookup(
        {tabular.text(c.get("hired_by")) for _, c in table.rows} - {""}
    )
    certificates = _certificate_lookup(
        {tabular.text(c.get("certificate")) for _, c in table.rows} - {""}
    )
    action_names = {str(action.pk), action.reference.lower()} - {""}
    first_row: dict[tuple[int, str], int] = {}

    for number, cells in table.rows:
        check = tabular.RowCheck(number, cells)
        refuse, parse = check.refuse, check.parse
        action_cell = tabular.text(cells.get("action"))
        if action_cell and action_cell.lower() not in action_names:
            refuse(
                "action",
                _(
                    'this row is for action "%(cell)s", not %(action)s; import it into its own '
                    "action or clear the cell."
                )
                % {"cell": action_cell, "action": action.reference or action.pk},
            )
        pes_name = tabular.text(cells.get("pes"))
        pes = all_pes.get(pes_name.lower())
        if not pes_name:
            refuse("pes", _("required: vdab, le-forem or pole-emploi."))
        elif pes is None:
            refuse(
                "pes",
                _('"%(cell)s" is not a PES; use vdab, le-forem or pole-emploi.')
                % {"cell": pes_name},
            )
        elif allowed_pes is not None and pes != allowed_pes:
            refuse(
                "pes",
                _(
                    "you may only import jobseekers of %(allowed)s; this row is for %(pes)s. "
                    "Send it to a coordinator of %(pes)s."
                )
                % {"allowed": allowed_pes, "pes": pes},
            )
        # As stored: without case and surrounding spaces (vd-001 and VD-001 are one jobseeker).
        written_reference = tabular.text(cells.get("reference"))
        reference = normalise_ref(written_reference)
        if not reference:
            refuse("reference", _("required: the jobseeker's reference at the PES."))
        elif len(reference) > 64:
            refuse("reference", _("longer than 64 characters; is it the PES reference?"))
        if pes is not None and reference:
            key = (pes.pk, reference)
            if key in first_row:
                refuse(
                    "reference",
                    _(
                        "%(pes)s jobseeker %(reference)s is also on row %(row)s; keep one row "
                        "per jobseeker."
                    )
                    % {"pes": pes, "reference": written_reference, "row": first_row[key]},
                )
            else:
                first_row[key] = number

        personal: dict[str, Any] = {}
        for column in ("given_name", "family_name"):
            value = tabular.text(cells.get(column))
            if len(value) > 100:
                refuse(column, _("longer than 100 characters."))
            elif value:
                personal[column] = value
        birth_year = parse("birth_year", tabular.count)
        if birth_year is not None:
            if not FIRST_BIRTH_YEAR <= birth_year <= LAST_BIRTH_YEAR:
                refuse(
                    "birth_year",
                    _("%(year)s is not a year of birth; write e.g. 1988.") % {"year": birth_year},
                )
            else:
                personal["birth_year"] = birth_year
        education = tabular.text(cells.get("education_level")).lower()
        if education:
            if education not in EducationLevel.values:
                refuse(
                    "education_level",
                    _('"%(cell)s" is not an education level; use %(values)s or leave it empty.')
                    % {"cell": education, "values": ", ".join(EducationLevel.values)},
                )
            else:
                personal["education_level"] = education
        gender = _choice(check, "gender", lookups["gender"], Gender.values)
        if gender:
            personal["gender"] = gender
        refugee = parse("refugee", tabular.yes_no)
        if refugee is not None:
            personal["is_refugee"] = refugee
        if special_categories:
            for name, column in SENSITIVE_COLUMNS.items():
                value = parse(column, tabular.yes_no)
                if value is not None:
                    personal[name] = value

        status = tabular.text(cells.get("status")).lower().replace(" ", "_")
        statuses = ", ".join(ParticipationStatus.values)
        if not status:
            refuse("status", _("required: %(values)s.") % {"values": statuses})
        elif status not in ParticipationStatus.values:
            refuse(
                "status",
                _('"%(cell)s" is not a status; use %(values)s.')
                % {"cell": tabular.text(cells.get("status")), "values": statuses},
            )
        participation: dict[str, Any] = {"status": status}
        for column in DATE_COLUMNS:
            participation[column] = parse(column, tabular.date)
        for column in CHOICE_COLUMNS:
            values = [value for value, _label in model_field(Participation, column).choices or ()]
            participation[column] = _choice(check, column, lookups[column], values)
        employer_name = tabular.text(cells.get("hired_by"))
        participation["hired_by"] = None
        if employer_name:
            participation["hired_by"] = employers.get(employer_name.lower())
            if participation["hired_by"] is None:
                refuse(
                    "hired_by",
                    _(
                        '"%(cell)s" is not a known organisation; add it in the admin first or use '
                        "its slug."
                    )
                    % {"cell": employer_name},
                )
        certificate_name = tabular.text(cells.get("certificate"))
        participation["certificate"] = None
        if certificate_name:
            participation["certificate"] = certificates.get(certificate_name.lower())
            if participation["certificate"] is None:
                refuse(
                    "certificate",
                    _('"%(cell)s" is not a known certificate; use its slug.')
                    % {"cell": certificate_name},
                )

        if check.problems:
            problems.extend(check.problems)
        else:
            assert pes is not None
            rows.append(Row(number, pes, reference, personal, participation))
    return rows, problems


def _choice(check: tabular.RowCheck, column: str, lookup: dict[str, str], values: list[str]) -> str:
    """A cell of a column with choices: its value, "" when empty, or "" with the refusal."""
    cell = check.text(column)
    if not cell:
        return ""
    value = lookup.get(cell.strip().lower())
    if value is None:
        check.refuse(column, choice_refusal(column, cell, values))
        return ""
    return value


def _special_category_refusal(
    filename: str, data: bytes, *, columns: tuple[str, ...], max_rows: int
) -> str | None:
    """Why a refused file is refused, when it is for a column of the special categories that
    columns_for left out: they are not kept here, or the user may not read them. None when the
    file is refused for another reason."""
    if columns is COLUMNS_WITH_SPECIAL_CATEGORIES:
        return None
    try:
        table = tabular.read_table(
            filename,
            data,
            known=COLUMNS_WITH_SPECIAL_CATEGORIES,
            required=REQUIRED,
            max_rows=max_rows,
        )
    except FileRefused:
        return None
    sent = [column for column in SENSITIVE_COLUMNS.values() if column in table.columns]
    if not sent:
        return None
    if not settings.SPECIAL_CATEGORY_DATA:
        return _(
            "Unknown column: %(columns)s. Special categories of personal data are not kept on "
            "this server; remove the column."
        ) % {"columns": ", ".join(sent)}
    return _(
        "Column %(columns)s: importing special categories of personal data needs the "
        "permission to read them; remove the column or ask a user who holds it."
    ) % {"columns": ", ".join(sent)}


def import_participations(
    *,
    action: Action,
    filename: str,
    data: bytes,
    allowed_pes: Organisation | None = None,
    dry_run: bool = True,
    update_existing: bool = False,
    max_rows: int = tabular.MAX_ROWS,
    user: AbstractBaseUser | None = None,
) -> ImportResult:
    """Check a file and, unless dry_run or any row fails, write it all in one transaction.

    A jobseeker already held (same PES and reference) is matched, never duplicated; a value in the
    file that differs from the one held, or a jobseeker who already takes part in the action, is
    reported unless update_existing is set, so nothing held is overwritten by surprise. New
    jobseekers and participations are checked against the database once for the whole file and
    written in bulk with their audit trail (user: who imports, for the trail; the columns of
    the special categories are read only for a user who may read them, columns_for).
    """
    result = ImportResult()
    columns = columns_for(user)
    try:
        table = tabular.read_table(
            filename, data, known=columns, required=REQUIRED, max_rows=max_rows
        )
    except FileRefused as refused:
        result.problems.append(
            Problem(
                None,
                "",
                _special_category_refusal(filename, data, columns=columns, max_rows=max_rows)
                or refused.message,
            )
        )
        return result
    rows, result.problems = parse_rows(
        table,
        action=action,
        allowed_pes=allowed_pes,
        special_categories=columns is COLUMNS_WITH_SPECIAL_CATEGORIES,
    )
    if not table.rows:
        result.problems.append(Problem(None, "", _("The file has no rows below the column names.")))
    if result.problems:
        return result
    problems: list[Problem] = []
    outcomes: list[RowOutcome] = []
    with transaction.atomic():
        # Once for the file, not per row: the records of a PES whose reporting period is locked
        # stay as they are. Asked in the transaction, which then holds the periods' rows: a
        # submit at the same moment waits for the import (ReportingPeriod.objects.first_locked).
        refusal = action.period_refusal({row.pes.pk for row in rows})
        if refusal:
            result.problems.append(Problem(None, "", refusal))
            return result
        # Locked until the import ends: a jobseeker changed meanwhile waits, and is compared as
        # it then is.
        held = _held_jobseekers(rows)
        taking_part = set(
            Participation.objects.filter(action=action, jobseeker__in=held.values()).values_list(
                "jobseeker_id", flat=True
            )
        )
        # Records already held are updated first, in bulk with the push's rules, so that the
        # checks of the new participations below count the places as the updates leave them.
        new_rows: list[tuple[Row, Jobseeker | None]] = []
        held_rows: list[tuple[Row, Jobseeker]] = []
        for row in rows:
            jobseeker = held.get((row.pes.pk, row.reference))
            if jobseeker is not None and not update_existing:
                if jobseeker.pk in taking_part:
                    problems.append(
                        Problem(
                            row.number,
                            "reference",
                            _(
                                "%(pes)s jobseeker %(reference)s already takes part in this "
                                "action; tick “update existing records” to change the record, or "
                                "remove the row."
                            )
                            % {"pes": row.pes, "reference": row.reference},
                        )
                    )
                    continue
                differences = _differences(jobseeker, row.jobseeker_values)
                if differences:
                    problems.extend(Problem(row.number, c, m) for c, m in differences)
                    continue
            if jobseeker is not None and jobseeker.pk in taking_part:
                held_rows.append((row, jobseeker))
            else:
                new_rows.append((row, jobseeker))
        refused_rows, jobseekers_changed = _update_jobseekers(
            [(row, jobseeker) for row, jobseeker in [*held_rows, *new_rows] if jobseeker],
            user,
            problems,
        )
        held_rows = [(row, held) for row, held in held_rows if row.number not in refused_rows]
        new_rows = [(row, held) for row, held in new_rows if row.number not in refused_rows]
        outcomes.extend(
            _update_participations(
                held_rows, action, user, problems, jobseekers_changed=jobseekers_changed
            )
        )
        checked = _check_new_rows(new_rows, action, problems)
        if not problems:
            _write_new_rows(checked, user, problems)
        outcomes.extend(
            RowOutcome(
                row.number,
                f"{row.pes} {row.reference}",
                RowChange.NEW_JOBSEEKER if row_is_new else RowChange.NEW_PARTICIPATION,
            )
            for row, row_is_new, _participation in checked
        )
        result.written = not dry_run and not problems
        if not result.written:
            transaction.set_rollback(True)
    # In the file's order, whichever way a row was checked.
    result.problems = sorted(problems, key=lambda problem: problem.row or 0)
    result.outcomes = [] if problems else sorted(outcomes, key=lambda outcome: outcome.number)
    return result


def _held_jobseekers(rows: list[Row]) -> dict[tuple[int, str], Jobseeker]:
    """The jobseekers already held under the file's PES references (matched as the services
    match them: same PES, same reference)."""
    wanted = {(row.pes.pk, row.reference) for row in rows}
    held: dict[tuple[int, str], Jobseeker] = {}
    for jobseeker in (
        Jobseeker.objects.filter(
            pes__in={row.pes.pk for row in rows},
            external_ref__in={row.reference for row in rows},
        )
        .select_related("pes")
        .select_for_update(of=("self",))
        # Locked in one order by every import: two importing the same people wait, not deadlock.
        .order_by("pk")
    ):
        key = (jobseeker.pes_id, jobseeker.external_ref)
        if key in wanted:
            held[key] = jobseeker
    return held


def _differences(jobseeker: Jobseeker, values: dict[str, Any]) -> list[tuple[str, str]]:
    """The file's values that differ from those held; a value not held (blank, or the field's
    default: a gender "not given") is no difference, the file gives it."""
    found = []
    for name, value in values.items():
        current = getattr(jobseeker, name)
        not_held = (None, "", model_field(Jobseeker, name).get_default())
        if current not in not_held and current != value:
            column = FIELD_COLUMNS[name]
            found.append(
                (
                    column,
                    _(
                        'the %(pes)s jobseeker %(reference)s is held with "%(held)s", the file '
                        'says "%(file)s"; correct the file or tick “update existing records”.'
                    )
                    % {
                        "pes": jobseeker.pes,
                        "reference": jobseeker.external_ref,
                        "held": current,
                        "file": value,
                    },
                )
            )
    return found


def _validation_problems(number: int, exc: ValidationError) -> list[Problem]:
    return [
        Problem(number, FIELD_COLUMNS.get(name, name), message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _update_jobseekers(
    rows: list[tuple[Row, Jobseeker]], user: AbstractBaseUser | None, problems: list[Problem]
) -> tuple[set[int], set[int]]:
    """The held jobseekers with the file's values, checked as the new ones are (the model's own
    rules, without a query per record) and written in one UPDATE with their history. Returns
    the numbers of the rows refused, and of those whose jobseeker changes."""
    refused: set[int] = set()
    changed: list[Jobseeker] = []
    changed_rows: set[int] = set()
    fields: set[str] = set()
    for row, jobseeker in rows:
        values = {
            name: value
            for name, value in row.jobseeker_values.items()
            if getattr(jobseeker, name) != value
        }
        if not values:
            continue
        for name, value in values.items():
            setattr(jobseeker, name, value)
        try:
            jobseeker.clean_fields(exclude=JOBSEEKER_RESOLVED)
            # The year of birth against the ages of the jobseeker's actions, when it changes.
            jobseeker.clean()
        except ValidationError as exc:
            problems.extend(_validation_problems(row.number, exc))
            refused.add(row.number)
            continue
        changed.append(jobseeker)
        changed_rows.add(row.number)
        fields.update(values)
    if changed and not refused:
        _written_or_refused(
            lambda: bulk_write(Jobseeker, created=[], updated=changed, fields=fields, user=user),
            problems,
        )
    return refused, changed_rows


def _update_participations(
    rows: list[tuple[Row, Jobseeker]],
    action: Action,
    user: AbstractBaseUser | None,
    problems: list[Problem],
    *,
    jobseekers_changed: set[int],
) -> list[RowOutcome]:
    """The participations already held, changed as a push of them would change them: every
    rule checked for all at once (Participation.clean's), the changed ones written in one
    UPDATE with their history. A row whose jobseeker and participation are already as the file
    says is told unchanged (jobseekers_changed: the numbers of the rows whose jobseeker
    changed)."""
    if not rows:
        return []
    items = [
        {"action": action, "jobseeker": jobseeker, **row.participation_values}
        for row, jobseeker in rows
    ]
    pushed: list[PushOutcome] = []
    try:
        _written_or_refused(
            lambda: pushed.extend(participations_push(items=items, user=user)), problems
        )
    except PushRefused as refusal:
        problems.extend(
            Problem(
                None if problem.index is None else rows[problem.index][0].number,
                FIELD_COLUMNS.get(problem.field, problem.field),
                problem.message,
            )
            for problem in refusal.problems
        )
    unchanged = {
        rows[outcome.index][0].number
        for outcome in pushed
        if outcome.status == PushStatus.UNCHANGED
    } - jobseekers_changed
    return [
        RowOutcome(
            row.number,
            f"{row.pes} {row.reference}",
            RowChange.UNCHANGED if row.number in unchanged else RowChange.UPDATED,
        )
        for row, _jobseeker in rows
    ]


def _written_or_refused(write: Callable[[], object], problems: list[Problem]) -> None:
    """A bulk write in a savepoint. Every rule is checked before it: refused by the database, it
    met a record written meanwhile by someone else, or a rule the checks do not know; the
    import's transaction stays usable for the checks of the other rows, and is rolled back by
    the caller, as there is a problem."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError as exc:
        problems.append(
            Problem(
                None,
                "",
                _(
                    "The database refused the import (%(error)s); nothing was written. Check the "
                    "file again: someone may have changed the action's records meanwhile."
                )
                % {"error": exc},
            )
        )


# Foreign keys of the new records that the import resolved itself (the action, the PES, employers
# and certificates looked up by name, jobseekers created with it): clean_fields() would check each
# with a query per row.
JOBSEEKER_RESOLVED = ["pes"]
PARTICIPATION_RESOLVED = ["action", "jobseeker", "pes", "hired_by", "certificate"]


def _check_new_rows(
    rows: list[tuple[Row, Jobseeker | None]], action: Action, problems: list[Problem]
) -> list[tuple[Row, bool, Participation]]:
    """The model's rules for the new participations (and new jobseekers), with a fixed number of
    queries for the whole file: each record's own rules as full_clean() checks them, then the
    action's rules (Participation.action_errors asks them per record) once for all.
    Returns the rows that pass: the row, whether its jobseeker is new, its participation."""
    if not rows:
        return []
    pes_with_figures = action.pes_with_figures(among={row.pes.pk for row, _held in rows})
    places_taken = action.places_taken() if action.limits_places else 0
    start_window = action.start_window()
    employer_ids = (
        action.employer_ids()
        if any(row.participation_values.get("hired_by") for row, _h in rows)
        else set()
    )
    cohort_reported = False
    checked: list[tuple[Row, bool, Participation]] = []
    for row, held in rows:
        jobseeker = held or Jobseeker(
            pes=row.pes, external_ref=row.reference, **row.jobseeker_values
        )
        if held is None:
            try:
                jobseeker.clean_fields(exclude=JOBSEEKER_RESOLVED)
            except ValidationError as exc:
                problems.extend(_validation_problems(row.number, exc))
                continue
            # Computes the pseudonym and checks the year of birth against today (parse_rows
            # checks it against the database's bounds); one jobseeker per PES and reference is
            # checked by parse_rows and _held_jobseekers.
            try:
                jobseeker.clean()
            except ValidationError as exc:
                problems.extend(_validation_problems(row.number, exc))
                continue
        # bulk_create skips save(), which copies the jobseeker's PES.
        participation = Participation(
            action=action, jobseeker=jobseeker, pes=row.pes, **row.participation_values
        )
        errors: dict[str, list[str]] = {}
        try:
            participation.clean_fields(exclude=PARTICIPATION_RESOLVED)
        except ValidationError as exc:
            errors = exc.message_dict
        for name, message in participation.rule_errors().items():
            errors.setdefault(name, []).append(str(message))
        # The action's rules that Participation.action_errors asks, with what was asked above.
        if participation.started_on and "started_on" not in errors:
            refusal = action.start_refusal(participation.started_on, window=start_window)
            if refusal:
                errors.setdefault("started_on", []).append(refusal)
        refusal = action.age_refusal(jobseeker.birth_year)
        if refusal:
            errors.setdefault("birth_year", []).append(refusal)
        hired_by = participation.hired_by
        if hired_by is not None:
            refusal = action.hire_refusal(hired_by.pk, employer_ids=employer_ids)
            if refusal:
                errors.setdefault("hired_by", []).append(refusal)
        if errors:
            problems.extend(_validation_problems(row.number, ValidationError(errors)))
            continue
        refusal = action.records_refusal(row.pes, pes_with_figures=pes_with_figures)
        if refusal:
            problems.append(Problem(row.number, FIELD_COLUMNS["jobseeker"], refusal))
            continue
        if participation.has_started:
            refusal = action.places_refusal(1, taken=places_taken)
            if refusal:
                # The first row over the limit; the rows after it are over for the same reason.
                if not cohort_reported:
                    problems.append(Problem(row.number, FIELD_COLUMNS["action"], refusal))
                    cohort_reported = True
                continue
            places_taken += 1
        checked.append((row, held is None, participation))
    return checked


def _write_new_rows(
    checked: list[tuple[Row, bool, Participation]],
    user: AbstractBaseUser | None,
    problems: list[Problem],
) -> None:
    """New jobseekers, then their participations, each in one INSERT with one for the trail."""

    def write() -> None:
        bulk_insert_with_history(
            [participation.jobseeker for _row, is_new, participation in checked if is_new],
            Jobseeker,
            user=user,
        )
        # The participations were given their jobseekers before these had ids; the write takes
        # the ids given above.
        bulk_insert_with_history(
            [participation for _row, _is_new, participation in checked],
            Participation,
            user=user,
        )
        facts_written_for(participation.action_id for _row, _is_new, participation in checked)

    _written_or_refused(write, problems)


def template(file_format: str, sep: str | None = None) -> bytes:
    return tabular.write_template(COLUMNS, notes(), file_format, sep)


class ParticipationResource(GuardedExportResource):
    """Export of participation records in the columns of the import, so an export re-imports.
    The special categories only with `special_categories` (for a user who may read them:
    ParticipationAdmin.get_export_resource_kwargs)."""

    action = fields.Field(attribute="action__reference", column_name="action")
    pes = fields.Field(attribute="jobseeker__pes__slug", column_name="pes")
    reference = fields.Field(attribute="jobseeker__external_ref", column_name="reference")
    # Written yes or no, as the import reads it (dehydrate_refugee).
    refugee = fields.Field(column_name="refugee")
    hired_by = fields.Field(attribute="hired_by__slug", column_name="hired_by")
    certificate = fields.Field(attribute="certificate__slug", column_name="certificate")

    class Meta:
        model = Participation
        fields = COLUMNS
        export_order = COLUMNS

    def __init__(self, *, special_categories: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The other fields that describe the jobseeker, as they are held, in their columns.
        for name, column in PERSONAL_COLUMNS.items():
            if column not in self.fields:
                self.fields[column] = fields.Field(
                    attribute=f"jobseeker__{name}", column_name=column
                )
        if special_categories:
            # Written yes or no, as the import reads them (_yes_no).
            for name, column in SENSITIVE_COLUMNS.items():
                self.fields[column] = fields.Field(
                    column_name=column,
                    dehydrate_method=lambda participation, name=name: _yes_no(
                        getattr(participation.jobseeker, name)
                    ),
                )
        self.columns = COLUMNS_WITH_SPECIAL_CATEGORIES if special_categories else COLUMNS

    def get_export_order(self) -> tuple[str, ...]:
        return self.columns

    def dehydrate_refugee(self, participation: Participation) -> str:
        return _yes_no(participation.jobseeker.is_refugee)

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.select_related(
            "action", "jobseeker__pes", "hired_by", "certificate"
        ).order_by("action_id", "jobseeker__pes__slug", "jobseeker__external_ref")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")
