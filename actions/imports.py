"""Import of an action's aggregate figures from .xlsx or .csv; and their export.

The same shape as participants/imports.py: read, check every row, then write through
figure_upsert in one transaction that is rolled back for a preview or when any row fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from import_export import fields, resources

from crossborder import tabular
from crossborder.tabular import FileRefused, Problem
from crossborder.vocabulary import EMPLOYER_METRICS, FIGURE_METRICS
from projects.models import Organisation, OrganisationKind

from .models import Action, Figure
from .services import figure_upsert

COLUMNS: tuple[str, ...] = ("action", "metric", "pes", "value", "lower_bound", "note")
REQUIRED: tuple[str, ...] = ("metric", "value")
NOTES: dict[str, str] = {
    "action": "optional; the action's reference (as exported). Rows of another action are refused.",
    "metric": "required: " + ", ".join(FIGURE_METRICS),
    "pes": "vdab, le-forem or pole-emploi; empty when the split per PES is not known "
    "(always empty for employers, agencies and vacancies)",
    "value": "required: a whole number, 0 or more",
    "lower_bound": 'optional: yes for "more than" (the value is a minimum)',
    "note": "optional, at most 200 characters",
}
FIELD_COLUMNS: dict[str, str] = {"is_lower_bound": "lower_bound", NON_FIELD_ERRORS: ""}


@dataclass
class FigureRow:
    number: int
    metric: str
    pes: Organisation | None
    value: int
    is_lower_bound: bool
    note: str


@dataclass
class FigureOutcome:
    number: int
    figure: str
    outcome: str


@dataclass
class FigureImportResult:
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[FigureOutcome] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        new = sum(1 for o in self.outcomes if o.outcome == "new figure")
        return f"{len(self.outcomes)} rows: {new} new figures, {len(self.outcomes) - new} updated."


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
                f'this row is for action "{action_cell}", not {action.reference or action.pk}; '
                "import it into its own action or clear the cell.",
            )
        metric = tabular.text(cells.get("metric")).lower()
        if not metric:
            refuse("metric", f"required: {', '.join(FIGURE_METRICS)}.")
        elif metric not in FIGURE_METRICS:
            refuse(
                "metric",
                f'"{tabular.text(cells.get("metric"))}" is not a metric; use '
                f"{', '.join(FIGURE_METRICS)}.",
            )
        pes_name = tabular.text(cells.get("pes"))
        pes = all_pes.get(pes_name.lower()) if pes_name else None
        if pes_name and pes is None:
            refuse(
                "pes",
                f'"{pes_name}" is not a PES; use vdab, le-forem or pole-emploi, or leave it '
                "empty when the split is not known.",
            )
        elif pes is not None and metric in EMPLOYER_METRICS:
            refuse("pes", "employers, agencies and vacancies belong to no PES: leave it empty.")
        value = check.parse("value", tabular.count)
        if value is None and not check.text("value"):
            refuse("value", "required: a whole number, 0 or more.")
        lower_bound = check.parse("lower_bound", tabular.yes_no)
        note = tabular.text(cells.get("note"))
        if len(note) > 200:
            refuse("note", f"{len(note)} characters; at most 200.")
        if metric and not (pes_name and pes is None):
            key = (metric, pes.pk if pes else None)
            if key in first_row:
                refuse(
                    "metric",
                    f"{metric} for {pes or 'no PES'} is also on row {first_row[key]}; "
                    "keep one row per metric and PES.",
                )
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
        result.problems.append(Problem(None, "", "The file has no rows below the column names."))
    if result.problems:
        return result
    held = {(f.metric, f.pes_id): f for f in Figure.objects.filter(action=action)}
    with transaction.atomic():
        for row in rows:
            current = held.get((row.metric, row.pes.pk if row.pes else None))
            if current is not None and not update_existing:
                result.problems.append(
                    Problem(
                        row.number,
                        "value",
                        f"the action already has {row.metric} for {row.pes or 'no PES'}: "
                        f"{current.value}. Tick “update existing records” to replace it, or "
                        "remove the row.",
                    )
                )
                continue
            result.outcomes.append(_write_row(row, action, result.problems))
        result.written = not dry_run and not result.problems
        if not result.written:
            transaction.set_rollback(True)
    if result.problems:
        result.outcomes = []
    return result


def _write_row(row: FigureRow, action: Action, problems: list[Problem]) -> FigureOutcome:
    label = f"{row.metric} {row.pes or '(no PES)'}: {row.value}"
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
        return FigureOutcome(row.number, label, "refused")
    except IntegrityError as exc:
        problems.append(Problem(row.number, "", f"refused by the database: {exc}"))
        return FigureOutcome(row.number, label, "refused")
    return FigureOutcome(row.number, label, "new figure" if created else "figure updated")


def template(file_format: str) -> bytes:
    return tabular.write_template(COLUMNS, NOTES, file_format)


class FigureResource(resources.ModelResource):
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
