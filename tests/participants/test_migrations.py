"""The data migration that keeps the jobseeker's PES on every participation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from participants.models import Participation
from tests.factories import JobseekerFactory, ParticipationFactory, PesFactory

BEFORE = [("participants", "0001_initial")]
AFTER = [("participants", "0002_participation_pes")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_participations_and_their_history_get_the_pes_of_their_jobseeker():
    vdab, le_forem = PesFactory(slug="vdab"), PesFactory(slug="le-forem")
    for pes in (vdab, le_forem, le_forem):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=pes))
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM participants_participation")
            assert cursor.fetchone()[0] == 3
    finally:
        migrate(AFTER)

    assert Participation.objects.filter(pes=F("jobseeker__pes")).count() == 3
    assert sorted(Participation.objects.values_list("pes__slug", flat=True)) == [
        "le-forem",
        "le-forem",
        "vdab",
    ]
    history = Participation.history.model.objects.all()
    assert history.count() == 3
    assert not history.exclude(pes_id=F("jobseeker__pes_id")).exists()
