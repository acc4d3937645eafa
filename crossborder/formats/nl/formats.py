"""Dates day first, as in every language of the programme (crossborder/formats/common.py)."""

from __future__ import annotations

from crossborder.formats.common import *  # noqa: F403
