"""The formats a report can be written in: one declaration each (name, media type, extension,
label), and for each kind of output the formats it offers with the writer of each.

The year report page, the `report` command and the action list's downloads read their formats
here, so that an unknown one is refused with the same message naming the allowed ones. A new
format is a declaration below and, for each output that offers it, a writer function in its
`Writers` (reports.exports).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FORMAT_MESSAGE = _("“%(value)s” is not a format; use any of: %(choices)s.")


@dataclass(frozen=True)
class Format:
    name: str  # as a parameter asks for it: ?format=xlsx, --format xlsx
    media_type: str
    extension: str
    label: Promise  # a download link's text
    # A binary file cannot go to a terminal: the command asks for a file to write it to.
    binary: bool

    @property
    def content_type(self) -> str:
        """The Content-Type of a response; text is always UTF-8."""
        return self.media_type if self.binary else f"{self.media_type}; charset=utf-8"

    def filename(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


HTML = Format("html", "text/html", "html", _("Web page (.html)"), binary=False)
DOCX = Format(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    _("Word (.docx)"),
    binary=True,
)
XLSX = Format(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    _("Excel (.xlsx)"),
    binary=True,
)
CSV = Format("csv", "text/csv", "csv", _("CSV (.csv)"), binary=False)
JSON = Format("json", "application/json", "json", _("JSON (.json)"), binary=False)

FORMATS: dict[str, Format] = {f.name: f for f in (HTML, DOCX, XLSX, CSV, JSON)}


class UnknownFormat(ValueError):
    """A format an output does not offer; the message names the ones it does."""

    def __init__(self, value: str, allowed: tuple[str, ...]) -> None:
        self.value, self.allowed = value, allowed
        super().__init__(str(self))

    def __str__(self) -> str:
        return str(FORMAT_MESSAGE) % {"value": self.value, "choices": ", ".join(self.allowed)}


Data = TypeVar("Data")
# A writer: the data of an output and a language code, to the bytes of a file.
Writer = Callable[[Data, str], bytes]


class Writers(Generic[Data]):
    """The formats one kind of output is offered in, each with its writer, in the order a page
    offers them."""

    def __init__(self, writers: Mapping[Format, Writer[Data]]) -> None:
        self._writers = {fmt.name: (fmt, write) for fmt, write in writers.items()}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._writers)

    @property
    def formats(self) -> tuple[Format, ...]:
        return tuple(fmt for fmt, _write in self._writers.values())

    def get(self, name: str) -> tuple[Format, Writer[Data]]:
        """The format of this name and its writer; UnknownFormat names the allowed ones."""
        if name not in self._writers:
            raise UnknownFormat(name, self.names)
        return self._writers[name]
