"""Tombstones (crossborder/sync/): one for every deletion of a record an API list shows,
whichever path deletes it, named by its natural key and scoped; purged after their retention."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import URLPattern
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from actions.models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector
from crossborder.api.urls import urls
from crossborder.sync.api import synced_model
from crossborder.sync.models import Tombstone
from crossborder.sync.services import tombstones_purge
from crossborder.sync.signals import SCOPES
from projects.models import (
    BorderOfficePair,
    Office,
    ReportingPeriod,
)
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CertificateFactory,
    CompanyFactory,
    FigureFactory,
    IndicatorFactory,
    JobOfferFactory,
    JobseekerFactory,
    OfficeFactory,
    ParticipationFactory,
    ProgrammeFactory,
    ProjectFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_every_list_of_the_api_has_its_tombstones():
    """A list added to the router whose model syncs must say what its tombstones keep."""
    request = Request(APIRequestFactory().get("/"))
    request.user = UserFactory(username="root", is_superuser=True)
    synced = set()
    for pattern in urls():
        if not isinstance(pattern, URLPattern) or not str(pattern.name).endswith("-list"):
            continue
        view = pattern.callback.cls(request=request, action="list", kwargs={}, format_kwarg=None)
        model = synced_model(view.get_queryset())
        if model is not None:
            synced.add(model)

    assert synced == set(SCOPES)
    assert synced >= {ActionEmployer, JobOffer, Sector, Certificate, Office, BorderOfficePair}


def _only() -> Tombstone:
    return Tombstone.objects.get()


def test_an_action_is_named_by_its_reference(vdab):
    action = ActionFactory(reference="gt-2017-lkt")
    pk, project_id = action.pk, action.project_id

    action.delete()

    tombstone = _only()
    assert (tombstone.model, tombstone.object_id) == ("actions.action", pk)
    assert tombstone.natural_key == {"reference": "gt-2017-lkt"}
    assert (tombstone.project_id, tombstone.pes_id) == (project_id, None)
    assert timezone.now() - tombstone.deleted_at < datetime.timedelta(minutes=1)


def test_deleting_an_action_leaves_the_tombstones_of_everything_it_held(vdab):
    action = ActionFactory(reference="gt-2017-lkt")
    company = CompanyFactory(slug="koraton")
    figure = FigureFactory(action=action, pes=vdab)
    employer = ActionEmployerFactory(action=action, organisation=company)
    offer = JobOfferFactory(action=action, employer=company, title="line operator")
    participation = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    expected = {
        ("actions.action", action.pk): ({"reference": "gt-2017-lkt"}, None),
        ("actions.figure", figure.pk): (
            {"action": "gt-2017-lkt", "metric": "starts", "pes": "vdab"},
            vdab.pk,
        ),
        ("actions.actionemployer", employer.pk): (
            {"action": "gt-2017-lkt", "organisation": "koraton"},
            None,
        ),
        ("actions.joboffer", offer.pk): (
            {"action": "gt-2017-lkt", "title": "line operator", "employer": "koraton"},
            None,
        ),
        ("participants.participation", participation.pk): (
            {"action": "gt-2017-lkt", "jobseeker": participation.jobseeker_id},
            vdab.pk,
        ),
    }

    Action.objects.filter(pk=action.pk).delete()

    tombstones = Tombstone.objects.all()
    assert {(t.model, t.object_id): (t.natural_key, t.pes_id) for t in tombstones} == expected
    assert {t.project_id for t in tombstones} == {action.project_id}


def test_a_jobseeker_keeps_no_personal_data_in_its_tombstone(vdab):
    jobseeker = JobseekerFactory(pes=vdab, external_ref="VD-001", given_name="An")
    pk = jobseeker.pk

    jobseeker.delete()

    tombstone = _only()
    assert (tombstone.model, tombstone.object_id) == ("participants.jobseeker", pk)
    assert (tombstone.natural_key, tombstone.pes_id) == ({"pes": "vdab"}, vdab.pk)


@pytest.mark.parametrize(
    ("make", "label", "key"),
    [
        (lambda: SectorFactory(slug="agro-food"), "actions.sector", {"slug": "agro-food"}),
        (lambda: CertificateFactory(slug="caces"), "actions.certificate", {"slug": "caces"}),
        (
            lambda: ProgrammeFactory(slug="interreg-vi"),
            "projects.programme",
            {"slug": "interreg-vi"},
        ),
        (lambda: ProjectFactory(slug="actemploi"), "projects.project", {"slug": "actemploi"}),
        (lambda: CompanyFactory(slug="wepa"), "projects.organisation", {"slug": "wepa"}),
        (lambda: OfficeFactory(slug="vdab-ieper"), "projects.office", {"slug": "vdab-ieper"}),
        (lambda: IndicatorFactory(code="RCO81"), "projects.indicator", {"code": "RCO81"}),
    ],
)
def test_reference_data_is_named_by_its_slug_or_code(make, label, key):
    record = make()
    pk = record.pk
    before = set(Tombstone.objects.values_list("pk", flat=True))

    type(record).objects.filter(pk=pk).delete()

    tombstone = Tombstone.objects.exclude(pk__in=before).get(model=label)
    assert (tombstone.object_id, tombstone.natural_key) == (pk, key)


def test_a_border_office_pair_is_named_by_its_offices():
    pair = BorderOfficePair.objects.create(
        office=OfficeFactory(slug="pe-dunkerque"), partner_office=OfficeFactory(slug="vdab-veurne")
    )
    pk = pair.pk

    pair.delete()

    assert _only().natural_key == {"office": "pe-dunkerque", "partner_office": "vdab-veurne"}
    assert _only().object_id == pk


def test_a_reporting_period_keeps_its_project_and_pes(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    period = ReportingPeriod.objects.create(
        project=project, year=2017, semester="2017-S1", pes=vdab
    )

    period.delete()

    tombstone = _only()
    assert tombstone.natural_key == {
        "project": "grenzeloos-tewerkstellen",
        "year": 2017,
        "semester": "2017-S1",
        "pes": "vdab",
    }
    assert (tombstone.project_id, tombstone.pes_id) == (project.pk, vdab.pk)


def test_the_admin_delete_leaves_a_tombstone(client, vdab):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    figure = FigureFactory(pes=vdab)
    pk = figure.pk

    response = client.post(
        f"/admin/actions/figure/{pk}/delete/", {"post": "yes", "reason": "entered twice"}
    )

    assert response.status_code == 302
    assert not Figure.objects.filter(pk=pk).exists()
    assert (_only().model, _only().object_id) == ("actions.figure", pk)


def test_the_api_delete_of_an_employer_present_leaves_a_tombstone(client, vdab):
    api = APIClient()
    api.force_authenticate(UserFactory(username="root", is_superuser=True, is_staff=True))
    employer = ActionEmployerFactory(action=ActionFactory(reference="gt-x"))
    pk = employer.pk

    response = api.delete(f"/api/v1/action-employers/{pk}/")

    assert response.status_code == 204
    assert (_only().model, _only().object_id) == ("actions.actionemployer", pk)


# Retention.


def test_tombstones_older_than_their_retention_are_purged(settings):
    settings.SYNC_TOMBSTONE_DAYS = 90
    now = timezone.now()
    kept = Tombstone.objects.create(
        model="actions.action", object_id=1, deleted_at=now - datetime.timedelta(days=89)
    )
    Tombstone.objects.create(
        model="actions.action", object_id=2, deleted_at=now - datetime.timedelta(days=91)
    )

    assert tombstones_purge(now=now) == 1
    assert list(Tombstone.objects.all()) == [kept]
    assert tombstones_purge(now=now) == 0


def test_the_purge_command_says_what_it_deleted(settings):
    settings.SYNC_TOMBSTONE_DAYS = 30
    Tombstone.objects.create(
        model="actions.action",
        object_id=1,
        deleted_at=timezone.now() - datetime.timedelta(days=31),
    )
    out = StringIO()

    call_command("purge_tombstones", stdout=out)
    call_command("purge_tombstones", stdout=out)

    assert out.getvalue().splitlines() == [
        "Deleted 1 tombstone(s) older than 30 days.",
        "Deleted 0 tombstone(s) older than 30 days.",
    ]
    assert not Tombstone.objects.exists()
