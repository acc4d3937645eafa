"""The follow-ups' worklist: the user's PES's follow-ups due and overdue, filled in per row."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participation
from projects.models import PeriodStatus, ReportingPeriod
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("reports:follow-ups")
RECORD = reverse("reports:follow-up-record")


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def rows(left, le_forem):
    return {
        "due": left(ago(10), reference="VD-DUE"),
        "overdue": left(ago(40), reference="VD-LATE"),
        "not_due": left(ago(-5), reference="VD-SOON"),
        "other_pes": left(ago(10), pes=le_forem, reference="LF-DUE"),
    }


def listed(response) -> list[tuple[str, str, str]]:
    return [
        (row.participation.jobseeker.external_ref, row.kind, row.state)
        for row in response.context["rows"]
    ]


def form(participation, **values) -> dict:
    return {
        "participation": participation.pk,
        "kind": "on_leaving",
        "version": participation.version,
        "situation": "employed",
        "checked_on": ago(1).isoformat(),
        "source": "employer",
        "next": "kind=on_leaving",
        **values,
    }


def test_a_coordinator_sees_the_due_and_overdue_of_their_pes(client, coordinator, rows):
    client.force_login(coordinator)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [
        ("VD-LATE", "on_leaving", "overdue"),
        ("VD-DUE", "on_leaving", "due"),
    ]
    content = response.content.decode()
    assert "LF-DUE" not in content and "VD-SOON" not in content
    assert f'href="{LIST}"' in content  # the menu's link
    assert 'name="csrfmiddlewaretoken"' in content
    assert "style=" not in content and "<script>" not in content


def test_filters_narrow_the_list_and_a_bad_one_is_a_400(client, coordinator, rows):
    client.force_login(coordinator)
    assert listed(client.get(LIST, {"state": "due"})) == [("VD-DUE", "on_leaving", "due")]
    action = rows["overdue"].action_id
    assert listed(client.get(LIST, {"action": action})) == [("VD-LATE", "on_leaving", "overdue")]
    assert listed(client.get(LIST, {"project": "p", "kind": "six_months"})) == []
    response = client.get(LIST, {"kind": "weekly"})
    assert response.status_code == 400
    assert "kind:" in response.content.decode()


def test_an_empty_list_says_so(client, coordinator):
    client.force_login(coordinator)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "No follow-up to record here" in response.content.decode()


def test_strangers_see_nothing(client, rows, manager, stranger, partner_le_forem):
    for user in (manager, stranger):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.post(RECORD, form(rows["due"])).status_code == 403
    assert f'href="{LIST}"' not in client.get(reverse("reports:overview")).content.decode()
    client.force_login(partner_le_forem)
    assert listed(client.get(LIST)) == [("LF-DUE", "on_leaving", "due")]
    assert client.post(RECORD, form(rows["due"])).status_code == 404
    assert Participation.objects.get(pk=rows["due"].pk).leaving_situation == ""
    client.logout()
    assert client.get(LIST).status_code == 302


def test_a_superuser_chooses_the_pes(client, rows):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert len(listed(client.get(LIST))) == 3
    assert listed(client.get(LIST, {"pes": "le-forem"})) == [("LF-DUE", "on_leaving", "due")]
    assert client.get(LIST, {"pes": "nowhere"}).status_code == 400


def test_a_follow_up_is_filled_in_on_its_row(client, coordinator, rows):
    client.force_login(coordinator)
    response = client.post(RECORD, form(rows["due"]))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?kind=on_leaving"
    stored = Participation.objects.get(pk=rows["due"].pk)
    assert (stored.leaving_situation, stored.leaving_checked_on, stored.placed_on) == (
        "employed",
        ago(1),
        ago(1),
    )
    assert stored.history.first().history_user == coordinator
    page = client.get(response["Location"])
    assert "Recorded: on leaving of VD-DUE" in page.content.decode()
    assert listed(page) == [("VD-LATE", "on_leaving", "overdue")]


def test_a_refused_follow_up_shows_the_list_with_why(client, coordinator, rows):
    client.force_login(coordinator)
    response = client.post(RECORD, form(rows["due"], situation="better_situation"))
    assert response.status_code == 400
    assert "VD-DUE not recorded" in response.context["error"]
    response = client.post(RECORD, form(rows["due"], checked_on="31/02/2026"))
    assert response.status_code == 400
    assert "is no day" in response.context["error"]
    response = client.post(RECORD, form(rows["due"], version="x"))
    assert response.status_code == 400
    assert Participation.objects.get(pk=rows["due"].pk).leaving_situation == ""


def test_a_stale_row_is_refused(client, coordinator, rows):
    client.force_login(coordinator)
    shown = form(rows["due"])
    Participation.objects.get(pk=rows["due"].pk).save()  # someone else's change: version 2
    response = client.post(RECORD, shown)
    assert response.status_code == 409
    assert "someone changed this record" in response.context["error"]
    assert Participation.objects.get(pk=rows["due"].pk).leaving_situation == ""


def test_a_locked_period_is_refused(client, coordinator, rows):
    action = rows["due"].action
    period = ReportingPeriod.objects.create(
        project=action.project, year=action.year, semester=action.semester, pes=rows["due"].pes
    )
    ReportingPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.APPROVED)
    client.force_login(coordinator)
    response = client.post(RECORD, form(rows["due"]))
    assert response.status_code == 400
    assert "approved" in response.context["error"]


def test_the_page_is_a_fixed_number_of_queries(
    client, coordinator, left, django_assert_num_queries
):
    client.force_login(coordinator)
    left(ago(3))
    client.get(LIST)  # the first request after logging in also updates the session
    # The session and its user, the roles, the membership and its PES, the projects to filter
    # by, the follow-ups' count and page, and their records with action, project and jobseeker.
    with django_assert_num_queries(9):
        assert len(client.get(LIST).context["rows"]) == 1
    for days in range(4, 24):
        left(ago(days))
    with django_assert_num_queries(9):
        assert len(client.get(LIST).context["rows"]) == 21


def test_the_list_is_paginated(client, coordinator, left):
    client.force_login(coordinator)
    for days in range(1, 53):
        left(ago(days % 20 + 1))
    first = client.get(LIST)
    assert (len(first.context["rows"]), first.context["page"].paginator.num_pages) == (50, 2)
    assert len(client.get(LIST, {"page": 2}).context["rows"]) == 2


def test_the_footer_says_the_page_holds_personal_data(client, coordinator, rows):
    client.force_login(coordinator)
    content = client.get(LIST).content.decode()
    assert "This page names jobseekers of your PES" in content
    assert "no personal data is shown" not in content
    assert "no personal data is shown" in client.get(reverse("reports:overview")).content.decode()
