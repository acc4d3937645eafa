"""Periods of the domain: the semester ("2017-S1", January to June; "2017-S2", July to December),
the years an action or a report may lie in, and calendar months. One home for each: models,
forms, filters, serializers, imports and reports validate and read periods through this module.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# The years an action, a target or a report may lie in.
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
YEAR_MESSAGE = _("“%(value)s” is not a year between 2000 and 2100.")
# The first day a record may be dated: the first of the first year.
FIRST_DAY = datetime.date(FIRST_YEAR, 1, 1)

# The years of birth a jobseeker may have.
FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 1900, 2100

SEMESTER_MESSAGE = _("“%(value)s” is not a semester like 2017-S1 or 2017-S2.")
_SEMESTER_RE = re.compile(r"^(\d{4})-S([12])$")


def is_year(value: object) -> bool:
    """Whether a value is a year between FIRST_YEAR and LAST_YEAR."""
    return isinstance(value, int) and FIRST_YEAR <= value <= LAST_YEAR


def parse_year(text: str) -> int:
    """A year between FIRST_YEAR and LAST_YEAR from its digits; ValidationError otherwise."""
    text = text.strip()
    if not text.isdigit() or not is_year(int(text)):
        raise ValidationError(YEAR_MESSAGE, code="invalid_year", params={"value": text})
    return int(text)


@dataclass(frozen=True, order=True)
class Semester:
    """Half a year. Ordered in time; its text is the form every file and URL uses."""

    year: int
    half: int  # 1: January to June, 2: July to December

    @classmethod
    def parse(cls, text: str) -> Semester:
        """`2017-S1` or `2017-S2`; ValidationError naming the value otherwise."""
        match = _SEMESTER_RE.match(text.strip())
        if not match:
            raise ValidationError(SEMESTER_MESSAGE, code="invalid_semester", params={"value": text})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: datetime.date) -> Semester:
        """The semester a day falls in."""
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def both(cls, year: int) -> tuple[Semester, Semester]:
        """The two semesters of a year."""
        return cls(year, 1), cls(year, 2)

    def __str__(self) -> str:
        return f"{self.year}-S{self.half}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> datetime.date:
        return (
            datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)
        )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.first_day <= day <= self.last_day


# How a semester's text ends for each half ("-S1", "-S2"): what a database constraint can check
# of the text. Taken from the one format above, so the two cannot differ.
SEMESTER_ENDINGS: tuple[str, ...] = tuple(
    str(semester).removeprefix(str(semester.year)) for semester in Semester.both(FIRST_YEAR)
)


def semester_of(day: datetime.date) -> str:
    """The text of the semester a day falls in: the value of an action's `semester` column."""
    return str(Semester.of(day))


def period_sort_date(
    start_date: datetime.date | None, year: int, semester: str = "", month: int | None = None
) -> datetime.date:
    """Where an action sorts: its start date, else the first day of its rough period (the month
    it begins in, else its semester, else its year), so that "May 2018" comes before "June
    2018" and both after 1 February 2018."""
    if start_date is not None:
        return start_date
    if month:
        return datetime.date(year, month, 1)
    if semester:
        try:
            return Semester.parse(semester).first_day
        except ValidationError:
            pass
    return datetime.date(year, 1, 1)


def validate_semester(value: str) -> None:
    """A validator for fields that hold a semester's text."""
    Semester.parse(value)


def last_plausible_day(today: datetime.date) -> datetime.date:
    """The latest day a record may be dated, seen from today: a year ahead. A planned start or a
    promised hire may lie ahead; a date further off is a typing error (2081 for 2018)."""
    return add_months(today, 12)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """A day a whole number of calendar months later, on the same day of the month or the last
    day of a shorter month (31 January + 1 month: 28 or 29 February). The same rule as the
    database's date arithmetic (actions.models.AddMonths)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)
