"""The load generator at a small scale: the rules of the models hold, a seed gives the same data,
and it never touches data it did not make."""

from __future__ import annotations

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum

from actions.models import Action, Figure
from crossborder.core.dataversion import data_version
from crossborder.core.metrics import PARTICIPANT_METRICS, WORK_FOUND_ACTION_TYPES, Metric
from crossborder.core.vocabulary import STARTED_STATUSES, ActionStatus, ActionType
from crossborder.demo import loadgen
from participants.models import (
    EntryStatus,
    FollowUpKind,
    FollowUpState,
    Gender,
    Jobseeker,
    Participation,
    UnemploymentDuration,
)
from tests.factories import ActionFactory, JobseekerFactory

pytestmark = pytest.mark.django_db

SMALL = 2000


def generate(participations: int = SMALL, seed: int = 42) -> loadgen.Summary:
    return loadgen.generate(
        loadgen.Scale.for_participations(participations), seed=seed, log=lambda message: None
    )


def test_generates_the_amounts_asked():
    result = generate()
    assert result.participations == SMALL
    assert loadgen.summary() == result
    assert result.actions == 20
    assert result.jobseekers == 600
    assert result.figures > 0
    assert result.employers > 0
    assert set(Jobseeker.objects.values_list("pes__slug", flat=True)) == {
        "vdab",
        "le-forem",
        "pole-emploi",
    }


def test_keeps_the_rules_of_the_models():
    generate()
    # One form per action, PES and metric: a PES with records in an action has no split figures.
    with_records = set(Participation.objects.values_list("action_id", "jobseeker__pes_id"))
    split = set(
        Figure.objects.filter(pes__isnull=False, metric__in=PARTICIPANT_METRICS).values_list(
            "action_id", "pes_id"
        )
    )
    assert not with_records & split
    # Every record carries its jobseeker's PES (COPY bypasses Participation.save()).
    assert not Participation.objects.exclude(pes=F("jobseeker__pes")).exists()
    # A guidance cohort: at most 12 jobseekers, records and figures together.
    for cohort in Action.objects.filter(action_type=ActionType.GUIDANCE_COHORT).annotate(
        started=Count("participations", filter=Q(participations__status__in=STARTED_STATUSES))
    ):
        figures = cohort.figures.filter(metric=Metric.STARTS).aggregate(total=Sum("value"))
        assert cohort.started + (figures["total"] or 0) <= 12
    # Everything else the models check, on a sample of every kind of row.
    for action in Action.objects.all():
        action.full_clean()
    for figure in Figure.objects.select_related("action")[:30]:
        figure.full_clean()
    for participation in Participation.objects.select_related("jobseeker", "action")[:30]:
        participation.full_clean()
    assert (
        Participation.objects.exclude(status="interested")
        .filter(action__status=ActionStatus.PLANNED)
        .count()
        == 0
    )


def test_the_same_seed_gives_the_same_data():
    def content() -> list[tuple]:
        return list(
            Participation.objects.order_by(
                "action__reference", "jobseeker__external_ref"
            ).values_list("action__reference", "jobseeker__external_ref", "status", "placed_on")
        )

    generate(300, seed=7)
    first = content()
    loadgen.reset()
    generate(300, seed=7)
    assert content() == first
    loadgen.reset()
    generate(300, seed=8)
    assert content() != first


def test_reset_deletes_only_the_generated_data():
    own_action = ActionFactory()
    own_jobseeker = JobseekerFactory()
    generate(300)
    loadgen.reset()
    assert loadgen.summary() == loadgen.Summary()
    assert list(Action.objects.all()) == [own_action]
    assert list(Jobseeker.objects.all()) == [own_jobseeker]


def test_command_refuses_a_database_with_other_data_unless_forced():
    ActionFactory()
    with pytest.raises(CommandError, match="not generated"):
        call_command("generate_load", participations=300, stdout=io.StringIO())
    call_command("generate_load", participations=300, force=True, stdout=io.StringIO())
    assert loadgen.summary().participations == 300


def test_command_replaces_earlier_load_only_with_reset():
    out = io.StringIO()
    call_command("generate_load", participations=300, stdout=out)
    assert "300 participations" in out.getvalue()
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_load", participations=400, stdout=io.StringIO())
    call_command("generate_load", participations=400, reset=True, stdout=io.StringIO())
    assert loadgen.summary().participations == 400


def test_allocate_respects_caps_and_total():
    assert loadgen.allocate(10, [1, 1, 1], [12, 12, 12]) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    assert loadgen.allocate(30, [10, 1, 1], [12, 100, 100]) == [12, 9, 9]
    assert loadgen.allocate(50, [1, 1], [10, 10]) == [10, 10]


def test_generating_and_resetting_make_the_api_pages_out_of_date():
    """COPY, bulk_create and the SQL deletes send no signals: both give the data a new version
    themselves, or the API would keep serving its cached pages of the data before."""
    before = data_version()
    generate(300)
    generated = data_version()
    loadgen.reset()
    assert len({before, generated, data_version()}) == 3
    assert generated is not None


def load_day() -> datetime.date:
    """The day the load is generated as of: 30 September of its last year."""
    return loadgen.Generator(loadgen.Scale.for_participations(SMALL), seed=42).as_of


def test_jobseekers_have_a_plausible_mix_of_genders():
    generate()
    genders = Counter(Jobseeker.objects.values_list("gender", flat=True))
    assert set(genders) <= set(Gender.values)
    total = sum(genders.values())
    assert 0.40 < genders[Gender.WOMAN] / total < 0.55
    assert 0.43 < genders[Gender.MAN] / total < 0.58
    assert 0 < genders[Gender.NOT_GIVEN] / total < 0.08


def test_records_have_a_status_at_entry_and_a_duration_that_fits_it():
    generate()
    rows = Counter(Participation.objects.values_list("entry_status", "unemployment_duration"))
    total = sum(rows.values())
    statuses = Counter()
    for (status, duration), count in rows.items():
        statuses[status] += count
        if status == EntryStatus.UNEMPLOYED:
            assert duration in (
                UnemploymentDuration.UNDER_6_MONTHS,
                UnemploymentDuration.FROM_6_TO_12_MONTHS,
            )
        elif status == EntryStatus.LONG_TERM_UNEMPLOYED:
            assert duration in (
                UnemploymentDuration.FROM_12_TO_24_MONTHS,
                UnemploymentDuration.OVER_24_MONTHS,
            )
        else:
            assert duration == ""
    assert set(statuses) == {*EntryStatus.values, ""}
    assert 0.4 < statuses[EntryStatus.UNEMPLOYED] / total < 0.6
    assert 0.2 < statuses[EntryStatus.LONG_TERM_UNEMPLOYED] / total < 0.36
    assert 0 < statuses[""] / total < 0.08


def test_every_started_record_that_needs_follow_ups_has_them_or_they_are_due_or_not_yet():
    generate()
    as_of = load_day()
    assert as_of == datetime.date(2024, 9, 30)
    records = list(Participation.objects.select_related("action", "jobseeker"))
    states: Counter[tuple[str, str | None]] = Counter()
    for record in records:
        needs = record.has_started and record.action.action_type in WORK_FOUND_ACTION_TYPES
        for kind in FollowUpKind.values:
            state = record.follow_up_state(kind, as_of)
            states[(kind, state)] += 1
            assert (state is not None) == needs, (record.pk, kind)
            if state == FollowUpState.DONE:
                # Done only once due, and never dated after the load's day.
                due_on = record.follow_up_due_on(kind)
                assert due_on is not None and due_on <= as_of
        if record.leaving_situation:
            # In work on leaving exactly when work was found by the check.
            worked = [day for day in (record.placed_on, record.hired_on) if day is not None]
            found = bool(worked) and min(worked) <= record.leaving_checked_on
            assert record.in_work_on_leaving == found, record.pk
            assert record.follow_up_errors() == {}
    for kind in FollowUpKind.values:
        done = states[(kind, FollowUpState.DONE)]
        missing = sum(
            states[(kind, state)]
            for state in (FollowUpState.NOT_DUE, FollowUpState.DUE, FollowUpState.OVERDUE)
        )
        # Most done, some missing: the worklists and "not yet known" have something to show.
        assert done > missing > 0, (kind, states)
    assert states[(FollowUpKind.ON_LEAVING, FollowUpState.OVERDUE)] > 0
    assert states[(FollowUpKind.SIX_MONTHS, FollowUpState.NOT_DUE)] > 0
    # Every rule of the model on a sample of the records with both follow-ups.
    for record in [r for r in records if r.six_month_situation][:30]:
        record.full_clean()


def _schema(*models: type) -> tuple[list[tuple], list[tuple]]:
    """The constraints and indexes of these tables as the catalogue defines them."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, condeferrable, condeferred,"
            " convalidated, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisvalid"
            " FROM pg_index WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1",
            [tables],
        )
        return constraints, cursor.fetchall()


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY, and the indexes and constraints set aside during it: PostgreSQL only",
)


@on_postgresql
def test_the_big_tables_get_their_indexes_and_constraints_back_as_the_migrations_made_them():
    before = _schema(Jobseeker, Participation)
    assert len(before[0]) > 10 and len(before[1]) > 10
    generate()
    assert _schema(Jobseeker, Participation) == before
    # Checked again: a record of an action that does not exist is refused at the commit.
    with pytest.raises(IntegrityError), transaction.atomic():
        record = Participation.objects.first()
        Participation.objects.filter(pk=record.pk).update(action_id=-1)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@on_postgresql
def test_the_records_of_an_empty_table_are_written_frozen_and_others_beside_them():
    """COPY FREEZE into the emptied tables: every page visible to all, nothing for VACUUM."""
    own_jobseeker = JobseekerFactory()
    generate()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpages, relallvisible FROM pg_class WHERE relname = ANY(%s)",
            [[Jobseeker._meta.db_table, Participation._meta.db_table]],
        )
        pages = {name: (total, visible) for name, total, visible in cursor.fetchall()}
    total, visible = pages[Participation._meta.db_table]
    assert total > 0 and visible == total
    # The jobseekers' table held one already: written beside it, not frozen.
    assert pages[Jobseeker._meta.db_table][1] == 0
    assert Jobseeker.objects.filter(pk=own_jobseeker.pk).exists()
    assert loadgen.summary().jobseekers == 600


@on_postgresql
def test_ids_are_reserved_in_one_block_after_the_existing_ones():
    own = JobseekerFactory()
    generate(300)
    ids = sorted(loadgen.load_jobseekers().values_list("id", flat=True))
    assert ids == list(range(own.pk + 1, own.pk + 1 + len(ids)))
    assert JobseekerFactory().pk == ids[-1] + 1
