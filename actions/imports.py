"""Import of an action's aggregate figures from .xlsx or .csv; and their export.

The same shape as participants/imports.py: read, check every row, then write through
figure_upsert in one transaction that is rolled back for a preview or when any row fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export import fields, resources, widgets

from crossborder.core import tabular
from crossborder.core.metrics import EMPLOYER_METRICS, FIGURE_METRICS
from crossborder.core.tabular import FileRefused, Problem
from crossborder.core.vocabulary import OrganisationKind
from crossborder.core.writers import guard
from projects.models import Organisation

from .models import Action, Figure
from .services import figure_upsert

COLUMNS: tuple[str, ...] = ("action", "metric", "pes", "value", "lower_bound", "note")
REQUIRED: tuple[str, ...] = ("metric", "value")
FIELD_COLUMNS: dict[str, str] = {"is_lower_bound": "lower_bound", NON_FIELD_ERRORS: ""}


def notes() -> dict[str, str]:
    """What to write in each column, for the template's second sheet, in the reader's language."""
    return {
        "action": _(
            "optional; the action's reference (as exported). Rows of another action are refused."
        ),
        "metric": _("required: %(values)s") % {"values": ", ".join(FIGURE_METRICS)},
        "pes": _(
            "vdab, le-forem or pole-emploi; empty when the split per PES is not known "
            "(always empty for employers, agencies and vacancies)"
        ),
        "value": _("required: a whole number, 0 or more"),
        "lower_bound": _('optional: yes for "more than" (the value is a minimum)'),
        "note": _("optional, at most 200 characters"),
    }


@dataclass
class FigureRow:
    number: int
    metric: str
    pes: Organisation | None
    value: int
    is_lower_bound: bool
    note: str


class FigureChange(TextChoices):
    """What the import does with a row. Summaries count the codes; the labels are translated
    only when shown, in the reader's language."""

    CREATED = "created", gettext_lazy("new figure")
    UPDATED = "updated", gettext_lazy("figure updated")
    REFUSED = "refused", gettext_lazy("refused")


@dataclass
class FigureOutcome:
    number: int
    figure: str
    change: FigureChange

    @property
    def outcome(self) -> str:
        return str(self.change.label)


@dataclass
class FigureImportResult(tabular.Result[FigureOutcome]):
    def summary(self) -> str:
        """The line above the preview, e.g. "2 rows: 2 new figures, 0 updated.", in the
        reader's language.

        Every count goes through ngettext, for the plural forms of each language.
        """
        total = len(self.outcomes)
        new = sum(1 for o in self.outcomes if o.change == FigureChange.CREATED)
        updated = total - new
        return ngettext(
            # Translators: the form follows the number updated.
            "%(rows)s: %(new_figures)s, %(updated)s updated.",
            "%(rows)s: %(new_figures)s, %(updated)s updated.",
            updated,
        ) % {
            "rows": ngettext("%(count)s row", "%(count)s rows", total) % {"count": total},
            "new_figures": ngettext("%(count)s new figure", "%(count)s new figures", new)
            % {"count": new},
            "updated": updated,
        }


def pes_lookup() -> dict[str, Organisation]:
    """Each PES by its slug, its name and its former names, lower-cased (French files still say
    Pôle emploi for France Travail)."""
    lookup: dict[str, Organisation] = {}
    for pes in Organisation.objects.filter(kind=OrganisationKind.PES).prefetch_related(
        "former_names"
    ):
        for name in [pes.slug, pes.name, *(f.name for f in pes.former_names.all())]:
            lookup[name.strip().lower()] = pes
    return lookup


def parse_rows(table: tabular.Table, *, action: Action) -> tuple[list[FigureRow], list[Problem]]:
    problems: list[Problem] = []
    rows: list[FigureRow] = []
    all_pes = pes_lookup()
    action_names = {str(action.pk), action.reference.lower()} - {""}
    first_row: dict[tuple[str, int | None], int] = {}
    for number, cells in table.rows:
        check = tabular.RowCheck(number, cells)
        refuse = check.refuse
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
        metric = tabular.text(cells.get("metric")).lower()
        if not metric:
            refuse("metric", _("required: %(values)s.") % {"values": ", ".join(FIGURE_METRICS)})
        elif metric not in FIGURE_METRICS:
            refuse(
                "metric",
                _('"%(cell)s" is not a metric; use %(values)s.')
                % {"cell": tabular.text(cells.get("metric")), "values": ", ".join(FIGURE_METRICS)},
            )
        pes_name = tabular.text(cells.get("pes"))
        pes = all_pes.get(pes_name.lower()) if pes_name else None
        if pes_name and pes is None:
            refuse(
                "pes",
                _(
                    '"%(cell)s" is not a PES; use vdab, le-forem or pole-emploi, or leave it '
                    "empty when the split is not known."
                )
                % {"cell": pes_name},
            )
        elif pes is not None and metric in EMPLOYER_METRICS:
            refuse("pes", _("employers, agencies and vacancies belong to no PES: leave it empty."))
        value = check.parse("value", tabular.count)
        if value is None and not check.text("value"):
            refuse("value", _("required: a whole number, 0 or more."))
        lower_bound = check.parse("lower_bound", tabular.yes_no)
        note = tabular.text(cells.get("note"))
        if len(note) > 200:
            refuse("note", _("%(length)s characters; at most 200.") % {"length": len(note)})
        if metric and not (pes_name and pes is None):
            key = (metric, pes.pk if pes else None)
            if key in first_row:
                if pes is None:
                    message = _(
                        "%(metric)s for no PES is also on row %(row)s; keep one row per metric "
                        "and PES."
                    )
                else:
                    message = _(
                        "%(metric)s for %(pes)s is also on row %(row)s; keep one row per metric "
                        "and PES."
                    )
                refuse("metric", message % {"metric": metric, "pes": pes, "row": first_row[key]})
            else:
                first_row[key] = number
        if check.problems:
            problems.extend(check.problems)
        else:
            assert value is not None
            rows.append(FigureRow(number, metric, pes, value, bool(lower_bound), note))
    return rows, problems


def import_figures(
    *,
    action: Action,
    filename: str,
    data: bytes,
    dry_run: bool = True,
    update_existing: bool = False,
    max_rows: int = tabular.MAX_ROWS,
) -> FigureImportResult:
    """Check a file of figures and, unless dry_run or any row fails, write it in one transaction.

    A figure the action already has for the same metric and PES is reported unless
    update_existing is set: typing over a figure is a decision, not a side effect of an import.
    """
    result = FigureImportResult()
    try:
        table = tabular.read_table(
            filename, data, known=COLUMNS, required=REQUIRED, max_rows=max_rows
        )
    except FileRefused as refused:
        result.problems.append(Problem(None, "", refused.message))
        return result
    rows, result.problems = parse_rows(table, action=action)
    if not table.rows:
        result.problems.append(Problem(None, "", _("The file has no rows below the column names.")))
    if result.problems:
        return result
    # Once for the file: the figures of a PES whose reporting period is locked stay as they are.
    refusal = action.period_refusal({row.pes.pk for row in rows if row.pes is not None})
    if refusal:
        result.problems.append(Problem(None, "", refusal))
        return result
    held = {(f.metric, f.pes_id): f for f in Figure.objects.filter(action=action)}
    with transaction.atomic():
        for row in rows:
            current = held.get((row.metric, row.pes.pk if row.pes else None))
            if current is not None and not update_existing:
                if row.pes is None:
                    message = _(
                        "the action already has %(metric)s for no PES: %(value)s. Tick “update "
                        "existing records” to replace it, or remove the row."
                    )
                else:
                    message = _(
                        "the action already has %(metric)s for %(pes)s: %(value)s. Tick “update "
                        "existing records” to replace it, or remove the row."
                    )
                values = {"metric": row.metric, "pes": row.pes, "value": current.value}
                result.problems.append(Problem(row.number, "value", message % values))
                continue
            result.outcomes.append(_write_row(row, action, result.problems))
        result.written = not dry_run and not result.problems
        if not result.written:
            transaction.set_rollback(True)
    if result.problems:
        result.outcomes = []
    return result


def _write_row(row: FigureRow, action: Action, problems: list[Problem]) -> FigureOutcome:
    pes = row.pes or _("(no PES)")
    label = f"{row.metric} {pes}: {row.value}"
    try:
        with transaction.atomic():
            _figure, created = figure_upsert(
                action=action,
                metric=row.metric,
                pes=row.pes,
                value=row.value,
                is_lower_bound=row.is_lower_bound,
                note=row.note,
            )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = FIELD_COLUMNS.get(name, name)
            problems.extend(Problem(row.number, column, message) for message in messages)
        return FigureOutcome(row.number, label, FigureChange.REFUSED)
    except IntegrityError as exc:
        problems.append(
            Problem(row.number, "", _("refused by the database: %(error)s") % {"error": exc})
        )
        return FigureOutcome(row.number, label, FigureChange.REFUSED)
    return FigureOutcome(
        row.number, label, FigureChange.CREATED if created else FigureChange.UPDATED
    )


def template(file_format: str, sep: str | None = None) -> bytes:
    return tabular.write_template(COLUMNS, notes(), file_format, sep)


class GuardedExportResource(resources.ModelResource):
    """An admin export whose text cells go through the writers' formula guard: a note or a name
    typed as "=HYPERLINK(...)" reaches the coordinator's CSV or workbook as text, not as a
    formula. The import reads the quoted text back as it was held (tabular.text)."""

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        # A number rendered for the CSV ("-3") stays a number, as in the writers.
        if isinstance(field.widget, widgets.NumberWidget):
            return value
        return guard(value)


class FigureResource(GuardedExportResource):
    """Export of figures in the columns of the import, so an export re-imports."""

    action = fields.Field(attribute="action__reference", column_name="action")
    pes = fields.Field(attribute="pes__slug", column_name="pes")
    lower_bound = fields.Field(column_name="lower_bound")

    class Meta:
        model = Figure
        fields = COLUMNS
        export_order = COLUMNS

    def dehydrate_lower_bound(self, figure: Figure) -> str:
        return "yes" if figure.is_lower_bound else ""

    def filter_export(self, queryset: Any, **kwargs: Any) -> Any:
        return queryset.select_related("action", "pes").order_by(
            "action_id", "metric", F("pes__slug").asc(nulls_last=True)
        )
