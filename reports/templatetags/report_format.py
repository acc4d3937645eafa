"""How figures of the reports layer read on a page: lower bounds, counts, rates, and the
headings of their columns.

Only formatting: the numbers themselves (and the placement rate's rule) come from
reports.selectors, the headings from the metric registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crossborder.core import metrics
from reports import selectors
from reports.exports import Cell, Table

register = template.Library()

# What an empty cell reads: an en dash, as in print.
NO_VALUE = "\u2013"


def _number(value: int) -> str:
    # Grouped in the active locale's way (1,234 / 1.234 / 1 234), whatever USE_THOUSAND_SEPARATOR.
    return number_format(value, use_l10n=True, force_grouping=True)


@register.simple_tag
def metric(row: Mapping[str, Any], name: str) -> str:
    """A metric of a row or totals of an OutcomeTable: "200", or "at least 200" for a lower
    bound; a dash when the row has no value (``people`` without records)."""
    value = row.get(name)
    if value is None:
        return NO_VALUE
    if name in row.get("lower_bounds", ()):
        return _("at least %(number)s") % {"number": _number(value)}
    return _number(value)


@register.simple_tag
def heading(name: str) -> str:
    """A metric's column heading in the active language ("Started" for ``starts``)."""
    return metrics.heading(name)


@register.filter
def count(value: int | None) -> str:
    """A plain count in the locale's format."""
    return NO_VALUE if value is None else _number(value)


@register.simple_tag
def placement_rate(row: Mapping[str, Any]) -> str:
    """Work found per start (reports.selectors.placement_rate), as a percentage in the locale's
    format: "at most" when the starts are a minimum, "at least" when the work found is; a dash
    when nothing can be said, "not yet known" when no action's work found is known yet."""
    rate = selectors.placement_rate(row)
    if rate.ratio is None:
        return _("not yet known") if rate.pending else NO_VALUE
    text = percent(rate.ratio)
    if rate.bound == selectors.AT_MOST:
        return _("at most %(rate)s") % {"rate": text}
    if rate.bound == selectors.AT_LEAST:
        return _("at least %(rate)s") % {"rate": text}
    return text


@register.simple_tag
def work_found(row: Mapping[str, Any]) -> str:
    """A row's work found as `metric` shows it, or "not yet known" where it cannot be known yet
    (reports.selectors.work_found_pending): never a 0 that only means "not measured yet"."""
    if selectors.work_found_pending(row):
        return _("not yet known")
    return metric(row, metrics.WORK_FOUND)


@register.filter
def percent(ratio: float | None) -> str:
    """A share (0.42) as a whole percentage in the locale's format (42%)."""
    if ratio is None:
        return NO_VALUE
    # Rounded here: number_format cuts decimals off instead of rounding them.
    return _("%(percent)s%%") % {"percent": _number(round(100 * ratio))}


@register.simple_tag
def year_table(table: Table) -> SafeString:
    """One table of the answer sheet (reports.exports.Table): header, rows of cells (figures
    right-aligned, a lower bound marked), a total row; each cell carries its column's name for
    the cards a phone shows (a cell beyond the columns, the last one's). Written here rather
    than by a template: a year's tables hold some 15,000 cells, which the template engine took
    0.27 s to write at a million participations, this about 0.03 s."""
    labels = [conditional_escape(column) for column in table.columns]
    parts = ['<div class="table-wrap">\n<table class="stack">\n<thead>\n<tr>']
    parts += [f'<th scope="col">{label}</th>' for label in labels]
    parts.append("</tr>\n</thead>\n<tbody>\n")
    for row in table.rows:
        parts.append(_table_row(row, labels))
    parts.append("</tbody>\n")
    if table.footer:
        parts += ["<tfoot>\n", _table_row(table.footer, labels), "</tfoot>\n"]
    parts.append("</table>\n</div>")
    # Every column's and cell's text above is escaped.
    return mark_safe("".join(parts))


def _table_row(cells: list[Cell], labels: Sequence[str]) -> str:
    last = len(labels) - 1
    written = []
    for position, cell in enumerate(cells):
        label = labels[min(position, last)] if labels else ""
        text = conditional_escape(cell.text)
        if cell.number is None:
            written.append(f'<td data-label="{label}">{text}</td>')
        elif cell.lower_bound:
            written.append(
                f'<td class="num" data-label="{label}"><span class="lower-bound">{text}</span></td>'
            )
        else:
            written.append(f'<td class="num" data-label="{label}">{text}</td>')
    return "<tr>" + "".join(written) + "</tr>\n"
