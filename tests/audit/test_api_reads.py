"""The API's reads of jobseekers and participation records are recorded; refused reads, writes
and empty pages are not; a list costs the same queries whatever its length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crossborder.audit.models import ReadEvent, ReadKind
from tests.audit.conftest import recorded
from tests.factories import JobseekerFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def test_a_partner_listing_jobseekers_leaves_one_read_with_the_page(
    api_client, partner_vdab, jobseekers
):
    response = api_client(partner_vdab).get("/api/v1/jobseekers/", {"page_size": 2})

    assert response.status_code == 200
    shown = [row["id"] for row in response.json()["results"]]
    assert len(shown) == 2
    assert recorded() == [("partner-vdab", ReadKind.API_LIST, "/api/v1/jobseekers/", sorted(shown))]
    event = ReadEvent.objects.get()
    assert (event.user, event.role, event.organisation, event.jobseeker_count) == (
        partner_vdab,
        "partner",
        partner_vdab.membership.organisation.name,
        2,
    )


def test_a_read_of_one_jobseeker_is_recorded(api_client, partner_vdab, jobseekers):
    anna = jobseekers[0]

    response = api_client(partner_vdab).get(f"/api/v1/jobseekers/{anna.pk}/")

    assert response.status_code == 200
    assert recorded() == [
        ("partner-vdab", ReadKind.API_DETAIL, f"/api/v1/jobseekers/{anna.pk}/", [anna.pk])
    ]


def test_the_search_terms_stay_out_of_the_audit(api_client, partner_vdab, jobseekers):
    response = api_client(partner_vdab).get("/api/v1/jobseekers/", {"search": "Claes"})

    assert [row["family_name"] for row in response.json()["results"]] == ["Claes"]
    assert recorded() == [
        ("partner-vdab", ReadKind.API_LIST, "/api/v1/jobseekers/", [jobseekers[2].pk])
    ]


def test_a_csv_list_is_recorded_too(api_client, partner_vdab, jobseekers):
    response = api_client(partner_vdab).get("/api/v1/jobseekers/", {"format": "csv"})

    assert response.status_code == 200
    assert "Claes" in response.content.decode()
    assert recorded() == [
        ("partner-vdab", ReadKind.API_LIST, "/api/v1/jobseekers/", [j.pk for j in jobseekers])
    ]


def test_participation_records_name_their_jobseekers(api_client, partner_vdab, jobseekers):
    first = ParticipationFactory(jobseeker=jobseekers[0])
    ParticipationFactory(jobseeker=jobseekers[0])
    ParticipationFactory(jobseeker=jobseekers[2])
    client = api_client(partner_vdab)

    assert client.get("/api/v1/participations/").status_code == 200
    assert client.get(f"/api/v1/participations/{first.pk}/").status_code == 200

    assert recorded() == [
        (
            "partner-vdab",
            ReadKind.API_LIST,
            "/api/v1/participations/",
            [jobseekers[0].pk, jobseekers[2].pk],
        ),
        (
            "partner-vdab",
            ReadKind.API_DETAIL,
            f"/api/v1/participations/{first.pk}/",
            [jobseekers[0].pk],
        ),
    ]


def test_refused_readers_leave_nothing(api_client, partner_le_forem, manager, stranger, jobseekers):
    anna = jobseekers[0]

    assert api_client(None).get("/api/v1/jobseekers/").status_code == 401
    assert api_client(stranger).get("/api/v1/jobseekers/").status_code == 403
    assert api_client(manager).get(f"/api/v1/jobseekers/{anna.pk}/").status_code == 403
    # Another PES's partner: the jobseeker does not exist for it, and its list is empty.
    assert api_client(partner_le_forem).get(f"/api/v1/jobseekers/{anna.pk}/").status_code == 404
    assert api_client(partner_le_forem).get("/api/v1/jobseekers/").json()["results"] == []
    assert api_client(partner_le_forem).get("/api/v1/participations/").status_code == 200

    assert recorded() == []


def test_an_empty_page_records_nothing(api_client, partner_vdab):
    assert api_client(partner_vdab).get("/api/v1/jobseekers/").json()["results"] == []
    assert api_client(partner_vdab).get("/api/v1/participations/").json()["results"] == []

    assert ReadEvent.objects.count() == 0


def test_writes_are_not_reads(api_client, partner_vdab, vdab):
    response = api_client(partner_vdab).post(
        "/api/v1/jobseekers/",
        {"pes": "vdab", "external_ref": "VD-9", "given_name": "Jan", "birth_year": 1990},
        format="json",
    )

    assert response.status_code == 201
    assert ReadEvent.objects.count() == 0


def _fresh(api_client, user):
    """A client of the user as a new request sees it: nothing cached on the user object."""
    return api_client(type(user).objects.get(pk=user.pk))


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in context.captured_queries]


@pytest.mark.parametrize("url", ["/api/v1/jobseekers/", "/api/v1/participations/"])
def test_a_list_records_its_page_in_the_same_queries_for_1_or_25(
    api_client, partner_vdab, vdab, url, django_assert_num_queries
):
    ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    one = _queries(_fresh(api_client, partner_vdab), url)
    for _ in range(24):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))

    client = _fresh(api_client, partner_vdab)
    with django_assert_num_queries(len(one)):
        assert client.get(url).status_code == 200

    # The audit's part: the event, then its jobseekers in one insert.
    inserts = [sql for sql in one if sql.startswith("INSERT") and '"audit_' in sql]
    assert len(inserts) == 2
    assert ReadEvent.objects.order_by("pk").last().jobseeker_count == 25
