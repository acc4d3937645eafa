"""Small numbers are protected (reports.protection): small cells of a breakdown by a personal
attribute and their complements are withheld from users who may not read personal data, and no
withheld value can be recovered from the rows and totals."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from crossborder.core.metrics import REGISTRY, Counts
from reports import selectors
from reports.protection import (
    is_small,
    is_withheld,
    person_measures,
    personal_filter_errors,
    protect,
    withheld_text,
)
from reports.selectors import OutcomeTable
from tests.factories import UserFactory

MEASURES = ("starts", "completions")


def row(**values: Any) -> dict[str, Any]:
    """A row of an outcomes table: its dimensions and measures, the rest as the selector
    writes them."""
    return {
        "actions": 1,
        "starts": 0,
        "completions": 0,
        "people": None,
        "lower_bound": False,
        "lower_bounds": [],
        "provisional": False,
        **values,
    }


def table(group_by: Sequence[str], rows: list[dict[str, Any]]) -> OutcomeTable:
    totals = {m: sum(r[m] or 0 for r in rows) for m in ("actions", *MEASURES)}
    totals.update(people=None, lower_bound=False, lower_bounds=[], provisional=False)
    return OutcomeTable(group_by=list(group_by), rows=rows, totals=totals)


def by(rows: list[dict[str, Any]], **dimensions: Any) -> dict[str, Any]:
    (found,) = [r for r in rows if all(r[d] == v for d, v in dimensions.items())]
    return found


def solutions(
    original: OutcomeTable, protected: OutcomeTable, measure: str, threshold: int = 5
) -> dict[tuple[Any, ...], set[int]]:
    """Every value of each withheld cell that agrees with what a reader knows: the shown
    cells, the sum of every line along each personal dimension (the totals, or the same
    figures without that dimension: taken from the unprotected table), "fewer than N" read as
    1 to N - 1 (0 to N - 1 on a line showing no non-zero cell: it may be a zero withheld beside
    a small one) and "not shown" as N or more. Solved by trying every combination."""
    group_by = protected.group_by
    personal = [d for d in group_by if d in ("gender", "age_band", "youth_band")]

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(r[d] for d in group_by)

    values = {key(r): r[measure] or 0 for r in original.rows}
    lines: list[tuple[list[tuple[Any, ...]], int]] = []
    for dimension in personal:
        others = [i for i, d in enumerate(group_by) if d != dimension]
        groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for r in protected.rows:
            groups.setdefault(tuple(key(r)[i] for i in others), []).append(key(r))
        for cells in groups.values():
            lines.append((cells, sum(values.get(c, 0) for c in cells)))
    shown = {key(r): r[measure] or 0 for r in protected.rows if not is_withheld(r, measure)}
    unknown = [key(r) for r in protected.rows if is_withheld(r, measure)]
    ranges: dict[tuple[Any, ...], range] = {}
    for r in protected.rows:
        if not is_withheld(r, measure):
            continue
        line_total = max(total for cells, total in lines if key(r) in cells)
        if not is_small(r, measure):
            ranges[key(r)] = range(threshold, line_total + 1)
            continue
        shows_non_zero = all(
            any(shown.get(c) for c in cells) for cells, _total in lines if key(r) in cells
        )
        ranges[key(r)] = range(1 if shows_non_zero else 0, threshold)
    found: dict[tuple[Any, ...], set[int]] = {cell: set() for cell in unknown}

    def search(index: int, chosen: dict[tuple[Any, ...], int]) -> None:
        for cells, total in lines:
            complete = all(c in chosen or c in shown for c in cells)
            if complete and sum(chosen.get(c, shown.get(c, 0)) for c in cells) != total:
                return
        if index == len(unknown):
            for cell, value in chosen.items():
                found[cell].add(value)
            return
        for value in ranges[unknown[index]]:
            search(index + 1, {**chosen, unknown[index]: value})

    search(0, {})
    return found


def assert_not_recoverable(original: OutcomeTable, protected: OutcomeTable) -> None:
    for measure in MEASURES:
        found = solutions(original, protected, measure)
        for cell, values in found.items():
            # A row of zeros added by the protection is not in the original.
            truth = next(
                (
                    r[measure] or 0
                    for r in original.rows
                    if tuple(r[d] for d in original.group_by) == cell
                ),
                0,
            )
            assert truth in values, (measure, cell)
            assert len(values) >= 2, (measure, cell, values)


@pytest.fixture
def reader(manager):
    """A manager reads the programme, never personal data."""
    return manager


pytestmark = pytest.mark.django_db


def test_a_small_cell_reads_fewer_than_n_and_its_complement_is_withheld(reader):
    original = table(
        ["gender"],
        [
            row(gender="man", starts=12, completions=9),
            row(gender="not_given", starts=7, completions=6),
            row(gender="woman", starts=3, completions=0),
        ],
    )
    protected = protect(original, user=reader)
    man, not_given, woman = protected.rows
    assert woman["starts"] is None and woman["suppressed"] == ["starts"]
    assert woman["complementary"] == [] and is_small(woman, "starts")
    # The next smallest non-zero cell of the line: 7 (not 12), withheld and "not shown".
    assert not_given["starts"] is None
    assert not_given["suppressed"] == ["starts"] and not_given["complementary"] == ["starts"]
    assert man["starts"] == 12 and man["suppressed"] == []
    # Zero is shown: it says nobody, about no person; the completions need no protection.
    assert [r["completions"] for r in protected.rows] == [9, 6, 0]
    assert all(r["fewer_than"] == 5 for r in [*protected.rows, protected.totals])
    # The totals stay.
    assert protected.totals["starts"] == 22 and protected.totals["suppressed"] == []
    assert_not_recoverable(original, protected)


def test_the_table_given_is_left_as_it_was(reader):
    original = table(["gender"], [row(gender="man", starts=12), row(gender="woman", starts=3)])
    before = copy.deepcopy(original)
    protect(original, user=reader)
    assert original == before


def test_the_number_of_actions_and_employers_is_never_withheld(reader):
    original = table(
        ["gender"],
        [
            row(gender="man", starts=12, actions=2, employers=1),
            row(gender="woman", starts=3, actions=1, employers=2),
        ],
    )
    protected = protect(original, user=reader)
    assert [r["actions"] for r in protected.rows] == [2, 1]
    assert [r["employers"] for r in protected.rows] == [1, 2]
    assert [r["suppressed"] for r in protected.rows] == [["starts"], ["starts"]]


def test_a_line_whose_only_other_cell_is_zero_withholds_the_zero(reader):
    """Women 3, men 0: withholding the 3 alone leaves it as the total minus 0. The zero is
    withheld with it and reads "fewer than 5" too (which it is), so neither is known."""
    original = table(
        ["gender"], [row(gender="man", starts=0, completions=0), row(gender="woman", starts=3)]
    )
    protected = protect(original, user=reader)
    man, woman = protected.rows
    assert man["suppressed"] == ["starts"] and man["complementary"] == []
    assert woman["suppressed"] == ["starts"] and is_small(man, "starts")
    assert man["completions"] == 0 and woman["completions"] == 0
    assert_not_recoverable(original, protected)
    assert solutions(original, protected, "starts") == {
        ("man",): {0, 1, 2, 3},
        ("woman",): {0, 1, 2, 3},
    }


def test_a_line_of_one_row_gets_a_row_of_zeros_withheld_beside_it(reader):
    """In 2017 only women started (3): their row would be the year's total. A row of zeros
    for the first gender the year lacks (man) is withheld beside it."""
    original = table(
        ["year", "gender"],
        [
            row(year=2017, gender="woman", starts=3, completions=3),
            row(year=2018, gender="man", starts=9, completions=8),
            row(year=2018, gender="woman", starts=6, completions=6),
        ],
    )
    protected = protect(original, user=reader)
    assert [(r["year"], r["gender"]) for r in protected.rows] == [
        (2017, "woman"),
        (2017, "man"),
        (2018, "man"),
        (2018, "woman"),
    ]
    added = protected.rows[1]
    assert added["starts"] is None and added["completions"] is None
    assert added["suppressed"] == ["starts", "completions"] and added["complementary"] == []
    assert added["actions"] == 0 and added["people"] is None and added["lower_bounds"] == []
    assert added["fewer_than"] == 5
    assert [r["starts"] for r in protected.rows[2:]] == [9, 6]
    assert protected.totals["starts"] == 18
    assert_not_recoverable(original, protected)


def test_two_small_cells_that_add_up_to_their_least_get_a_third(reader):
    """Women 1 and non-binary 1 beside 20 men: two cells of "fewer than 5" that add up to 2
    can only be 1 and 1, so the men's 20 is withheld too."""
    original = table(
        ["gender"],
        [
            row(gender="man", starts=20),
            row(gender="non_binary", starts=1),
            row(gender="woman", starts=1),
        ],
    )
    protected = protect(original, user=reader)
    assert [r["suppressed"] for r in protected.rows] == [["starts"]] * 3
    assert [r["complementary"] for r in protected.rows] == [["starts"], [], []]
    assert_not_recoverable(original, protected)


def test_a_complement_of_exactly_n_is_not_enough(reader):
    """Women 1, men 5: "fewer than 5" and "not shown" (5 or more) adding up to 6 are 1 and 5;
    the next cell (20) is withheld as well."""
    original = table(
        ["gender"],
        [
            row(gender="man", starts=5),
            row(gender="not_given", starts=20),
            row(gender="woman", starts=1),
        ],
    )
    protected = protect(original, user=reader)
    assert [r["starts"] for r in protected.rows] == [None, None, None]
    assert [r["complementary"] for r in protected.rows] == [["starts"], ["starts"], []]
    assert_not_recoverable(original, protected)


def test_two_personal_dimensions_are_protected_along_both(reader):
    """A cross table of gender and age band: every line of each dimension is protected, and
    a complement withheld along one dimension is protected along the other."""
    rows = [
        row(gender=gender, age_band=band, starts=starts)
        for gender, band, starts in (
            ("man", "25_54", 9),
            ("man", "55_plus", 6),
            ("man", "under_25", 7),
            ("woman", "25_54", 8),
            ("woman", "55_plus", 2),
            ("woman", "under_25", 10),
        )
    ]
    original = table(["gender", "age_band"], rows)
    protected = protect(original, user=reader)
    withheld = {(r["gender"], r["age_band"]) for r in protected.rows if is_withheld(r, "starts")}
    # Women 55+ (2); beside it in its age band, men 55+ (6); among the women, the smallest
    # other, 8 (25-54); among the men, the 9 of 25-54 rather than the smaller 7 under 25, as it
    # protects the women's 8 in its age band too: four cells, a rectangle, the under 25 shown.
    assert withheld == {
        ("woman", "55_plus"),
        ("man", "55_plus"),
        ("woman", "25_54"),
        ("man", "25_54"),
    }
    assert by(protected.rows, gender="man", age_band="under_25")["starts"] == 7
    assert by(protected.rows, gender="woman", age_band="under_25")["starts"] == 10
    assert_not_recoverable(original, protected)


def test_the_threshold_is_a_setting(reader, settings):
    original = table(
        ["gender"],
        [
            row(gender="man", starts=30),
            row(gender="not_given", starts=12),
            row(gender="woman", starts=7),
        ],
    )
    assert [r["suppressed"] for r in protect(original, user=reader).rows] == [[], [], []]
    settings.SMALL_CELL_THRESHOLD = 10
    protected = protect(original, user=reader)
    assert [r["starts"] for r in protected.rows] == [30, None, None]
    assert [r["fewer_than"] for r in protected.rows] == [10, 10, 10]
    assert protected.rows[1]["complementary"] == ["starts"]
    settings.SMALL_CELL_THRESHOLD = 3
    original.rows[2]["starts"] = 2
    protected = protect(original, user=reader)
    assert [r["starts"] for r in protected.rows] == [30, None, None]
    assert [r["fewer_than"] for r in protected.rows] == [3, 3, 3]


def test_users_who_may_read_personal_data_see_every_figure(coordinator):
    superuser = UserFactory(is_superuser=True)
    original = table(["gender"], [row(gender="man", starts=12), row(gender="woman", starts=3)])
    for user in (coordinator, superuser):
        protected = protect(original, user=user)
        assert [r["starts"] for r in protected.rows] == [12, 3]
        assert [(r["suppressed"], r["fewer_than"]) for r in protected.rows] == [([], None)] * 2
        assert protected.totals["fewer_than"] is None


def test_nobody_logged_in_never_sees_a_small_cell(reader, stranger):
    original = table(["gender"], [row(gender="man", starts=12), row(gender="woman", starts=3)])
    for user in (None, AnonymousUser(), stranger):
        assert [r["starts"] for r in protect(original, user=user).rows] == [None, None]


def test_a_table_without_a_personal_dimension_is_not_protected(reader):
    original = table(["pes"], [row(pes="vdab", starts=12), row(pes="le-forem", starts=3)])
    protected = protect(original, user=reader)
    assert [r["starts"] for r in protected.rows] == [12, 3]
    assert [r["fewer_than"] for r in protected.rows] == [None, None]


def test_every_line_of_a_grouped_table_is_protected_on_its_own(reader):
    original = table(
        ["pes", "gender"],
        [
            row(pes="le-forem", gender="man", starts=8),
            row(pes="le-forem", gender="woman", starts=9),
            row(pes="vdab", gender="man", starts=12),
            row(pes="vdab", gender="not_given", starts=4),
            row(pes="vdab", gender="woman", starts=6),
        ],
    )
    protected = protect(original, user=reader)
    assert [r["starts"] for r in protected.rows] == [8, 9, 12, None, None]
    assert_not_recoverable(original, protected)


@pytest.mark.parametrize(
    "starts",
    [
        (1, 1, 1),
        (1, 2, 30),
        (4, 4, 40),
        (3, 5, 5),
        (2, 0, 0),
        (1, 6, 9),
        (4, 5, 6),
    ],
)
def test_no_withheld_value_is_recovered_by_solving_for_it(reader, starts):
    """Whatever the line, solving the rows and the totals for a withheld cell leaves it at two
    values or more."""
    genders = ("man", "non_binary", "woman")
    original = table(
        ["gender"], [row(gender=g, starts=s) for g, s in zip(genders, starts, strict=True)]
    )
    protected = protect(original, user=reader)
    assert any(is_withheld(r, "starts") for r in protected.rows)
    assert_not_recoverable(original, protected)


def test_people_without_a_record_count_as_zero(reader):
    original = table(
        ["gender"],
        [row(gender="man", starts=0, people=None), row(gender="woman", starts=3, people=3)],
    )
    protected = protect(original, user=reader)
    man, woman = protected.rows
    assert woman["people"] is None and man["people"] is None
    assert man["suppressed"] == ["starts", "people"]


def test_the_measures_protected_are_read_from_the_registries():
    measures = person_measures()
    jobseekers = [slug for slug, m in REGISTRY.items() if m.counts is Counts.JOBSEEKERS]
    assert list(measures[: len(jobseekers)]) == jobseekers
    assert {"people", "starts", "work_found", "interested", "certificates"} <= set(measures)
    assert set(selectors.RATE_MEASURES) <= set(measures)
    assert {
        "in_work_on_leaving",
        "in_work_six_months",
        "better_situation",
        "on_leaving_not_yet_known",
        "six_months_unknown",
    } <= set(measures)
    assert set(selectors.RESULTS) <= set(measures)
    assert not {"actions", "employers", "agencies", "vacancies", "outcomes_pending"} & set(measures)


def test_a_withheld_cell_reads_fewer_than_n_or_not_shown(reader):
    original = table(
        ["gender"],
        [
            row(gender="man", starts=12),
            row(gender="not_given", starts=7),
            row(gender="woman", starts=3),
        ],
    )
    man, not_given, woman = protect(original, user=reader).rows
    assert withheld_text(man, "starts") is None
    assert withheld_text(woman, "starts") == "fewer than 5"
    assert withheld_text(not_given, "starts") == "not shown"


def test_who_may_not_read_personal_data_may_not_filter_by_it(reader, coordinator):
    """The women's total is the cell the breakdown by gender withholds."""
    errors = personal_filter_errors(["gender", "project", "age_band"], reader)
    assert list(errors) == ["gender", "age_band"]
    assert errors["gender"][0].startswith("Filtering by gender is for those who may read")
    assert list(personal_filter_errors(["gender"], None)) == ["gender"]
    assert personal_filter_errors(["project"], reader) == {}
    assert personal_filter_errors(["gender", "age_band"], coordinator) == {}
