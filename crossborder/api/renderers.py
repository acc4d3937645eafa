"""CSV for the API (`?format=csv`): one flat row per result, for partners who work in Excel.
The file itself is the project's one CSV writer's (crossborder.core.writers), its cells separated
as `sep` asks or as the Excel of the request's language expects.

`?format=` names the format whatever the Accept header says: a partner's HTTP client (or a
browser) sends `Accept: application/json` or `*/*` out of habit, and the link it was given says
CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.serializers import ValidationError

from crossborder.core.formats import CSV
from crossborder.core.writers import UnknownSeparator, separator, write_csv

# The query parameter that chooses the separator of a CSV.
SEP_PARAMETER = "sep"


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


def csv_separator(request: Request) -> str:
    """The separator a request asks for (`sep`), else its language's (UnknownSeparator for a
    value that is none of crossborder.core.writers.SEPARATORS)."""
    language = get_language() or settings.LANGUAGE_CODE
    return separator(request.query_params.get(SEP_PARAMETER), language)


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
        request = context.get("request")
        if response is not None and view is not None and not response.exception:
            name = getattr(view, "basename", None) or "export"
            response["Content-Disposition"] = f'attachment; filename="{CSV.filename(name)}"'
        if data is None:
            return b""
        # The negotiation checked `sep` already (FormatFirstNegotiation): no error here, where
        # it could only be a server error.
        delimiter = csv_separator(request) if request is not None else ","
        return write_csv(_rows(data), delimiter=delimiter)


class FormatFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that `?format=` wins over the Accept header (DRF answers
    `?format=csv` with `Accept: application/json` 406); an unknown format stays a 404, as in
    DRF, naming the formats there are. Where CSV is offered, a `sep` that names no separator is
    a 400 naming the allowed ones, whatever the format asked: the parameter is documented there,
    and a wrong value is never silently ignored."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        if SEP_PARAMETER in request.query_params and any(
            isinstance(renderer, CSVRenderer) for renderer in renderers
        ):
            try:
                csv_separator(request)
            except UnknownSeparator as error:
                raise ValidationError({SEP_PARAMETER: [str(error)]}) from error
        format_query_param = self.settings.URL_FORMAT_OVERRIDE
        asked = format_suffix or (
            request.query_params.get(format_query_param) if format_query_param else None
        )
        if asked is None:
            return super().select_renderer(request, renderers, format_suffix)
        for renderer in renderers:
            if renderer.format == asked:
                return renderer, renderer.media_type
        formats = ", ".join(f"“{renderer.format}”" for renderer in renderers)
        raise NotFound(
            _("No format “%(format)s” here: give one of %(formats)s.")
            % {"format": asked, "formats": formats}
        )
