"""The records deleted, kept as tombstones so that a partner's sync learns of the deletion."""

from __future__ import annotations
