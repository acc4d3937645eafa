"""Every spreadsheet file the project writes: one CSV writer and one .xlsx writer.

The API's `?format=csv`, the year report and outcomes files, the action list's downloads and the
empty import templates all write through here, so that each of them guards against formulas,
reads its accents right in Excel and lays out its header the same way. A CSV's cells are separated
as the reader's Excel splits them (`separator`): Belgian and French Excel (Dutch and French) at
semicolons, the comma being their decimal mark; English Excel at commas. Every CSV the project
serves takes `sep=;`, `sep=,` or `sep=tab` to ask for another.

Excel (and LibreOffice) runs a cell of text that starts with = + - @, a tab or a carriage return
as a formula: a title "=HYPERLINK(...)" typed into the admin would become a live link in a
coordinator's download (CSV injection). Such a text is written with a leading quote, which makes
it read as text. Numbers and dates stay what they are, so a negative number is untouched.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What `sep` may ask for, and the character each names (a tab cannot be typed in a URL).
SEPARATORS: dict[str, str] = {";": ";", ",": ",", "tab": "\t"}
# The languages whose Excel splits a CSV at commas; every other language of the site at
# semicolons.
COMMA_LANGUAGES = ("en",)


class UnknownSeparator(ValueError):
    """A `sep` that is none of SEPARATORS; the message names the allowed ones."""

    def __str__(self) -> str:
        return _("“%(value)s” is not a separator; use any of: %(choices)s.") % {
            "value": self.args[0],
            "choices": ", ".join(f"“{name}”" for name in SEPARATORS),
        }


def separator(asked: str | None, language: str) -> str:
    """The cell separator of a CSV: the one asked for (a key of SEPARATORS, else
    UnknownSeparator), or by default the one the Excel of the language splits at."""
    if asked is None:
        return "," if language.split("-")[0] in COMMA_LANGUAGES else ";"
    if asked not in SEPARATORS:
        raise UnknownSeparator(asked)
    return SEPARATORS[asked]


def guard(value: Any) -> Any:
    """A value as a spreadsheet must read it: a text that would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguard(text: str) -> str:
    """A text as it was before `guard`: a file written here and read back (an export
    re-imported) gives the value that was held, not one with a quote in front."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of columns: nested objects as `parent.child`, lists of plain values joined by
    "; ", lists of objects (an action's figures) as compact JSON in one cell."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, list | tuple):
            if all(not isinstance(item, Mapping | list | tuple) for item in value):
                flat[name] = "; ".join("" if item is None else str(item) for item in value)
            else:
                flat[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            flat[name] = value
    return flat


def _csv_cell(value: Any) -> Any:
    # CSV has no empty value nor booleans of its own: an empty cell, and the words of JSON.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return guard(value)


def _columns(flat_rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key of the rows, in the order they first appear."""
    columns: dict[str, None] = {}
    for row in flat_rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    *,
    columns: Sequence[str] | None = None,
    headings: Sequence[str] | None = None,
    delimiter: str = ",",
) -> bytes:
    """A CSV file of the rows, flattened: `columns` in order (by default every key of the rows),
    headed by `headings` (by default the column names). UTF-8 with a byte-order mark, which
    makes Excel read the accents (Pôle emploi, Réfugiés), and CRLF line ends."""
    flat_rows = [flatten(row) for row in rows]
    names = list(columns) if columns is not None else _columns(flat_rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_csv_cell(text) for text in (headings or names)])
    for row in flat_rows:
        writer.writerow([_csv_cell(row.get(name)) for name in names])
    return buffer.getvalue().encode("utf-8-sig")


class XlsxSheet:
    """One sheet of a workbook, written row by row."""

    def __init__(self, worksheet: Worksheet, lower_bound_format: str) -> None:
        self._sheet = worksheet
        self._lower_bound_format = lower_bound_format

    def append(
        self,
        values: Sequence[Any] = (),
        *,
        bold: bool = False,
        size: float | None = None,
        lower_bounds: Collection[int] = (),
    ) -> None:
        """A row of cells; `lower_bounds` are the positions of figures that are minimums, shown
        with the workbook's format for them while the cell stays a number that sums."""
        from openpyxl.styles import Font

        self._sheet.append([guard(value) for value in values])
        font = Font(bold=bold, size=size) if bold or size else None
        if not values or (font is None and not lower_bounds):
            return
        for index, cell in enumerate(self._sheet[self._sheet.max_row][: len(values)]):
            if index in lower_bounds and self._lower_bound_format:
                cell.number_format = self._lower_bound_format
            if font is not None:
                cell.font = font

    def header(self, headings: Sequence[str]) -> None:
        """The header row, in bold, kept in view while the rows scroll under it."""
        self.append(headings, bold=True)
        # By name: asking the sheet for the cell below would create it, and the rows would
        # start one lower.
        self._sheet.freeze_panes = f"A{self._sheet.max_row + 1}"

    def table(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        columns: Sequence[str],
        headings: Sequence[str] | None = None,
        lower_bounds: str = "",
    ) -> None:
        """A header and the rows, flattened as in the CSV; `lower_bounds` names the field of a
        row that lists its columns that are minimums."""
        self.header(headings or columns)
        for row in rows:
            bounded = set(row.get(lower_bounds) or ()) if lower_bounds else set()
            flat = flatten(row)
            self.append(
                [flat.get(name) for name in columns],
                lower_bounds={index for index, name in enumerate(columns) if name in bounded},
            )

    def width(self, column: str, width: float) -> None:
        """The width of a column (by letter), in characters."""
        self._sheet.column_dimensions[column].width = width


class XlsxWorkbook:
    """An .xlsx file of one or more sheets. `lower_bound_format` is the number format of
    figures that are minimums ('"at least "0' in the reader's language)."""

    def __init__(self, *, lower_bound_format: str = "") -> None:
        from openpyxl import Workbook

        self._book = Workbook()
        self._lower_bound_format = lower_bound_format
        self._sheets = 0

    def sheet(self, title: str) -> XlsxSheet:
        """A new sheet; Excel refuses some characters in sheet names and more than 31."""
        name = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
        if self._sheets:
            worksheet = self._book.create_sheet(name)
        else:
            # A new workbook has one empty sheet already: the first sheet is that one.
            worksheet = self._book.active
            worksheet.title = name
        self._sheets += 1
        return XlsxSheet(worksheet, self._lower_bound_format)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def write_xlsx(
    rows: Iterable[Mapping[str, Any]],
    *,
    title: str,
    columns: Sequence[str],
    headings: Sequence[str] | None = None,
) -> bytes:
    """A workbook of one sheet: the header and the rows, as `write_csv` lays them out."""
    workbook = XlsxWorkbook()
    workbook.sheet(title).table(rows, columns=columns, headings=headings)
    return workbook.to_bytes()
