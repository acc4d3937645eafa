"""The read audit in the admin: superusers read it, filtered by user, date and jobseeker id;
nobody adds, changes or deletes an entry; a coordinator gets 403."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crossborder.audit.models import ReadEvent, ReadKind
from crossborder.audit.services import read_record

pytestmark = pytest.mark.django_db

LIST = "admin:audit_readevent_changelist"


@pytest.fixture
def events(partner_vdab, coordinator):
    return [
        read_record(user=partner_vdab, kind=ReadKind.API_LIST, path="/a/", jobseeker_ids=[1, 2]),
        read_record(user=coordinator, kind=ReadKind.ADMIN_CHANGE, path="/b/", jobseeker_ids=[2]),
        read_record(user=coordinator, kind=ReadKind.ADMIN_LIST, path="/c/", jobseeker_ids=[3]),
    ]


def _listed(client, **params) -> list[int]:
    response = client.get(reverse(LIST), params)
    assert response.status_code == 200
    return sorted(event.pk for event in response.context["cl"].result_list)


def test_a_superuser_reads_the_audit_filtered_by_jobseeker_user_and_date(
    client, superuser, coordinator, events
):
    client.force_login(superuser)
    now = timezone.localtime()

    assert _listed(client) == sorted(event.pk for event in events)
    assert _listed(client, jobseeker="2") == [events[0].pk, events[1].pk]
    assert _listed(client, jobseeker="42") == []
    assert _listed(client, jobseeker="not-an-id") == []
    assert _listed(client, user__id__exact=coordinator.pk) == [events[1].pk, events[2].pk]
    assert _listed(client, at__year=now.year, at__month=now.month, at__day=now.day) == sorted(
        event.pk for event in events
    )
    yesterday = now - datetime.timedelta(days=1)
    assert (
        _listed(client, at__year=yesterday.year, at__month=yesterday.month, at__day=yesterday.day)
        == []
    )

    page = client.get(reverse("admin:audit_readevent_change", args=[events[0].pk]))
    assert page.status_code == 200
    assert "1, 2" in page.content.decode()


def test_nobody_adds_changes_or_deletes_an_entry(client, superuser, events):
    client.force_login(superuser)
    event = events[0]

    added = client.post(reverse("admin:audit_readevent_add"), {"path": "/x/"})
    changed = client.post(reverse("admin:audit_readevent_change", args=[event.pk]), {"path": "/x/"})
    deleted = client.post(reverse("admin:audit_readevent_delete", args=[event.pk]), {"post": "yes"})
    page = client.get(reverse("admin:audit_readevent_change", args=[event.pk])).content.decode()

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    assert ReadEvent.objects.get(pk=event.pk).path == "/a/"
    assert ReadEvent.objects.count() == 3
    assert 'name="_save"' not in page


def test_a_coordinator_gets_403(client, coordinator, events):
    client.force_login(coordinator)

    listed = client.get(reverse(LIST))
    page = client.get(reverse("admin:audit_readevent_change", args=[events[1].pk]))
    index = client.get(reverse("admin:index"))

    assert (listed.status_code, page.status_code) == (403, 403)
    assert "audit" not in [app["app_label"] for app in index.context["app_list"]]
