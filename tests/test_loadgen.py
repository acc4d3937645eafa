"""The load generator at a small scale: the rules of the models hold, a seed gives the same data,
and it never touches data it did not make."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum

from actions.models import Action, Figure
from crossborder.core.dataversion import data_version
from crossborder.core.metrics import PARTICIPANT_METRICS, Metric
from crossborder.core.vocabulary import STARTED_STATUSES, ActionStatus, ActionType
from crossborder.demo import loadgen
from participants.models import Jobseeker, Participation
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
