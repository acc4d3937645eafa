"""Plausible records in the database: no outcome before the start, no date before 2000, and
references stored normalised (0006 wrote the rows held that way)."""

import datetime

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_data_version"),
        ("participants", "0006_normalise_jobseeker_refs"),
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="jobseeker",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "external_ref",
                        django.db.models.functions.text.Upper(
                            django.db.models.functions.text.Trim("external_ref")
                        ),
                    )
                ),
                name="jobseeker_ref_normalised",
                violation_error_message="PES reference: must be in upper case, without surrounding spaces.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("placed_on__isnull", True),
                    ("started_on__isnull", True),
                    ("placed_on__gte", models.F("started_on")),
                    _connector="OR",
                ),
                name="participation_placed_after_start",
                violation_error_message="Found work on: may not be before the start.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("hired_on__isnull", True),
                    ("started_on__isnull", True),
                    ("hired_on__gte", models.F("started_on")),
                    _connector="OR",
                ),
                name="participation_hired_after_start",
                violation_error_message="Hired on: may not be before the start.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("certified_on__isnull", True),
                    ("started_on__isnull", True),
                    ("certified_on__gte", models.F("started_on")),
                    _connector="OR",
                ),
                name="participation_certified_after_start",
                violation_error_message="Certificate obtained on: may not be before the start.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("started_on__isnull", True),
                    ("started_on__gte", datetime.date(2000, 1, 1)),
                    _connector="OR",
                ),
                name="participation_started_from_2000",
                violation_error_message="Started on: may not be before 2000-01-01.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("completed_on__isnull", True),
                    ("completed_on__gte", datetime.date(2000, 1, 1)),
                    _connector="OR",
                ),
                name="participation_completed_from_2000",
                violation_error_message="Completed on: may not be before 2000-01-01.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("placed_on__isnull", True),
                    ("placed_on__gte", datetime.date(2000, 1, 1)),
                    _connector="OR",
                ),
                name="participation_placed_from_2000",
                violation_error_message="Found work on: may not be before 2000-01-01.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("hired_on__isnull", True),
                    ("hired_on__gte", datetime.date(2000, 1, 1)),
                    _connector="OR",
                ),
                name="participation_hired_from_2000",
                violation_error_message="Hired on: may not be before 2000-01-01.",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("certified_on__isnull", True),
                    ("certified_on__gte", datetime.date(2000, 1, 1)),
                    _connector="OR",
                ),
                name="participation_certified_from_2000",
                violation_error_message="Certificate obtained on: may not be before 2000-01-01.",
            ),
        ),
    ]
