"""One covering index of the participation records by action for the reports (see
Participation.Meta.indexes), instead of the action's own index and the (action, status) one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("participants", "0002_participation_pes"),
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="participation",
            name="participation_action_status",
        ),
        migrations.AlterField(
            model_name="participation",
            name="action",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="participations",
                to="actions.action",
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["action"],
                include=("pes", "status", "jobseeker", "placed_on", "hired_on", "certified_on"),
                name="participation_facts",
            ),
        ),
    ]
