from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext


def validation_errors(obj: models.Model) -> dict[str, list[str]]:
    """The messages full_clean() gives, by field; fails the test when the object is valid."""
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict


def assert_db_refuses(obj: models.Model, constraint: str) -> None:
    """Saving without validation hits the database rule with this name."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        obj.save()
    # SQLite names the CHECK constraint; PostgreSQL names CHECK and UNIQUE constraints.
    message = str(excinfo.value)
    assert constraint in message or "UNIQUE constraint failed" in message


def if_match(record: models.Model) -> dict[str, str]:
    """The If-Match header of a versioned record's current version, read again from the
    database: what an API change (PATCH) or delete must send."""
    version = type(record)._base_manager.filter(pk=record.pk).values_list("version", flat=True)
    return {"HTTP_IF_MATCH": f'"{version.get()}"'}


def queries_of(ask: Callable[[], object]) -> tuple[object, list[str]]:
    """What `ask` gives, and the statements it sent."""
    with CaptureQueriesContext(connection) as context:
        answer = ask()
    return answer, [query["sql"] for query in context.captured_queries]
