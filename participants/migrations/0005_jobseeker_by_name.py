"""Jobseekers listed by PES and name along an index of their own (see Meta.ordering)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_participation_ordering"),
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="jobseeker",
            options={
                "ordering": ["pes_id", "family_name", "given_name", "pk"],
                "verbose_name": "jobseeker",
                "verbose_name_plural": "jobseekers",
            },
        ),
        migrations.AddIndex(
            model_name="jobseeker",
            index=models.Index(
                fields=["pes", "family_name", "given_name", "id"], name="jobseeker_by_name"
            ),
        ),
    ]
