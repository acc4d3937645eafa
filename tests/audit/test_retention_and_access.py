"""The read audit's retention deletes only old entries, with their jobseekers; erasure keeps
who looked; the access-request export tells the person who viewed the record, and when."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from crossborder.audit.models import ReadEvent, ReadEventJobseeker, ReadKind
from crossborder.audit.services import read_events_purge, read_record, reads_of_jobseeker
from participants.gdpr import jobseeker_access_report, jobseeker_erase
from tests.audit.conftest import recorded

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC)


def _read_at(user, at: datetime.datetime, ids: list[int], kind=ReadKind.API_DETAIL):
    """A read recorded at a given moment (the service stamps the clock's time)."""
    event = ReadEvent(
        user=user,
        username=user.get_username(),
        role="partner",
        organisation="VDAB",
        at=at,
        kind=kind,
        path="/api/v1/jobseekers/",
        jobseeker_count=len(ids),
    )
    event.save()
    ReadEventJobseeker.objects.bulk_create(
        [ReadEventJobseeker(event=event, jobseeker_id=pk) for pk in ids]
    )
    return event


def test_the_purge_deletes_only_entries_older_than_the_retention(partner_vdab):
    old = _read_at(partner_vdab, NOW - datetime.timedelta(days=731), [1, 2])
    edge = _read_at(partner_vdab, NOW - datetime.timedelta(days=730), [2])
    recent = _read_at(partner_vdab, NOW - datetime.timedelta(days=1), [3])

    assert read_events_purge(days=730, now=NOW) == 1

    assert sorted(ReadEvent.objects.values_list("pk", flat=True)) == [edge.pk, recent.pk]
    assert sorted(ReadEventJobseeker.objects.values_list("jobseeker_id", flat=True)) == [2, 3]
    assert not ReadEventJobseeker.objects.filter(event_id=old.pk).exists()
    # Nothing more to delete: running it again changes nothing.
    assert read_events_purge(days=730, now=NOW) == 0


def test_a_negative_retention_is_refused(partner_vdab):
    _read_at(partner_vdab, NOW, [1])

    with pytest.raises(ValueError, match="0 days or more"):
        read_events_purge(days=-1, now=NOW)
    assert ReadEvent.objects.count() == 1


def test_the_retention_command_deletes_reads_by_the_setting(partner_vdab, settings, capsys):
    settings.READ_AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    _read_at(partner_vdab, now - datetime.timedelta(days=31), [1])
    kept = _read_at(partner_vdab, now - datetime.timedelta(days=29), [1])

    call_command("anonymise_jobseekers", "--dry-run")
    assert capsys.readouterr().out.strip() == (
        "Dry run: 0 jobseeker(s) whose projects ended more than 5 year(s) ago would be erased, "
        "and 1 read(s) of the read audit older than 30 day(s) deleted."
    )
    assert ReadEvent.objects.count() == 2

    call_command("anonymise_jobseekers")
    assert capsys.readouterr().out.strip().splitlines() == [
        "Erased 0 jobseeker(s) whose projects ended more than 5 year(s) ago.",
        "Deleted 1 read(s) of the read audit older than 30 day(s).",
    ]
    assert list(ReadEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_erasure_keeps_who_looked_at_the_record(partner_vdab, jobseekers):
    anna = jobseekers[0]
    read_record(user=partner_vdab, kind=ReadKind.API_DETAIL, path="/p/", jobseeker_ids=[anna.pk])

    jobseeker_erase(jobseeker=anna)

    assert [event.username for event in reads_of_jobseeker(jobseeker_id=anna.pk)] == [
        "partner-vdab"
    ]


def test_who_looked_at_a_person_is_one_query(partner_vdab, jobseekers, django_assert_num_queries):
    for jobseeker in jobseekers:
        read_record(
            user=partner_vdab, kind=ReadKind.API_LIST, path="/l/", jobseeker_ids=[jobseeker.pk]
        )

    with django_assert_num_queries(1):
        assert len(list(reads_of_jobseeker(jobseeker_id=jobseekers[1].pk))) == 1


def test_the_access_export_lists_the_reads_by_role_and_organisation(
    partner_vdab, coordinator, superuser, jobseekers
):
    anna, other = jobseekers[0], jobseekers[1]
    first = _read_at(partner_vdab, NOW - datetime.timedelta(days=2), [anna.pk, other.pk])
    second = read_record(
        user=coordinator, kind=ReadKind.ADMIN_CHANGE, path="/admin/", jobseeker_ids=[anna.pk]
    )
    read_record(user=superuser, kind=ReadKind.ADMIN_LIST, path="/admin/", jobseeker_ids=[anna.pk])
    read_record(
        user=coordinator, kind=ReadKind.ADMIN_LIST, path="/admin/", jobseeker_ids=[other.pk]
    )

    reads = jobseeker_access_report(jobseeker=anna)["reads"]

    assert reads == [
        {
            "date": first.at.isoformat(),
            "role": "partner",
            "organisation": "VDAB",
            "what": "API: a record",
        },
        {
            "date": second.at.isoformat(),
            "role": "coordinator",
            "organisation": coordinator.membership.organisation.name,
            "what": "admin: page of a record",
        },
        {
            "date": reads[2]["date"],
            "role": "superuser",
            "organisation": "",
            "what": "admin: list",
        },
    ]
    # Staff are not named to the person (see participants.gdpr).
    assert "partner-vdab" not in json.dumps(reads)


def test_the_downloaded_access_export_holds_earlier_reads_and_is_recorded(
    client, coordinator, jobseekers
):
    anna = jobseekers[0]
    client.force_login(coordinator)
    page = reverse("admin:participants_jobseeker_change", args=[anna.pk])
    listing = reverse("admin:participants_jobseeker_changelist")
    client.get(page)

    response = client.post(listing, {"action": "access_request", "_selected_action": [anna.pk]})

    reads = json.loads(response.content)["reads"]
    assert [(read["role"], read["what"]) for read in reads] == [
        ("coordinator", "admin: page of a record")
    ]
    assert recorded() == [
        ("coordinator-vdab", ReadKind.ADMIN_CHANGE, page, [anna.pk]),
        ("coordinator-vdab", ReadKind.ACCESS_EXPORT, listing, [anna.pk]),
    ]
