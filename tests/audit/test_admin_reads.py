"""The admin's pages and exports of jobseekers and participation records are recorded in the
read audit, with exactly the jobseekers they show; refused pages and empty lists are not."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crossborder.audit.models import ReadEvent, ReadKind
from participants.admin import JobseekerAdmin
from tests.audit.conftest import recorded
from tests.conftest import _user_with_role
from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

USER = "coordinator-vdab"


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def coordinator_le_forem(le_forem):
    return _user_with_role("coordinator", le_forem, username="coordinator-le-forem", is_staff=True)


def test_the_page_of_a_jobseeker_is_recorded(coordinator_client, coordinator, jobseekers):
    anna = jobseekers[0]
    url = reverse("admin:participants_jobseeker_change", args=[anna.pk])

    response = coordinator_client.get(url)

    assert response.status_code == 200
    assert recorded() == [(USER, ReadKind.ADMIN_CHANGE, url, [anna.pk])]
    event = ReadEvent.objects.get()
    assert (event.user, event.role, event.organisation) == (
        coordinator,
        "coordinator",
        coordinator.membership.organisation.name,
    )


def test_another_pes_coordinator_sees_nothing_and_leaves_nothing(
    client, coordinator_le_forem, jobseekers
):
    client.force_login(coordinator_le_forem)
    anna = jobseekers[0]

    change = client.get(reverse("admin:participants_jobseeker_change", args=[anna.pk]))
    listed = client.get(reverse("admin:participants_jobseeker_changelist"))

    # The admin sends a missing object back to its index; Le Forem's list is empty.
    assert change.status_code == 302
    assert listed.status_code == 200
    assert recorded() == []


def test_a_user_without_personal_data_is_refused_and_leaves_nothing(client, vdab, jobseekers):
    manager = _user_with_role("manager", vdab, username="staff-manager", is_staff=True)
    client.force_login(manager)

    change = client.get(reverse("admin:participants_jobseeker_change", args=[jobseekers[0].pk]))
    listed = client.get(reverse("admin:participants_jobseeker_changelist"))

    assert (change.status_code, listed.status_code) == (403, 403)
    assert recorded() == []


def test_a_list_records_only_the_jobseekers_of_the_page_shown(
    coordinator_client, jobseekers, monkeypatch
):
    monkeypatch.setattr(JobseekerAdmin, "list_per_page", 2)
    url = reverse("admin:participants_jobseeker_changelist")

    first = coordinator_client.get(url)
    second = coordinator_client.get(url, {"p": "2"})

    assert (first.status_code, second.status_code) == (200, 200)
    on_first = sorted(row.pk for row in first.context["cl"].result_list)
    on_second = [row.pk for row in second.context["cl"].result_list]
    assert len(on_first) == 2
    assert sorted(on_first + on_second) == sorted(j.pk for j in jobseekers)
    assert recorded() == [
        (USER, ReadKind.ADMIN_LIST, url, on_first),
        (USER, ReadKind.ADMIN_LIST, url, on_second),
    ]


def test_a_search_is_recorded_without_its_terms(coordinator_client, jobseekers):
    url = reverse("admin:participants_jobseeker_changelist")

    response = coordinator_client.get(url, {"q": "Claes"})

    assert "Claes" in response.content.decode()
    assert recorded() == [(USER, ReadKind.ADMIN_LIST, url, [jobseekers[2].pk])]
    assert "Claes" not in ReadEvent.objects.get().path


def test_an_empty_list_records_nothing(coordinator_client, vdab):
    response = coordinator_client.get(reverse("admin:participants_jobseeker_changelist"))

    assert response.status_code == 200
    assert recorded() == []


def test_history_and_deletion_pages_are_recorded(coordinator_client, jobseekers):
    anna = jobseekers[0]
    anna.given_name = "Anne"
    anna.save()
    version = anna.history.order_by("history_id").first()
    history = reverse("admin:participants_jobseeker_history", args=[anna.pk])
    old = reverse("admin:participants_jobseeker_simple_history", args=[anna.pk, version.pk])
    delete = reverse("admin:participants_jobseeker_delete", args=[anna.pk])

    for url in (history, old, delete):
        assert coordinator_client.get(url).status_code == 200

    assert recorded() == [
        (USER, ReadKind.ADMIN_HISTORY, history, [anna.pk]),
        (USER, ReadKind.ADMIN_HISTORY, old, [anna.pk]),
        (USER, ReadKind.ADMIN_DELETE, delete, [anna.pk]),
    ]


def test_participation_pages_record_their_jobseekers(coordinator_client, jobseekers):
    first = ParticipationFactory(jobseeker=jobseekers[0])
    ParticipationFactory(jobseeker=jobseekers[2])
    listing = reverse("admin:participants_participation_changelist")
    change = reverse("admin:participants_participation_change", args=[first.pk])

    assert coordinator_client.get(listing).status_code == 200
    assert coordinator_client.get(change).status_code == 200

    assert recorded() == [
        (USER, ReadKind.ADMIN_LIST, listing, [jobseekers[0].pk, jobseekers[2].pk]),
        (USER, ReadKind.ADMIN_CHANGE, change, [jobseekers[0].pk]),
    ]


def test_an_export_records_the_jobseekers_it_holds(coordinator_client, vdab, jobseekers):
    project = ProjectFactory()
    ProjectPartnerFactory(project=project, organisation=vdab)
    action, other = ActionFactory(project=project), ActionFactory(project=project)
    ParticipationFactory(action=action, jobseeker=jobseekers[0])
    ParticipationFactory(action=action, jobseeker=jobseekers[1])
    ParticipationFactory(action=other, jobseeker=jobseekers[2])
    url = reverse("admin:participants_participation_export")

    response = coordinator_client.post(
        f"{url}?action__id__exact={action.pk}", {"format": "0", "resource": "0"}
    )

    assert response.status_code == 200
    assert "Aerts" in response.content.decode("utf-8-sig")
    assert recorded() == [
        (USER, ReadKind.ADMIN_EXPORT, url, sorted([jobseekers[0].pk, jobseekers[1].pk]))
    ]


def test_an_empty_export_records_nothing(coordinator_client, vdab):
    url = reverse("admin:participants_participation_export")

    response = coordinator_client.post(url, {"format": "0", "resource": "0"})

    assert response.status_code == 200
    assert recorded() == []


def test_the_erasure_confirmation_and_the_access_export_are_recorded(
    coordinator_client, jobseekers
):
    url = reverse("admin:participants_jobseeker_changelist")
    anna, bogaert = jobseekers[0], jobseekers[1]

    asked = coordinator_client.post(
        url, {"action": "erase", "_selected_action": [anna.pk, bogaert.pk]}
    )
    exported = coordinator_client.post(
        url, {"action": "access_request", "_selected_action": [anna.pk]}
    )

    assert (asked.status_code, exported.status_code) == (200, 200)
    assert recorded() == [
        (USER, ReadKind.ADMIN_ERASE, url, sorted([anna.pk, bogaert.pk])),
        (USER, ReadKind.ACCESS_EXPORT, url, [anna.pk]),
    ]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "name", ["participants_jobseeker_changelist", "participants_participation_changelist"]
)
def test_a_list_records_its_page_in_the_same_queries_for_1_or_30(
    coordinator_client, vdab, name, django_assert_num_queries
):
    url = reverse(f"admin:{name}")
    ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    _count(coordinator_client, url)  # the session's first request caches what every one does
    one = _count(coordinator_client, url)
    for _ in range(29):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))

    with django_assert_num_queries(one):
        assert coordinator_client.get(url).status_code == 200
    assert ReadEvent.objects.order_by("pk").last().jobseeker_count == 30


def test_the_autocomplete_of_jobseekers_records_the_names_it_answers(
    coordinator_client, jobseekers
):
    url = reverse("admin:autocomplete")
    field = {"app_label": "participants", "model_name": "participation", "field_name": "jobseeker"}

    found = coordinator_client.get(url, {**field, "term": "Claes"})
    none = coordinator_client.get(url, {**field, "term": "Nobody"})

    assert [row["id"] for row in found.json()["results"]] == [str(jobseekers[2].pk)]
    assert none.json()["results"] == []
    assert recorded() == [(USER, ReadKind.ADMIN_LIST, url, [jobseekers[2].pk])]
