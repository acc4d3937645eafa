"""Keep the jobseeker's PES on each participation (see Participation.pes): add the column, copy
the PES of every existing record (and of the history rows whose jobseeker still exists), then
make it required."""

import django.db.models.deletion
from django.db import migrations, models

# One statement, so that a million records take seconds: PostgreSQL joins, SQLite (which has
# UPDATE ... FROM only since 3.33) looks each jobseeker up by its primary key.
COPY_PES = {
    "postgresql": """
        UPDATE {table} AS p SET pes_id = j.pes_id
          FROM participants_jobseeker AS j
         WHERE j.id = p.jobseeker_id AND p.pes_id IS NULL
    """,
    "default": """
        UPDATE {table} SET pes_id = (
            SELECT j.pes_id FROM participants_jobseeker AS j WHERE j.id = {table}.jobseeker_id
        ) WHERE pes_id IS NULL
    """,
}


def copy_pes(apps, schema_editor):
    sql = COPY_PES.get(schema_editor.connection.vendor, COPY_PES["default"])
    for table in ("participants_participation", "participants_historicalparticipation"):
        schema_editor.execute(sql.format(table=table))
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign key is checked at commit; checked now, so that the column can be
        # made NOT NULL in this transaction ("pending trigger events" otherwise).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0001_initial"),
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalparticipation",
            name="pes",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                limit_choices_to={"kind": "pes"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="projects.organisation",
                verbose_name="PES",
            ),
        ),
        migrations.AddField(
            model_name="participation",
            name="pes",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                limit_choices_to={"kind": "pes"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="projects.organisation",
                verbose_name="PES",
            ),
        ),
        migrations.RunPython(copy_pes, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="participation",
            name="pes",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                limit_choices_to={"kind": "pes"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="projects.organisation",
                verbose_name="PES",
            ),
        ),
    ]
