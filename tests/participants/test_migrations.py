"""The data migration that keeps the jobseeker's PES on every participation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F

from participants.models import Jobseeker, Participation
from tests.factories import JobseekerFactory, ParticipationFactory, PesFactory

BEFORE = [("participants", "0001_initial")]


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
        # Through 0002 to every app's latest: going back unapplied the later migrations of
        # every app that depends on this one's (the reports' rollups), which the tests after
        # this one in the same database need.
        migrate(latest())

    assert Participation.objects.filter(pes=F("jobseeker__pes")).count() == 3
    assert sorted(Participation.objects.values_list("pes__slug", flat=True)) == [
        "le-forem",
        "le-forem",
        "vdab",
    ]
    history = Participation.history.model.objects.all()
    assert history.count() == 3
    assert not history.exclude(pes_id=F("jobseeker__pes_id")).exists()


BEFORE_REFS = [("participants", "0005_jobseeker_by_name")]


def latest() -> list[tuple[str, str]]:
    """Every app's latest migration, whatever later ones add: the tests then read with today's
    models, and so do the tests after them (going back unapplies the migrations of the apps
    that depend on this one's, the reports' rollups among them)."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _jobseekers_before_normalising(refs: list[tuple[object, str]]) -> None:
    """Back to the schema before 0006, with jobseekers of these PES and references."""
    migrate(BEFORE_REFS)
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state(BEFORE_REFS[0])
    Jobseeker = state.apps.get_model("participants", "Jobseeker")
    for pes, ref in refs:
        Jobseeker.objects.create(pes_id=pes.pk, external_ref=ref)


@pytest.mark.django_db(transaction=True)
def test_references_held_are_normalised_and_keep_their_pseudonym():
    vdab, le_forem = PesFactory(slug="vdab"), PesFactory(slug="le-forem")
    try:
        _jobseekers_before_normalising([(vdab, " vd-001"), (le_forem, "vd-001"), (vdab, "VD-002")])
    finally:
        migrate(latest())

    assert sorted(Jobseeker.objects.values_list("pes__slug", "external_ref")) == [
        ("le-forem", "VD-001"),
        ("vdab", "VD-001"),
        ("vdab", "VD-002"),
    ]


@pytest.mark.django_db(transaction=True)
def test_references_of_one_pes_that_would_clash_stop_the_migration_naming_them():
    vdab = PesFactory(slug="vdab")
    try:
        _jobseekers_before_normalising([(vdab, "vd-001"), (vdab, "VD-001 "), (vdab, "VD-002")])
        with pytest.raises(RuntimeError, match="'vd-001' and 'VD-001 '"):
            migrate(latest())
    finally:
        # In SQL: the schema is older than today's model, which would read its columns.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM participants_jobseeker WHERE external_ref = 'VD-001 '")
        migrate(latest())
    assert sorted(Jobseeker.objects.values_list("external_ref", flat=True)) == ["VD-001", "VD-002"]
