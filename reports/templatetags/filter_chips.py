"""The filters a page is showing, as removable chips: each a link to the same page without that
one value, and a link that clears them all. The URL stays the one place the filters live."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

register = template.Library()

# Parameters that belong to one page of one listing, not to the selection: dropped from the links.
_TRANSIENT = ("page", "export")


@dataclass(frozen=True)
class Chip:
    field: str
    value: str
    url: str
    remove_label: str


def _tokens(query: QueryDict, name: str) -> list[str]:
    """The values of a parameter, repeated or comma-separated, as the filters read them."""
    return [t.strip() for v in query.getlist(name) for t in v.split(",") if t.strip()]


def _url(request: HttpRequest, query: QueryDict) -> str:
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _base(request: HttpRequest) -> QueryDict:
    """The page's query without its transient parameters, nor the empty ones a form submits for
    the fields left blank (`year=&semester=`), which say nothing."""
    query = request.GET.copy()
    for name in [*_TRANSIENT, *(key for key, values in query.lists() if not any(values))]:
        query.pop(name, None)
    return query


def _choice_labels(field: forms.BoundField) -> dict[str, str]:
    """Value → label of a field with choices; read from its rendered options (already built for
    the form, so no further query)."""
    if not isinstance(field.field.widget, forms.CheckboxSelectMultiple):
        return {}
    return {str(option.data["value"]): str(option.choice_label) for option in field.subwidgets}


def chips_for(request: HttpRequest, fields: Iterable[forms.BoundField]) -> dict[str, Any]:
    chips: list[Chip] = []
    names: list[str] = []
    for field in fields:
        name = field.html_name
        names.append(name)
        tokens = _tokens(request.GET, name)
        if not tokens:
            continue
        labels = _choice_labels(field)
        field_label = str(field.label or name)
        for token in dict.fromkeys(tokens):
            query = _base(request)
            query.setlist(name, [t for t in tokens if t != token])
            value = labels.get(token, token)
            # A choice names itself ("VDAB"); a free value needs its field ("from 2018-01-01").
            named = value if labels else f"{field_label} {value}"
            chips.append(
                Chip(
                    field=field_label,
                    value=value,
                    url=_url(request, query),
                    remove_label=_("Remove filter: %(filter)s") % {"filter": named},
                )
            )
    cleared = _base(request)
    for name in names:
        cleared.pop(name, None)
    return {"chips": chips, "clear_url": _url(request, cleared)}


@register.inclusion_tag("reports/includes/filter_chips.html", takes_context=True)
def filter_chips(context: template.Context, fields: Iterable[forms.BoundField]) -> dict[str, Any]:
    """``{% filter_chips filter_fields %}``: the chips of the filters among these fields."""
    return chips_for(context["request"], fields)
