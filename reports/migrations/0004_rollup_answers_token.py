import secrets

from django.db import migrations, models


def tokens_for_rebuilt_rollups(apps, schema_editor):
    """Rollups rebuilt before this migration get a token, so that their answers are kept from
    now on; the empty ones the migrations made (never rebuilt) wait for their first refresh or
    rebuild (reports.answers)."""
    alias = schema_editor.connection.alias
    states = apps.get_model("reports", "RollupState").objects.using(alias)
    for state in states.exclude(rebuilt_at=None):
        state.answers_token = secrets.token_hex(8)
        state.save(update_fields=["answers_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_rollup_cells"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollupstate",
            name="answers_token",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.RunPython(tokens_for_rebuilt_rollups, migrations.RunPython.noop),
    ]
