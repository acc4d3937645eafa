"""Participation records listed by their ids, along the unique index (see Meta.ordering)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0003_participation_facts_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="participation",
            options={
                "ordering": ["action_id", "jobseeker_id"],
                "verbose_name": "participation",
                "verbose_name_plural": "participations",
            },
        ),
    ]
