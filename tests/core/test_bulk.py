"""Records written at once with their history (crossborder.core.bulk): on PostgreSQL by binary
COPY and one UPDATE from arrays, the same records and history entries as simple_history's
bulk_create_with_history and bulk_update_with_history write (which other databases take)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from actions.models import Figure
from crossborder.core.bulk import bulk_change_with_history, bulk_insert_with_history
from crossborder.core.vocabulary import ParticipationStatus
from participants.models import Jobseeker, Participation
from tests.factories import (
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    PesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# What differs between two writes of the same records: their ids, their PES, the moments.
UNCOMPARED = {"id", "pes_id", "jobseeker_id", "created_at", "updated_at", "history_id"}
UNCOMPARED |= {"history_date"}


def new_records(pes, action) -> tuple[list[Jobseeker], list[Participation]]:
    """Three jobseekers of this PES, unsaved, and their participations in the action, each
    different in the fields a record can leave empty."""
    jobseekers = [
        Jobseeker(pes=pes, external_ref="A-1", given_name="Ann", family_name="Peeters"),
        Jobseeker(pes=pes, external_ref="A-2", given_name="Zoé", birth_year=1984),
        Jobseeker(pes=pes, external_ref="", family_name="d'Hondt", birth_year=1999),
    ]
    started = action.start_date
    participations = [
        Participation(action=action, jobseeker=jobseekers[0], pes=pes),
        Participation(
            action=action,
            jobseeker=jobseekers[1],
            pes=pes,
            status=ParticipationStatus.STARTED,
            started_on=started,
        ),
        Participation(
            action=action,
            jobseeker=jobseekers[2],
            pes=pes,
            status=ParticipationStatus.COMPLETED,
            started_on=started,
            completed_on=started + datetime.timedelta(days=1),
        ),
    ]
    # A change reason on one of them, which its history entry keeps.
    participations[2]._change_reason = "Imported from the cohort's list"
    return jobseekers, participations


def stored(model, objs) -> list[dict]:
    """The rows of these records and of their history, as stored, but what two writes of the
    same records tell apart."""
    rows = [
        {k: v for k, v in row.items() if k not in UNCOMPARED}
        for row in model.objects.filter(pk__in=[o.pk for o in objs]).order_by("pk").values()
    ]
    history = [
        {k: v for k, v in row.items() if k not in UNCOMPARED}
        for row in model.history.filter(id__in=[o.pk for o in objs]).order_by("id").values()
    ]
    return rows + history


def test_the_same_records_and_history_as_simple_history_writes():
    user = UserFactory()
    vdab, forem = PesFactory(slug="vdab"), PesFactory(slug="forem")
    action = CohortFactory()
    before = timezone.now()
    ours_jobseekers, ours = new_records(vdab, action)
    bulk_insert_with_history(ours_jobseekers, Jobseeker, user=user)
    bulk_insert_with_history(ours, Participation, user=user)
    theirs_jobseekers, theirs = new_records(forem, action)
    bulk_create_with_history(theirs_jobseekers, Jobseeker, default_user=user)
    bulk_create_with_history(theirs, Participation, default_user=user)

    assert stored(Jobseeker, ours_jobseekers) == stored(Jobseeker, theirs_jobseekers)
    assert stored(Participation, ours) == stored(Participation, theirs)
    history = Participation.history.filter(id__in=[p.pk for p in ours]).order_by("id")
    assert [(h.history_type, h.history_user_id) for h in history] == [("+", user.pk)] * 3
    assert [h.history_change_reason for h in history] == [
        None,
        None,
        "Imported from the cohort's list",
    ]
    assert all(before <= h.history_date <= timezone.now() for h in history)
    # Each record has its id and is saved: the participations took their jobseekers' ids.
    assert [p.jobseeker_id for p in ours] == [j.pk for j in ours_jobseekers]
    assert not any(p._state.adding for p in ours)
    assert Participation.objects.filter(jobseeker__pes=vdab).count() == 3


def test_the_same_changes_and_history_as_simple_history_writes():
    user = UserFactory()
    vdab, forem = PesFactory(slug="vdab"), PesFactory(slug="forem")
    action = CohortFactory()
    written = {}
    for pes in (vdab, forem):
        jobseekers, records = new_records(pes, action)
        bulk_insert_with_history(jobseekers, Jobseeker, user=None)
        bulk_insert_with_history(records, Participation, user=None)
        # What a follow-up push changes: the situation on leaving, the version, the stamp.
        for record in records:
            record.leaving_situation = "employed"
            record.leaving_source = "self_declared"
            record.leaving_checked_on = record.action.start_date
            record.version += 1
        records[0]._change_reason = "Follow-up of the cohort"
        written[pes.slug] = records
    fields = ["leaving_situation", "leaving_source", "leaving_checked_on", "version"]
    bulk_change_with_history(written["vdab"], Participation, fields, user=user)
    bulk_update_with_history(written["forem"], Participation, fields, default_user=user)

    assert stored(Participation, written["vdab"]) == stored(Participation, written["forem"])
    changes = Participation.history.filter(
        id__in=[p.pk for p in written["vdab"]], history_type="~"
    ).order_by("id")
    assert [(h.history_user_id, h.leaving_situation, h.version) for h in changes] == [
        (user.pk, "employed", 2)
    ] * 3
    assert changes[0].history_change_reason == "Follow-up of the cohort"


def test_a_translated_text_changed_is_written_in_the_active_language():
    figures = [FigureFactory(note="first"), FigureFactory(note="first")]
    for figure in figures:
        figure.note = "corrected"
    bulk_change_with_history(figures[:1], Figure, ["note", "note_en"], user=None)
    bulk_update_with_history(figures[1:], Figure, ["note", "note_en"])
    ours, theirs = (Figure.objects.get(pk=figure.pk) for figure in figures)
    assert (ours.note, ours.note_en) == (theirs.note, theirs.note_en) == ("corrected", "corrected")
    assert ours.history.first().note_en == theirs.history.first().note_en == "corrected"


def test_a_change_the_database_refuses_is_an_integrity_error_and_nothing_is_written():
    action = CohortFactory()
    jobseekers, records = new_records(PesFactory(), action)
    bulk_insert_with_history(jobseekers, Jobseeker, user=None)
    bulk_insert_with_history(records, Participation, user=None)
    histories = Participation.history.count()
    # A day of completion without the status completed: refused by a check constraint.
    records[0].completed_on = action.start_date
    records[1].leaving_situation = "employed"
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_change_with_history(
            records, Participation, ["completed_on", "leaving_situation"], user=None
        )
    stored_now = Participation.objects.filter(pk__in=[r.pk for r in records]).order_by("pk")
    assert [(p.completed_on, p.leaving_situation) for p in stored_now][:2] == [
        (None, ""),
        (None, ""),
    ]
    assert Participation.history.count() == histories


def test_the_history_names_the_requests_user_when_no_user_is_given():
    user = UserFactory()
    HistoricalRecords.thread.request = RequestFactory().get("/")
    HistoricalRecords.thread.request.user = user
    try:
        jobseeker = JobseekerFactory.build(pes=PesFactory())
        bulk_insert_with_history([jobseeker], Jobseeker, user=None)
    finally:
        del HistoricalRecords.thread.request
    assert jobseeker.history.get().history_user == user


def test_the_next_record_saved_takes_an_id_of_its_own():
    pes = PesFactory()
    written = [JobseekerFactory.build(pes=pes) for _ in range(5)]
    bulk_insert_with_history(written, Jobseeker, user=None)
    saved = JobseekerFactory(pes=pes)
    assert len({j.pk for j in written} | {saved.pk}) == 6
    assert saved.pk > max(j.pk for j in written)


def test_a_record_the_database_refuses_is_an_integrity_error_and_nothing_is_written():
    pes = PesFactory()
    JobseekerFactory(pes=pes, external_ref="TAKEN")
    jobseekers, histories = Jobseeker.objects.count(), Jobseeker.history.count()
    refused = [
        JobseekerFactory.build(pes=pes, external_ref="NEW"),
        JobseekerFactory.build(pes=pes, external_ref="TAKEN"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert_with_history(refused, Jobseeker, user=None)
    assert (Jobseeker.objects.count(), Jobseeker.history.count()) == (jobseekers, histories)


def test_records_given_ids_of_their_own_keep_them():
    pes = PesFactory()
    free = (Jobseeker.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    given = [JobseekerFactory.build(pes=pes, pk=free), JobseekerFactory.build(pes=pes, pk=free + 1)]
    bulk_insert_with_history(given, Jobseeker, user=None)
    assert sorted(Jobseeker.objects.filter(pes=pes).values_list("pk", flat=True)) == [
        free,
        free + 1,
    ]
    assert Jobseeker.history.filter(pes=pes).count() == 2


def test_no_records_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_insert_with_history([], Jobseeker, user=None)
        bulk_change_with_history([], Jobseeker, ["birth_year"], user=None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and transactions at once: PostgreSQL"
)
def test_two_writes_at_once_each_take_ids_of_their_own():
    pes = PesFactory()
    both_wrote = threading.Barrier(2, timeout=10)
    written: dict[str, list[int]] = {}

    def write(prefix: str) -> None:
        try:
            records = [
                JobseekerFactory.build(pes=pes, external_ref=f"{prefix}{n}") for n in range(50)
            ]
            with transaction.atomic():
                bulk_insert_with_history(records, Jobseeker, user=None)
                # Both transactions hold their ids, uncommitted, at once.
                both_wrote.wait()
            written[prefix] = [record.pk for record in records]
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(prefix,)) for prefix in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = set(written["A"]) | set(written["B"])
    assert len(ids) == 100
    assert set(Jobseeker.objects.filter(pes=pes).values_list("pk", flat=True)) == ids
    assert set(Jobseeker.history.filter(pes=pes).values_list("id", flat=True)) == ids


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY and transactions at once: PostgreSQL"
)
def test_a_record_written_meanwhile_refuses_the_second_write_whole():
    pes = PesFactory()
    first_wrote = threading.Event()
    refused: list[Exception] = []

    def first() -> None:
        try:
            with transaction.atomic():
                records = [JobseekerFactory.build(pes=pes, external_ref="SAME")]
                bulk_insert_with_history(records, Jobseeker, user=None)
                first_wrote.set()
                # The second write meets the uncommitted record (and waits for it) or the
                # committed one: refused either way.
                threading.Event().wait(0.3)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_wrote.wait(10)
            records = [
                JobseekerFactory.build(pes=pes, external_ref="OTHER"),
                JobseekerFactory.build(pes=pes, external_ref="SAME"),
            ]
            with transaction.atomic():
                bulk_insert_with_history(records, Jobseeker, user=None)
        except IntegrityError as error:
            refused.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 1
    assert list(Jobseeker.objects.filter(pes=pes).values_list("external_ref", flat=True)) == [
        "SAME"
    ]
    assert Jobseeker.history.filter(pes=pes).count() == 1
