"""CSV for the API (`?format=csv`): one flat row per result, for partners who work in Excel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

# Excel runs a cell that starts with one of these as a formula (CSV injection); a leading quote
# makes it read as text. Numbers are written as numbers, so negative values are untouched.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
            flat[name] = _cell(value)
    return flat


def rows_of(data: Any) -> list[Mapping[str, Any]]:
    """The rows in a response: the results of a page or table, a list, or one object."""
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        # A list of messages (a refused search) is a column of them.
        return [row if isinstance(row, Mapping) else {"detail": row} for row in data]
    if isinstance(data, Mapping):
        return [data]
    return [{"value": data}]


def write_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    flat_rows = [flatten(row) for row in rows]
    columns: dict[str, None] = {}
    for row in flat_rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat_rows)
    # The byte-order mark makes Excel read the file as UTF-8 (Pôle emploi, Réfugiés).
    return buffer.getvalue().encode("utf-8-sig")


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        context = renderer_context or {}
        response, view = context.get("response"), context.get("view")
        if response is not None and view is not None and not response.exception:
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        if data is None:
            return b""
        return write_csv(rows_of(data))
