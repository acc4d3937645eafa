"""The data version: one row in the database given a new random token in the transaction of every
write that can change what the API's cached pages show (the model signals connected by `watch`;
bulk paths, which send no signals, call `bump_data_version()` themselves). The API's response
cache (crossborder.api.caching) keys its pages by it. A random token rather than a counter: a
database restored from a backup, or a test's rolled-back transaction, never brings back a
version under which other data was cached."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connection, connections, models
from django.db.models.signals import m2m_changed, post_delete, post_save

from crossborder.db_router import reading_alias

# The one-row table of the data version (actions/migrations/0002_data_version.py). A table, not a
# model: it holds no data of the product, so it has no place in the admin or the dumps, and a
# test database's flush leaves it alone.
TABLE = "actions_data_version"
ROW_ID = 1
# The tokens are short: they only need to differ from the earlier ones.
TOKEN_BYTES = 8


def data_version() -> str | None:
    """The current token; None when the row is missing (deleted by hand): no caching then,
    until the next write makes the row again. Read from where the request reads its data (the
    read replica or the primary): a page is then cached under the version of the data it was
    rendered from, never a stale replica's page under the primary's newer version."""
    with connections[reading_alias()].cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = %s", [ROW_ID])
        row = cursor.fetchone()
    return row[0] if row else None


def bump_data_version() -> None:
    """Give the data a new version, in the caller's transaction: every cached page of the data
    before it is out of date once the transaction commits. Call it at the end of every write
    that bypasses model signals (bulk_create, QuerySet.update, COPY)."""
    token = secrets.token_hex(TOKEN_BYTES)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET token = %s WHERE id = %s", [token, ROW_ID])
        if cursor.rowcount == 0:
            cursor.execute(f"INSERT INTO {TABLE} (id, token) VALUES (%s, %s)", [ROW_ID, token])


def _bump_on_save_or_delete(sender: type[models.Model], **kwargs: Any) -> None:
    bump_data_version()


def _bump_on_m2m_change(sender: type[models.Model], action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump_data_version()


def watch(*watched: type[models.Model]) -> None:
    """Bump the version when a row of these models is saved or deleted, and when one of their
    many-to-many relations changes."""
    for model in watched:
        label = model._meta.label
        post_save.connect(_bump_on_save_or_delete, sender=model, dispatch_uid=f"dv-save-{label}")
        post_delete.connect(_bump_on_save_or_delete, sender=model, dispatch_uid=f"dv-del-{label}")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            # Django makes the table of every many-to-many relation that names none.
            assert through is not None
            m2m_changed.connect(
                _bump_on_m2m_change, sender=through, dispatch_uid=f"dv-m2m-{through._meta.label}"
            )
