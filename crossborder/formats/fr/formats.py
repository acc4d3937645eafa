"""Dates day first (crossborder/formats/common.py); the long form keeps the language's words."""

from __future__ import annotations

from crossborder.formats.common import (
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
)

__all__ = [
    "DATETIME_FORMAT",
    "DATETIME_INPUT_FORMATS",
    "DATE_FORMAT",
    "DATE_INPUT_FORMATS",
    "FIRST_DAY_OF_WEEK",
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
]

DATE_FORMAT = "j F Y"  # 21 December 2018
DATETIME_FORMAT = "j F Y H:i"
