"""Records written at once with their history: what simple_history's `bulk_create_with_history`
and `bulk_update_with_history` do, in a few statements on PostgreSQL.

An import of 10,000 participations and a push of 5,000 write every record and its history entry
in one go. Through Django's bulk_create and simple_history's bulk_history_create, each value was
prepared twice (once for the record, once for its history row, built as a model instance of its
own) and sent as arrays that the driver writes out in Python: at 10,000 new jobseekers and
10,000 participations that took 8 of an import's 12 seconds (docs/performance.md). Here each
value is prepared once, by its field as bulk_create prepares it, and written to both tables by
binary COPY, the ids taken from the table's sequence beforehand in one statement. Other
databases (SQLite in the tests), and records given ids of their own, take
bulk_create_with_history.

Changed records were written by Django's bulk_update, one `CASE WHEN id = ... THEN ...` per
field and record, which the database reads through for every row: 5,000 participations with a
field changed (a follow-up push; with their versions and stamps, three fields) took 11 s. Here
they are one UPDATE from arrays of the new values by id, and their history entries are written
by COPY as the new records' are.

What is written is what simple_history's functions write: the same columns and values, each
record's history entry ("+" created, "~" changed) with the user given (or, as simple_history
does, the request's), its change reason when it has one, and the moment of the write. Like
bulk_create and bulk_update, no model signal is sent: the callers tell the rollups and the API's
data version themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Field, Model
from django.utils import timezone
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_change_reason_from_object,
)

# The columns of a history row of simple_history's own, besides the copy of the record's.
HISTORY_COLUMNS = ("history_date", "history_user_id", "history_change_reason", "history_type")


def bulk_insert_with_history(objs: Sequence[Model], model: type[Model], *, user: Any) -> None:
    """Insert these new records of `model` and a history entry for each, in the caller's
    transaction; each record is given its id, as bulk_create gives it on PostgreSQL."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    history = model.history.model  # type: ignore[attr-defined]
    # Records given ids of their own keep them there (and take the sequence's ids nowhere).
    given_ids = any(obj.pk is not None for obj in objs)
    if connection.vendor != "postgresql" or given_ids or not _plain_history(history):
        bulk_create_with_history(list(objs), model, default_user=user)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if not f.generated]
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        rows = []
        for obj, pk_value in zip(objs, ids, strict=True):
            # As bulk_create: a related record saved since it was set gives its id now (a method
            # of Django's own, not in its stubs).
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            obj.pk = pk_value
            # pre_save fills what save() would (the moments of auto_now fields).
            rows.append(
                {f.attname: f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields}
            )
            obj._state.adding = False
            obj._state.db = alias
        _copy(cursor, meta.db_table, [(_column(f), f.attname) for f in fields], rows)
        _write_history(cursor, model, objs, rows, user, "+")


def bulk_change_with_history(
    objs: Sequence[Model], model: type[Model], fields: Sequence[str], *, user: Any
) -> None:
    """Write these fields (by name) of these saved records of `model`, as they hold them, and a
    history entry for each, in the caller's transaction."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql" or not _plain_history(model.history.model):  # type: ignore[attr-defined]
        bulk_update_with_history(list(objs), model, list(fields), default_user=user)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    # By name or attname ("hired_by" or "hired_by_id"), as bulk_update takes them.
    concrete = {key: f for f in meta.concrete_fields for key in (f.name, f.attname)}
    changed = [concrete[name] for name in fields]
    quote = connection.ops.quote_name
    arrays: list[list[Any]] = [[obj.pk for obj in objs]]
    types = [pk.db_type(connection)]
    for obj in objs:
        # As bulk_update: a related record saved since it was set gives its id now.
        obj._prepare_related_fields_for_save(operation_name="bulk_update", fields=changed)  # type: ignore[attr-defined]
    for field in changed:
        arrays.append(
            [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
        )
        types.append(field.db_type(connection))
    names = ["id", *(f"c{n}" for n in range(len(changed)))]
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    assignments = ", ".join(
        f"{quote(_column(field))} = v.{name}"
        for field, name in zip(changed, names[1:], strict=True)
    )
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments}"
            f" FROM unnest({unnest}) AS v({', '.join(names)}) WHERE t.{quote(_column(pk))} = v.id",
            arrays,
        )
        tracked = model.history.model.tracked_fields  # type: ignore[attr-defined]
        rows = [
            {f.attname: f.get_db_prep_save(getattr(obj, f.attname), connection) for f in tracked}
            for obj in objs
        ]
        _write_history(cursor, model, objs, rows, user, "~")


def _write_history(
    cursor: Any,
    model: type[Model],
    objs: Sequence[Model],
    rows: list[dict[str, Any]],
    user: Any,
    kind: str,
) -> None:
    """The history entries of these records (`rows`: their values by attname, prepared), of
    this type ("+" created, "~" changed), as simple_history's bulk_history_create makes them."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model  # type: ignore[attr-defined]
    history_user = user or history.get_default_history_user(objs[0])
    now = timezone.now()
    for obj, row in zip(objs, rows, strict=True):
        row["history_date"] = getattr(obj, "_history_date", now)
        row["history_user_id"] = getattr(obj, "_history_user", history_user)
        row["history_change_reason"] = get_change_reason_from_object(obj) or None
        row["history_type"] = kind
        if row["history_user_id"] is not None and not isinstance(row["history_user_id"], int):
            row["history_user_id"] = row["history_user_id"].pk
    tracked = [(f.column, f.attname) for f in history.tracked_fields]
    _copy(
        cursor,
        history._meta.db_table,
        [*tracked, *((name, name) for name in HISTORY_COLUMNS)],
        rows,
    )


def _column(field: Field[Any, Any]) -> str:
    """A concrete field's column (only fields without one, which are not concrete, have none)."""
    assert field.column is not None
    return field.column


def _plain_history(history: type[Model]) -> bool:
    """Whether a history model has the record's tracked fields and simple_history's own columns
    only (no custom field, no relation to the record), which is what this module writes."""
    tracked = {f.attname for f in history.tracked_fields}  # type: ignore[attr-defined]
    known = tracked | set(HISTORY_COLUMNS) | {"history_id"}
    return {f.attname for f in history._meta.concrete_fields} <= known


def _copy(
    cursor: Any, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]
) -> None:
    """Binary COPY of these rows into the table: (column, key in each row)."""
    quote = cursor.db.ops.quote_name
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
        [table],
    )
    types = dict(cursor.fetchall())
    names = ", ".join(quote(column) for column, _key in columns)
    # The driver's own cursor, past Django's: its errors are made Django's here (a record that
    # breaks a unique constraint is an IntegrityError, as from bulk_create).
    with (
        cursor.db.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([types[column] for column, _key in columns])
        for row in rows:
            copy.write_row([row[key] for _column, key in columns])
