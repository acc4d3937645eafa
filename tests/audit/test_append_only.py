"""The read audit is append-only: no change or deletion through its models or querysets."""

from __future__ import annotations

import pytest

from crossborder.audit.models import AppendOnlyError, ReadEvent, ReadEventJobseeker, ReadKind
from crossborder.audit.services import read_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(partner_vdab):
    return read_record(
        user=partner_vdab, kind=ReadKind.API_DETAIL, path="/api/v1/jobseekers/7/", jobseeker_ids=[7]
    )


def test_an_entry_is_never_changed(event):
    event.path = "/elsewhere/"

    with pytest.raises(AppendOnlyError, match="append-only"):
        event.save()
    with pytest.raises(AppendOnlyError):
        ReadEvent.objects.filter(pk=event.pk).update(path="/elsewhere/")
    link = ReadEventJobseeker.objects.get()
    link.jobseeker_id = 8
    with pytest.raises(AppendOnlyError):
        link.save()
    with pytest.raises(AppendOnlyError):
        ReadEventJobseeker.objects.update(jobseeker_id=8)

    assert ReadEvent.objects.values_list("path", flat=True).get() == "/api/v1/jobseekers/7/"
    assert list(ReadEventJobseeker.objects.values_list("jobseeker_id", flat=True)) == [7]


def test_an_entry_is_never_deleted_but_by_the_retention(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ReadEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ReadEventJobseeker.objects.get().delete()
    with pytest.raises(AppendOnlyError):
        ReadEventJobseeker.objects.all().delete()

    assert (ReadEvent.objects.count(), ReadEventJobseeker.objects.count()) == (1, 1)


def test_a_jobseeker_shown_twice_on_a_page_is_recorded_once(partner_vdab):
    event = read_record(
        user=partner_vdab, kind=ReadKind.API_LIST, path="/x/", jobseeker_ids=[3, 3, None, 1]
    )

    assert event.jobseeker_count == 2
    assert sorted(event.jobseekers.values_list("jobseeker_id", flat=True)) == [1, 3]


def test_nothing_is_recorded_without_a_jobseeker_or_for_anonymous(partner_vdab):
    from django.contrib.auth.models import AnonymousUser

    assert (
        read_record(user=partner_vdab, kind=ReadKind.API_LIST, path="/", jobseeker_ids=[]) is None
    )
    assert (
        read_record(user=AnonymousUser(), kind=ReadKind.API_LIST, path="/", jobseeker_ids=[1])
        is None
    )
    assert ReadEvent.objects.count() == 0


def test_a_path_is_kept_without_its_query_string_and_cut_to_its_column(partner_vdab):
    long = "/api/v1/jobseekers/" + "x" * 1000

    kept = read_record(
        user=partner_vdab, kind=ReadKind.API_LIST, path=f"{long}?search=Claes", jobseeker_ids=[1]
    )
    short = read_record(
        user=partner_vdab, kind=ReadKind.API_LIST, path="/p/?search=Claes", jobseeker_ids=[1]
    )

    assert ReadEvent.objects.get(pk=kept.pk).path == long[:500]
    assert ReadEvent.objects.get(pk=short.pk).path == "/p/"
