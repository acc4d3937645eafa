"""Small numbers are protected: the cells of a breakdown by a personal attribute that could point
at a few people are withheld from every user who may not read personal data.

A table grouped by a personal dimension (participants.attributes.PERSONAL_DIMENSIONS) shows how
many women, how many people under 25 ... started, completed or found work. Where such a count is
small (0 < count < settings.SMALL_CELL_THRESHOLD), a reader who knows the group (a training of
twelve, the one non-binary trainee) learns something about a person, so the count is withheld
and reads "fewer than N". That alone is not enough: the rows of a group add up to a total shown
elsewhere (the table's totals, or the same figures without the personal dimension), so one
withheld cell is the total minus the others. A second cell of the same group is withheld with it
(complementary suppression), and the rows and totals then leave at least two values possible
for each withheld cell.

Rules, for each measure that counts people (the registry's jobseeker metrics, the placement
rate's parts and the result measures), separately:
- Primary: a count with 0 < value < threshold is withheld and reads "fewer than N".
- Zero is shown. A zero says that nobody of the group is counted: it describes no person, and
  hiding every zero would hide most of a small programme's table while protecting nobody.
- Complementary: the rows that differ only in one personal dimension (every other dimension
  equal) form a group, whose sum is known (from the totals, or from the same figures without
  the personal dimension). While a reader who knows that sum could tell the value of a
  withheld cell of the group (reader_bounds: "fewer than N" is 1 to N - 1, "not shown" N or
  more), one more cell of the group is withheld: the smallest non-zero one shown, else a zero
  shown, else a row of zeros added for a value of the dimension the group lacks (a group of one
  row shows its sum in that row). With one withheld cell in a group this is the usual rule: the
  next smallest non-zero cell is withheld beside it; two withheld ones of 1 and 1 get a third.
  This is repeated along each personal dimension of the table until no group changes (a cross
  table of two personal dimensions).
- The totals stay: they are figures of the programme, not of a person. So that they stay so,
  a user who may not read personal data may not filter by a personal attribute
  (personal_filter_errors): the total of the women would be the cell withheld.

A withheld cell's value is None, and the row lists it in `suppressed`; `fewer_than` is the
threshold. A withheld cell under the threshold reads "fewer than N", which is true of a zero
withheld beside a small cell too (and hides which of the two is the small one); a cell of N or
more, withheld to protect a small one, is also listed in `complementary` and reads "not shown".
Every format reads these the same way: `null` and the lists in JSON, the words in CSV, XLSX and
HTML. It is the usual protection of statistical tables: no withheld value can be recovered by
adding up rows and totals. Each table is protected on its own: two tables whose bands overlap
(the age bands and the youth bands) can still be subtracted to count a narrower band (25 to
29), which no cell of either shows and this does not protect.

A pure function over the table: no queries.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from crossborder.core.metrics import REGISTRY, Counts
from participants.attributes import PERSONAL_DIMENSIONS
from projects.access import can_read_personal_data

from . import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from .selectors import OutcomeTable

    User = AbstractUser | AnonymousUser

SUPPRESSED, COMPLEMENTARY, FEWER_THAN = "suppressed", "complementary", "fewer_than"


def person_measures() -> tuple[str, ...]:
    """The measures of a row that count people, in the registry's order: the jobseeker metrics
    (people, starts, work found ...), the placement rate's parts (the starts and work found of
    some actions) and the result measures of the reports layer (in work on leaving ..., not yet
    known, unknown). The number of actions and the employers' metrics count no person."""
    registry = tuple(str(slug) for slug, m in REGISTRY.items() if m.counts is Counts.JOBSEEKERS)
    return tuple(dict.fromkeys((*registry, *selectors.RATE_MEASURES, *selectors.RESULTS)))


def personal_dimensions(group_by: Iterable[str]) -> list[str]:
    """The personal dimensions among a table's dimensions."""
    return [dimension for dimension in group_by if dimension in PERSONAL_DIMENSIONS]


def needs_protection(group_by: Iterable[str], user: User | None) -> bool:
    """Whether a table grouped so must have its small cells withheld from this user: it breaks
    figures down by a personal attribute and the user may not read personal data (an anonymous
    user, or none, never may)."""
    if not personal_dimensions(group_by):
        return False
    return user is None or not can_read_personal_data(user)


def personal_filter_errors(asked: Iterable[str], user: User | None) -> dict[str, list[str]]:
    """The personal filters among the parameters `asked` (names with a value) that this user
    may not use, each with its message; empty when all may be used. A user who may not read
    personal data may not filter by a personal attribute: the total of the women is the cell
    of the breakdown by gender that protect() withholds, and the figures of everyone less those
    of the men give it away too. Pages and the API refuse such a filter by its name."""
    personal = [slug for slug in dict.fromkeys(asked) if slug in PERSONAL_DIMENSIONS]
    if not personal or (user is not None and can_read_personal_data(user)):
        return {}
    return {
        slug: [
            _(
                "Filtering by %(name)s is for those who may read personal data: its totals would"
                " give away the small numbers the breakdowns protect. Break the figures down by"
                " %(name)s instead."
            )
            % {"name": PERSONAL_DIMENSIONS[slug].label}
        ]
        for slug in personal
    }


def is_withheld(row: dict[str, Any], measure: str) -> bool:
    return measure in row.get(SUPPRESSED, ())


def is_small(row: dict[str, Any], measure: str) -> bool:
    """Withheld because it is small: it reads "fewer than N"."""
    return is_withheld(row, measure) and measure not in row.get(COMPLEMENTARY, ())


def withheld_text(row: dict[str, Any], measure: str) -> str | None:
    """How a withheld cell reads in the active language, the same in every format: "fewer
    than 5" for a small one, "not shown" for a complementary one; None when the cell is shown."""
    if not is_withheld(row, measure):
        return None
    if is_small(row, measure):
        return _("fewer than %(number)s") % {"number": row[FEWER_THAN]}
    return _("not shown")


def protect(table: OutcomeTable, *, user: User | None) -> OutcomeTable:
    """The table as this user may see it: unchanged figures for a user who may read personal
    data or a table without a personal dimension, otherwise its small cells and their
    complements withheld (see the module). Every row and the totals get `suppressed`,
    `complementary` (lists of measures) and `fewer_than` (the threshold, None when nothing is
    protected), so that every format reads them the same way. A new table; the given one is
    left as it was."""
    rows = [_copy(row) for row in table.rows]
    totals = _copy(table.totals)
    if not needs_protection(table.group_by, user):
        for row in [*rows, totals]:
            row[FEWER_THAN] = None
        return dataclasses.replace(table, rows=rows, totals=totals)
    threshold: int = settings.SMALL_CELL_THRESHOLD
    for row in [*rows, totals]:
        row[FEWER_THAN] = threshold
    lines = _Lines(rows, table.group_by)
    measures = [m for m in person_measures() if any(m in row for row in rows)]
    for measure in measures:
        for row in rows:
            value = row.get(measure)
            if value is not None and 0 < value < threshold:
                row[SUPPRESSED].append(measure)
        _complete(lines, measure, threshold)
    order = {m: i for i, m in enumerate(measures)}
    for row in rows:
        row[SUPPRESSED].sort(key=order.__getitem__)
        row[COMPLEMENTARY].sort(key=order.__getitem__)
        for measure in row[SUPPRESSED]:
            row[measure] = None
    return dataclasses.replace(table, rows=rows, totals=totals)


def _copy(row: dict[str, Any]) -> dict[str, Any]:
    copied = dict(row)
    copied[SUPPRESSED] = list(row.get(SUPPRESSED, ()))
    copied[COMPLEMENTARY] = list(row.get(COMPLEMENTARY, ()))
    return copied


class _Lines:
    """The lines of a table along each of its personal dimensions (the rows that differ only in
    that dimension), kept up to date as rows of zeros are added. Built once, and a line is looked
    at again only when a cell of it is withheld: a table of 1,440 rows by project, year, gender
    and age band, 20 measures and most of its cells small, takes 1.2 s on the development
    machine (23 s when every pass regrouped the rows)."""

    def __init__(self, rows: list[dict[str, Any]], group_by: Sequence[str]) -> None:
        self.rows, self.group_by = rows, list(group_by)
        self.personal = personal_dimensions(group_by)
        self._lines: dict[str, dict[tuple[Any, ...], list[dict[str, Any]]]] = {
            dimension: {} for dimension in self.personal
        }
        for row in rows:
            self._index(row)

    def _key(self, row: dict[str, Any], dimension: str) -> tuple[Any, ...]:
        return tuple(row[d] for d in self.group_by if d != dimension)

    def _index(self, row: dict[str, Any]) -> None:
        for dimension in self.personal:
            self._lines[dimension].setdefault(self._key(row, dimension), []).append(row)

    def along(self, dimension: str) -> list[list[dict[str, Any]]]:
        """The lines along a dimension, in the order of their first row."""
        return list(self._lines[dimension].values())

    def line_of(self, row: dict[str, Any], dimension: str) -> list[dict[str, Any]]:
        return self._lines[dimension][self._key(row, dimension)]

    def add_after(self, row: dict[str, Any], after: dict[str, Any]) -> None:
        """A new row, placed after `after` and in its lines."""
        position = next(index for index, other in enumerate(self.rows) if other is after)
        self.rows.insert(position + 1, row)
        self._index(row)


def _complete(lines: _Lines, measure: str, threshold: int) -> None:
    """Withhold more cells of `measure` until no line along any personal dimension lets a
    reader determine a withheld cell. A line is looked at again only when a cell of it has
    been withheld since; each look withholds one more cell or leaves the line alone (every cell
    withheld, no value left to add), so it ends."""
    queue: deque[tuple[str, list[dict[str, Any]]]] = deque()
    queued: set[tuple[str, int]] = set()

    def look_again(dimension: str, line: list[dict[str, Any]]) -> None:
        if (dimension, id(line)) not in queued:
            queued.add((dimension, id(line)))
            queue.append((dimension, line))

    for dimension in lines.personal:
        for line in lines.along(dimension):
            if any(is_withheld(row, measure) for row in line):
                look_again(dimension, line)
    while queue:
        dimension, line = queue.popleft()
        queued.discard((dimension, id(line)))
        if not _determined(line, measure, threshold):
            continue
        row = _complement(lines, dimension, line, measure)
        if row is None:
            row = _padding(lines, line, dimension)
        if row is None:
            continue
        row[SUPPRESSED].append(measure)
        if (row.get(measure) or 0) >= threshold:
            row[COMPLEMENTARY].append(measure)
        for other in lines.personal:
            look_again(other, lines.line_of(row, other))


def _value(row: dict[str, Any], measure: str) -> int:
    # A cell without a value (`people` of a row without participation records) is a zero.
    value: int = row.get(measure) or 0
    return value


def reader_bounds(
    group: list[dict[str, Any]], measure: str, threshold: int
) -> list[tuple[int, float]]:
    """What a reader of the protected group knows of each withheld cell, in the group's order:
    "fewer than N" is 1 to N - 1, or 0 to N - 1 where the group shows no non-zero cell (it may
    then be a zero withheld beside a small one); "not shown" (a complementary cell, always a
    non-zero cell above the small ones) is N or more."""
    shown_non_zero = any(_value(row, measure) for row in group if not is_withheld(row, measure))
    bounds: list[tuple[int, float]] = []
    for row in group:
        if not is_withheld(row, measure):
            continue
        if measure in row[COMPLEMENTARY]:
            bounds.append((threshold, float("inf")))
        else:
            bounds.append((1 if shown_non_zero else 0, threshold - 1))
    return bounds


def _determined(group: list[dict[str, Any]], measure: str, threshold: int) -> bool:
    """Whether a reader who knows the group's sum (the totals, or the same figures without the
    personal dimension) and reads its shown cells can tell the value of a withheld one: its
    range, given the sum of the withheld cells and the others' bounds, is a single value."""
    withheld = [row for row in group if is_withheld(row, measure)]
    if not withheld:
        return False
    total = sum(_value(row, measure) for row in withheld)
    bounds = reader_bounds(group, measure, threshold)
    for index, (low, high) in enumerate(bounds):
        others = bounds[:index] + bounds[index + 1 :]
        least = max(low, total - sum(other_high for _, other_high in others))
        most = min(high, total - sum(other_low for other_low, _ in others))
        # A cell that its reading alone tells ("fewer than 2" is 1) no other cell can hide: a
        # threshold under 3 protects nothing, whatever is withheld beside it.
        if least >= most and low < high:
            return True
    return False


def _complement(
    lines: _Lines, dimension: str, line: list[dict[str, Any]], measure: str
) -> dict[str, Any] | None:
    """The next cell to withhold in a line: a non-zero one shown (which is N or more: every
    smaller one is withheld already), else a zero shown; None when every cell of the line is
    withheld. Of those, the one whose lines along the table's other personal dimensions already
    withhold a cell (so that it protects there too, rather than needing a complement of its
    own: four cells of a cross table instead of six), then the smallest."""
    shown = [row for row in line if not is_withheld(row, measure)]
    candidates = [row for row in shown if _value(row, measure)] or shown
    if not candidates:
        return None
    others = [other for other in lines.personal if other != dimension]

    def lines_left_alone(row: dict[str, Any]) -> int:
        return sum(
            1
            for other in others
            if not any(is_withheld(member, measure) for member in lines.line_of(row, other))
        )

    return min(candidates, key=lambda row: (lines_left_alone(row), _value(row, measure)))


def _padding(lines: _Lines, line: list[dict[str, Any]], dimension: str) -> dict[str, Any] | None:
    """A row of zeros for a value of `dimension` the line lacks (the first of its choices,
    else "not recorded"), placed after the line's rows: a line of one row would otherwise show
    its sum in that row. None when the line has every value."""
    present = {row[dimension] for row in line}
    values = [value for value, _label in PERSONAL_DIMENSIONS[dimension].choices]
    missing = [value for value in [*values, None] if value not in present]
    if not missing:
        return None
    template = line[-1]
    padded: dict[str, Any] = {d: template[d] for d in lines.group_by}
    padded[dimension] = missing[0]
    for key, value in template.items():
        if key in padded:
            continue
        if isinstance(value, bool):
            padded[key] = False
        elif isinstance(value, int):
            padded[key] = 0
        elif isinstance(value, list):
            padded[key] = []
        else:
            # `people` of a row without participation records, and anything not counted.
            padded[key] = None
    padded[SUPPRESSED], padded[COMPLEMENTARY] = [], []
    padded[FEWER_THAN] = template[FEWER_THAN]
    lines.add_after(padded, template)
    return padded
