"""CSV for the API (`?format=csv`): one flat row per result, for partners who work in Excel.
The file itself is the project's one CSV writer's (crossborder.core.writers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from crossborder.core.formats import CSV
from crossborder.core.writers import write_csv


def _rows(data: Any) -> list[Mapping[str, Any]]:
    """The rows in a response: the results of a page or table, a list, or one object."""
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        # A list of messages (a refused search) is a column of them.
        return [row if isinstance(row, Mapping) else {"detail": row} for row in data]
    if isinstance(data, Mapping):
        return [data]
    return [{"value": data}]


class CSVRenderer(BaseRenderer):
    media_type = CSV.media_type
    format = CSV.name
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
            response["Content-Disposition"] = f'attachment; filename="{CSV.filename(name)}"'
        if data is None:
            return b""
        return write_csv(_rows(data))
