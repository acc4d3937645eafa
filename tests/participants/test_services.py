from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from actions.services import figure_upsert
from crossborder.core.metrics import Metric
from participants.models import Jobseeker, Participation
from participants.services import jobseeker_update, jobseeker_upsert, participation_upsert
from tests.factories import ActionFactory, CohortFactory, PesFactory

pytestmark = pytest.mark.django_db


def test_pushing_the_same_jobseeker_twice_makes_one():
    vdab = PesFactory(slug="vdab")
    first, created = jobseeker_upsert(pes=vdab, external_ref="X1", family_name="Peeters")
    again, created_again = jobseeker_upsert(
        pes=vdab, external_ref=" X1 ", family_name="Peeters-Maes"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Jobseeker.objects.get().family_name == "Peeters-Maes"
    assert again.pseudonym


def test_jobseeker_upsert_validates():
    with pytest.raises(ValidationError) as excinfo:
        jobseeker_upsert(pes=PesFactory(slug="vdab"), external_ref="X1", birth_year=1800)
    assert excinfo.value.message_dict == {
        "__all__": ["Year of birth: must lie between 1900 and 2100."]
    }
    assert not Jobseeker.objects.exists()


def test_participation_upsert_updates_in_place():
    jobseeker, _ = jobseeker_upsert(pes=PesFactory(slug="vdab"), external_ref="X1")
    action = CohortFactory()
    participation_upsert(
        action=action, jobseeker=jobseeker, status="started", started_on=datetime.date(2017, 4, 27)
    )
    _, created = participation_upsert(
        action=action,
        jobseeker=jobseeker,
        status="completed",
        started_on=datetime.date(2017, 4, 27),
        completed_on=datetime.date(2017, 7, 27),
    )
    assert not created
    assert Participation.objects.get().status == "completed"


def test_figure_upsert_sets_and_refuses_a_mixed_form():
    action = ActionFactory()
    vdab = PesFactory(slug="vdab")
    figure, created = figure_upsert(action=action, metric=Metric.STARTS, pes=vdab, value=3)
    figure, created_again = figure_upsert(action=action, metric=Metric.STARTS, pes=vdab, value=4)
    assert (created, created_again, figure.value) == (True, False, 4)
    jobseeker, _ = jobseeker_upsert(pes=vdab, external_ref="X1")
    with pytest.raises(ValidationError) as excinfo:
        participation_upsert(action=action, jobseeker=jobseeker, status="started")
    assert "VDAB already gave aggregate figures" in excinfo.value.message_dict["jobseeker"][0]


def test_jobseeker_update_changes_what_describes_them():
    jobseeker, _ = jobseeker_upsert(pes=PesFactory(slug="vdab"), external_ref="X1")
    jobseeker_update(jobseeker=jobseeker, family_name="Claes", birth_year=1990)
    assert Jobseeker.objects.values_list("family_name", "birth_year").get() == ("Claes", 1990)


def test_jobseeker_update_refuses_an_erased_jobseeker():
    from django.utils import timezone

    jobseeker, _ = jobseeker_upsert(pes=PesFactory(slug="vdab"), external_ref="X1")
    jobseeker.erased_at = timezone.now()
    with pytest.raises(ValidationError) as refused:
        jobseeker_update(jobseeker=jobseeker, family_name="Claes")
    assert refused.value.messages == ["This jobseeker's data was erased; it cannot be changed."]
