"""Reading spreadsheets that coordinators upload: .xlsx and .csv, whatever Excel made of them.

Belgian and French Excel save CSV with semicolons in Windows-1252; others save UTF-8, with or
without a byte-order mark, and commas. This module turns any of those into rows of cells keyed
by column name, and says plainly why a file cannot be read. It knows nothing of jobseekers or
figures: participants/imports.py and actions/imports.py check the cells.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any, Generic, TypeVar

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .writers import XlsxWorkbook, separator, unguard, write_csv

# Large enough for ten thousand rows, small enough that a wrong file (a photo, a database dump)
# is refused before anything reads it. IMPORT_MAX_BYTES in the settings overrides it.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Participations are checked once per file and written in bulk (a fixed number of queries), so a
# row costs a fraction of a millisecond: the admin takes what a web request reads and checks in a
# few seconds, the command twice that.
MAX_ROWS = 10000
ADMIN_MAX_ROWS = 5000
FORMATS = ("xlsx", "csv")


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


# An import's outcome of one row (participants.imports.RowOutcome, actions.imports.FigureOutcome).
OutcomeT = TypeVar("OutcomeT")


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: the spreadsheet row (1 is the header) and the column."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        values = {"row": self.row, "column": self.column, "message": self.message}
        if self.row is not None and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % values
        if self.row is not None:
            return _("Row %(row)s: %(message)s") % values
        if self.column:
            return _("column %(column)s: %(message)s") % values
        return self.message


@dataclass
class Result(Generic[OutcomeT]):
    """What an import found wrong, what it does (or, checked only, would do) with each row,
    and whether it wrote: nothing is written while a problem remains."""

    problems: list[Problem] = field(default_factory=list)
    outcomes: list[OutcomeT] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


class FileRefused(Exception):
    """The file as a whole cannot be imported (too big, unreadable, columns wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    columns: list[str]
    # (row number in the spreadsheet, cells by column name); blank rows are left out.
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


@dataclass
class RowCheck:
    """The problems found in one row, collected cell by cell."""

    number: int
    cells: dict[str, object]
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def text(self, column: str) -> str:
        return text(self.cells.get(column))

    def parse(self, column: str, parser: Callable[[object], Any]) -> Any:
        """The cell read by parser, or None with the parser's message recorded."""
        try:
            return parser(self.cells.get(column))
        except ValueError as exc:
            self.refuse(column, str(exc))
            return None


def normalise_header(value: object) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s\-]+", "_", text.replace("\ufeff", "").strip().lower())


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
            % {"size": _size(size), "limit": _size(limit)}
        )


def read_table(
    filename: str,
    data: bytes,
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    max_rows: int = MAX_ROWS,
) -> Table:
    """The rows of an uploaded file; FileRefused says what to fix when it cannot be read.

    The file is read row by row and the limits are checked as each row comes, so that a small
    file claiming a million rows or columns is refused before they are built."""
    check_size(len(data))
    # Blank rows are left out, but read: as many of them as rows may be taken, no more.
    last_row = 2 * max_rows + 1
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        rows = _xlsx_rows(data, last_row=last_row)
    elif extension == "csv":
        rows = _csv_rows(data)
    else:
        raise FileRefused(
            _(
                '"%(filename)s" is neither .xlsx nor .csv: save it from Excel as "Excel workbook '
                '(.xlsx)" or "CSV".'
            )
            % {"filename": filename}
        )
    try:
        return _table(rows, known=known, required=required, max_rows=max_rows, last_row=last_row)
    finally:
        rows.close()


def _table(
    rows: Iterator[list[object]],
    *,
    known: tuple[str, ...],
    required: tuple[str, ...],
    max_rows: int,
    last_row: int,
) -> Table:
    header = next(rows, None)
    if header is None or not any(_filled(cell) for cell in header):
        raise FileRefused(_("The file is empty: the first row must hold the column names."))
    _check_width(1, header)
    _check_nul(1, header, [str(index) for index in range(1, len(header) + 1)])
    columns = [normalise_header(cell) for cell in header]
    while columns and not columns[-1]:
        columns.pop()
    _check_columns(columns, known, required)
    table = Table(columns=columns)
    for number, cells in enumerate(rows, start=2):
        if number > last_row:
            raise FileRefused(_too_long(last_row))
        _check_width(number, cells)
        if not any(_filled(cell) for cell in cells):
            continue
        if len(table.rows) == max_rows:
            if max_rows < MAX_ROWS:
                message = _(
                    "The file has more than %(max_rows)s rows; split it into smaller files (or "
                    "import it with manage.py import_participations)."
                )
            else:
                message = _(
                    "The file has more than %(max_rows)s rows; split it into smaller files."
                )
            raise FileRefused(message % {"max_rows": max_rows})
        extra = [cell for cell in cells[len(columns) :] if _filled(cell)]
        if extra:
            raise FileRefused(
                _(
                    "Row %(row)s has values beyond the last named column; give the column a name "
                    "from the template or remove the values."
                )
                % {"row": number}
            )
        padded = list(cells[: len(columns)]) + [None] * (len(columns) - len(cells))
        _check_nul(number, padded, columns)
        table.rows.append((number, dict(zip(columns, padded, strict=True))))
    return table


def _check_width(number: int, cells: list[object]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise FileRefused(_too_wide(number))


def _too_long(last_row: int) -> str:
    return _(
        "The file goes on beyond row %(last_row)s, blank rows included; delete the rows below "
        "the data, or split it into smaller files."
    ) % {"last_row": last_row}


def _too_wide(number: int) -> str:
    return _(
        "Row %(row)s goes on beyond column %(max_columns)s; delete the columns to the right of "
        "the data."
    ) % {"row": number, "max_columns": MAX_COLUMNS}


def _check_nul(number: int, cells: list[object], columns: list[str]) -> None:
    # PostgreSQL cannot store a NUL character in text: refused here, by row and column, rather
    # than by the database in the middle of the import's transaction.
    for column, cell in zip(columns, cells, strict=False):
        if isinstance(cell, str) and "\x00" in cell:
            raise FileRefused(
                _(
                    "Row %(row)s, column %(column)s holds a NUL character (an invisible character "
                    "that cannot be stored); delete it, or save the file again as .xlsx."
                )
                % {"row": number, "column": column}
            )


def _check_columns(columns: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for column in columns:
        if not column:
            raise FileRefused(_("A column has no name in the first row; name it or delete it."))
        if column in seen:
            raise FileRefused(
                _('The column "%(column)s" appears twice; keep one.') % {"column": column}
            )
        seen.add(column)
    unknown = [column for column in columns if column not in known]
    if unknown:
        raise FileRefused(
            ngettext(
                "Unknown column: %(unknown)s. The columns are: %(known)s (download the template).",
                "Unknown columns: %(unknown)s. The columns are: %(known)s (download the template).",
                len(unknown),
            )
            % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
        )
    missing = [column for column in required if column not in seen]
    if missing:
        raise FileRefused(
            ngettext(
                "Missing column: %(missing)s. Add it to the first row (download the template).",
                "Missing columns: %(missing)s. Add it to the first row (download the template).",
                len(missing),
            )
            % {"missing": ", ".join(missing)}
        )


# A workbook is a zip of XML files, which compress a hundred times or more: a few kilobytes may
# unpack into gigabytes. The largest import (10,000 rows of 26 columns, every cell filled with
# 25 characters) unpacks into 17 MB; what unpacks into more than this is refused unread.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# The templates have fewer than 30 columns; a row that goes on beyond this many cells is refused
# as it is read, before it is built.
MAX_COLUMNS = 100
_XLSX_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,  # the XML's ParseError
)


def _xlsx_rows(data: bytes, *, last_row: int) -> Generator[list[object], None, None]:
    """The first sheet's rows, each as long as its last cell, blank rows given as []."""
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # ZipFile stops each member at its declared size, so the sum bounds what is unpacked.
        unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise FileRefused(
                _(
                    "The workbook unpacks into %(size)s; the limit is %(limit)s. Save only the "
                    "data to import in a new workbook."
                )
                % {"size": _size(unpacked), "limit": _size(MAX_UNPACKED_BYTES)}
            )
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _XLSX_UNREADABLE as exc:
        raise FileRefused(_unreadable_xlsx()) from exc
    try:
        sheet = workbook.worksheets[0]
        # The dimension the sheet declares ("A1:XFD1048576") may be false: forgotten, so that a
        # row is as long as its last cell and the sheet ends with its last row.
        sheet.reset_dimensions()
        # openpyxl builds a whole XML row before it gives it: the sheet is first read without
        # building anything, and refused at the first row too far or too wide.
        with archive.open(sheet._worksheet_path) as source:
            _scan_sheet(source, last_row=last_row)
        yield from (list(row) for row in sheet.iter_rows(values_only=True))
    except _XLSX_UNREADABLE as exc:
        raise FileRefused(_unreadable_xlsx()) from exc
    finally:
        workbook.close()
        archive.close()


def _unreadable_xlsx() -> str:
    return _("The file is not a readable .xlsx workbook (an old .xls? save it again as .xlsx).")


# The XML of a sheet's row: where it starts, and where the rows end (the sheet's hyperlinks,
# formatting rules and the like follow them, one element each, as many as they are).
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROWS_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>")
# A cell is two to six elements (<c><v>1</v></c>, an inline string <c><is><t>a</t></is></c>),
# a cell of rich text a few more; every element but an empty one counts two "<".
MAX_MARKUP_PER_ROW = 64 * MAX_COLUMNS


def _scan_sheet(source: IO[bytes], *, last_row: int) -> None:
    """Refuse a sheet with more rows than last_row, or a row of more than MAX_MARKUP_PER_ROW
    tags, reading its XML in chunks and building nothing: counting "<" between the rows' starts
    runs at the speed of a byte search: 0.35 s for 10,000 rows of 26 columns, where an XML parser
    calling back for each element takes 1.2 s, and openpyxl then 7 s to read them."""
    rows = 0
    markup = 0  # "<" in the current row
    tail = b""
    while True:
        chunk = source.read(64 * 1024)
        text = tail + chunk
        # A tag cut at the chunk's end is read whole with the next chunk.
        cut = text.rfind(b"<", max(0, len(text) - 64)) if chunk else -1
        if cut <= 0:
            cut = len(text)
        text, tail = text[:cut], text[cut:]
        end = _ROWS_END.search(text)
        if end:
            text = text[: end.start()]
        position = 0
        for start in _ROW_START.finditer(text):
            markup += text.count(b"<", position, start.start())
            if rows and markup > MAX_MARKUP_PER_ROW:
                raise FileRefused(_too_wide(rows))
            rows, markup, position = rows + 1, 0, start.start()
            if rows > last_row:
                raise FileRefused(_too_long(last_row))
        markup += text.count(b"<", position)
        if rows and markup > MAX_MARKUP_PER_ROW:
            raise FileRefused(_too_wide(rows))
        if end or not chunk:
            return


def _csv_rows(data: bytes) -> Generator[list[object], None, None]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    # Excel writes the list separator of the computer's region: ";" in Belgium and France.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells: list[object] = list(row)
            yield cells
    except csv.Error as exc:
        raise FileRefused(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from exc


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 (Excel's "CSV" in Europe).

    UTF-16 and UTF-32 (Excel's "Unicode text") are refused by name: read as either, they give
    a character between every two letters, and columns no one wrote."""
    wide = _wide_encoding(data)
    if wide:
        raise FileRefused(
            _('The file is %(encoding)s; save it from Excel as "CSV UTF-8" or as .xlsx.')
            % {"encoding": wide}
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _(
                "The file is neither UTF-8 nor Windows-1252 text; save it from Excel as "
                '"CSV UTF-8" or as .xlsx.'
            )
        ) from exc


def _wide_encoding(data: bytes) -> str:
    """The encoding's name, UTF-32 or UTF-16, when the bytes are so encoded (by their byte-order
    mark, or by the NUL bytes that interleave the letters of such text); else ""."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    # Without a mark: in text of Latin letters, every second (UTF-16) or three bytes in four
    # (UTF-32) are NUL, where UTF-8 and Windows-1252 text has none, or a stray one.
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) * 4 < len(sample):
        return ""
    if sample.count(b"\x00\x00\x00") * 8 >= len(sample):
        return "UTF-32"
    return "UTF-16"


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _size(n: int) -> str:
    # In the reader's language: "1,5 MB" in Dutch, "1,5 Mo" in French. Rounded first:
    # number_format cuts the decimals off.
    if n >= 1024 * 1024:
        megabytes = round(n / (1024 * 1024), 1)
        return _("%(number)s MB") % {"number": formats.number_format(megabytes, 1)}
    return _("%(number)s KB") % {"number": formats.number_format(round(n / 1024), 0)}


# Cells. Each parser returns the value or raises ValueError with the message for the coordinator.


def text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        # Excel stores a reference typed as 1234 as the number 1234.0.
        return str(int(cell))
    # A cell our writers quoted, as "'=1+2", reads as the text that was held.
    return unguard(str(cell)).strip()


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def date(cell: object) -> datetime.date | None:
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    value = text(cell)
    if not value:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        _('"%(value)s" is not a date; write it as 2017-11-28 or 28/11/2017.') % {"value": value}
    )


def count(cell: object) -> int | None:
    """A whole number of 0 or more (counts, years)."""
    value = text(cell).replace("\u00a0", "").replace(" ", "")
    if not value:
        return None
    try:
        number: Decimal | None = Decimal(value.replace(",", "."))
    except InvalidOperation:
        number = None
    # "inf" and "NaN" are numbers to Decimal, but no count.
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise ValueError(_('"%(value)s" is not a whole number.') % {"value": value})
    if number < 0:
        raise ValueError(_("%(value)s is negative; a count is 0 or more.") % {"value": value})
    return int(number)


TRUE_WORDS = {"yes", "y", "ja", "j", "oui", "o", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "nee", "non", "false", "0"}


def yes_no(cell: object) -> bool | None:
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if not value:
        return None
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(
        _('"%(value)s" is not yes or no; write yes, no, or leave it empty.') % {"value": text(cell)}
    )


def write_template(
    columns: tuple[str, ...], notes: dict[str, str], file_format: str, sep: str | None = None
) -> bytes:
    """An empty import file: the column names, and in .xlsx a second sheet explaining them. A
    .csv is separated as `sep` asks, else as the Excel of the active language splits (the
    import reads any of the separators back: _csv_rows). UnknownSeparator for a `sep` there is
    not, whatever the format, as every download that takes `sep` answers."""
    delimiter = separator(sep, get_language() or settings.LANGUAGE_CODE)
    if file_format == "csv":
        return write_csv([], columns=columns, delimiter=delimiter)
    workbook = XlsxWorkbook()
    workbook.sheet("import").header(columns)
    workbook.sheet("columns").table(
        ({"column": column, "note": notes.get(column, "")} for column in columns),
        columns=["column", "note"],
        headings=[_("column"), _("what to write")],
    )
    return workbook.to_bytes()
