"""DRF's tokens (`rest_framework.authtoken`, table `authtoken_token`) become hashed tokens, and
their table is dropped.

DRF kept each key in clear. Each key becomes a token of the new model, named "migrated", held
as its prefix and SHA-256 only, expiring API_TOKEN_LIFETIME_DAYS after this migration: the
partners' systems keep working with the key they have, and have that long to make a new one.

Then the table is dropped rather than emptied: `rest_framework.authtoken` is no longer an
installed app, so nothing would ever write it again, and an empty table of clear keys left
behind invites one to fill it. Its rows in django_migrations are removed with it, so that
re-installing the app would create its table anew rather than believe it present. (Its content
type and permissions go with `manage.py remove_stale_contenttypes`.)

A database that never had DRF's tokens (a new one) has no such table: nothing to do. The
reverse does nothing: the keys cannot be recovered from their hashes, and the migrated tokens
stay as they are.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TABLE = "authtoken_token"
PREFIX_LENGTH = 11


def hash_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} FROM {quote(TABLE)}"
        )
        rows = cursor.fetchall()
    now = timezone.now()
    expires = now + datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name="migrated",
            prefix=key[:PREFIX_LENGTH],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            # SQLite hands back text without a time zone, PostgreSQL an aware datetime.
            created_at=min(_aware(created), now),
            expires_at=expires,
        )
        for key, user_id, created in rows
    )
    schema_editor.execute(f"DROP TABLE {quote(TABLE)}")
    schema_editor.execute(
        f"DELETE FROM {quote('django_migrations')} WHERE {quote('app')} = %s", ["authtoken"]
    )


def _aware(value):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_api_tokens"),
    ]

    operations = [
        migrations.RunPython(hash_drf_tokens, migrations.RunPython.noop, elidable=False),
    ]
