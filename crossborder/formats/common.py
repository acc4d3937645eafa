"""Dates as the programme writes them, in every language: day first (21/12/2018), the
programme's working convention across the border, in English as well.

A form accepts what the imports accept (crossborder.core.tabular reads cells with the same list),
ISO 2018-12-21 included, and shows a date it gives back as 21/12/2018: the first format is the
one a form writes.
"""

from __future__ import annotations

from crossborder.core.tabular import DATE_FORMATS

__all__ = [
    "DATETIME_FORMAT",
    "DATETIME_INPUT_FORMATS",
    "DATE_FORMAT",
    "DATE_INPUT_FORMATS",
    "FIRST_DAY_OF_WEEK",
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
]

DAY_FIRST = "%d/%m/%Y"
DATE_INPUT_FORMATS = [DAY_FIRST, *(pattern for pattern in DATE_FORMATS if pattern != DAY_FIRST)]
DATETIME_INPUT_FORMATS = [
    f"{pattern} {time}" for pattern in DATE_INPUT_FORMATS for time in ("%H:%M:%S", "%H:%M")
] + DATE_INPUT_FORMATS
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# The long form: Django's translation catalogues give the month's name in each language.
DATE_FORMAT = "j F Y"  # 21 December 2018
DATETIME_FORMAT = "j F Y H:i"
