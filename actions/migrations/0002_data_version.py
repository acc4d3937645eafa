"""The data version of the API's response cache (crossborder/caching.py): a table of one row,
without a model (it holds no data of the product)."""

from __future__ import annotations

import secrets

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def create_row(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(
        "INSERT INTO actions_data_version (id, token) VALUES (%s, %s)", [1, secrets.token_hex(8)]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TABLE actions_data_version "
            "(id integer NOT NULL PRIMARY KEY, token varchar(16) NOT NULL)",
            "DROP TABLE actions_data_version",
        ),
        # Reversed with the table.
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
