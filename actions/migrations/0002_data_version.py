"""The data version of the API's response cache (crossborder/caching.py), with its one row."""

from __future__ import annotations

import secrets

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def create_row(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    data_version = apps.get_model("actions", "DataVersion")
    data_version.objects.using(schema_editor.connection.alias).create(
        pk=1, token=secrets.token_hex(8)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=16)),
            ],
        ),
        # Reversed with the table, which the CreateModel's reverse drops.
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
