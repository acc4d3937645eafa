"""Incremental sync of the API's lists (`changed_since`, crossborder/sync/api.py): what changed
and what was deleted since the last sync, exactly once, paged without skipping anything while
writes go on, in the user's scope."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import yaml
from django.core import signing
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from actions.models import Action, Figure
from actions.services import figure_delete
from crossborder.api.base import Pagination
from crossborder.sync.api import CURSOR_SALT, DEFAULT_LIMIT, MAX_LIMIT
from crossborder.sync.models import Tombstone
from participants.gdpr import jobseeker_erase
from participants.models import Jobseeker, Participation
from participants.services import participation_delete
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

PARTICIPATIONS = "/api/v1/participations/"
FIGURES = "/api/v1/figures/"
ACTIONS = "/api/v1/actions/"
JOBSEEKERS = "/api/v1/jobseekers/"


@pytest.fixture(autouse=True)
def no_safety_window(settings):
    """Writes of the test are handed out at once; the window has tests of its own below."""
    settings.SYNC_SAFETY_SECONDS = 0


@pytest.fixture
def api(client_for, partner_vdab) -> APIClient:
    return client_for(partner_vdab)


def page(api: APIClient, path: str, since: str, **params: Any) -> dict[str, Any]:
    response = api.get(path, {"changed_since": since, **params})
    assert response.status_code == 200, response.content
    return response.json()


def sync(api: APIClient, path: str, since: str, **params: Any) -> tuple[list, list, str]:
    """Every page of a sync: the records (as listed), the deletions' ids, the last cursor."""
    results: list[dict[str, Any]] = []
    deleted: list[int] = []
    while True:
        body = page(api, path, since, **params)
        results += body["results"]
        deleted += [item["id"] for item in body["deleted"]]
        since = body["next_cursor"]
        if not body["has_more"]:
            return results, deleted, since


def ids(records: list[dict[str, Any]]) -> list[int]:
    return [record["id"] for record in records]


def stamp(model, pk: int, moment: datetime.datetime) -> None:
    """Set a record's update stamp, as a transaction that stamped it then would have."""
    model.objects.filter(pk=pk).update(updated_at=moment)


# The answer's shape.


def test_a_sync_answers_results_deletions_cursor_and_whether_more_wait(api, vdab):
    record = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))

    body = page(api, PARTICIPATIONS, "initial")

    assert list(body) == ["results", "deleted", "next_cursor", "has_more"]
    assert ids(body["results"]) == [record.pk]
    # As the list shows it, field for field.
    assert body["results"][0] == api.get(f"{PARTICIPATIONS}{record.pk}/").json()
    assert body["deleted"] == []
    assert body["has_more"] is False
    assert isinstance(body["next_cursor"], str)


def test_the_empty_case(api):
    body = page(api, PARTICIPATIONS, "initial")

    assert (body["results"], body["deleted"], body["has_more"]) == ([], [], False)
    assert page(api, PARTICIPATIONS, body["next_cursor"])["results"] == []


def test_a_list_without_changed_since_is_paged_as_before(api, vdab):
    ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))

    body = api.get(PARTICIPATIONS).json()

    assert set(body) == {"count", "next", "previous", "results"}


# Writes and deletes between two syncs come back exactly once, nothing else.


def test_writes_and_deletes_between_two_syncs_come_back_exactly_once(api, vdab, partner_vdab):
    action = ActionFactory()
    kept, changed, removed = (
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab)) for _n in "abc"
    )
    first, _deleted, cursor = sync(api, PARTICIPATIONS, "initial")
    assert sorted(ids(first)) == sorted([kept.pk, changed.pk, removed.pk])

    changed.status = "completed"
    changed.completed_on = datetime.date(2017, 11, 28)
    changed.save()
    added = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    participation_delete(participation=removed, reason="entered twice", user=partner_vdab)
    # Created and deleted between the syncs: a deletion only (the client may hold nothing).
    brief = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    brief_id = brief.pk
    brief.delete()

    results, deleted, cursor = sync(api, PARTICIPATIONS, cursor)

    assert ids(results) == [changed.pk, added.pk]
    assert results[0]["status"] == "completed"
    assert deleted == [removed.pk, brief_id]
    # And nothing more after that.
    assert sync(api, PARTICIPATIONS, cursor)[:2] == ([], [])


def test_writes_and_deletes_through_the_api_come_back_exactly_once(api, vdab):
    """A partner's night: pushes, a PATCH and a DELETE through the API between two syncs read
    by pages of two; each record written comes back once however often it was written, the
    deleted one as a deletion only, and nothing else."""
    ActionFactory(reference="gt-2018-sync")
    for n in range(6):
        JobseekerFactory(pes=vdab, external_ref=f"VD-{n}")

    def push(*refs: str, status: str = "interested") -> list[int]:
        body = {
            "participations": [
                {"action": "gt-2018-sync", "jobseeker": {"ref": ref}, "status": status}
                for ref in refs
            ]
        }
        response = api.post("/api/v1/participations/push/", body, format="json")
        assert response.status_code == 200, response.content
        return [result["id"] for result in response.json()["results"]]

    first_ids = push("VD-0", "VD-1", "VD-2", "VD-3")
    first, deleted, cursor = sync(api, PARTICIPATIONS, "initial", limit=2)
    assert (ids(first), deleted) == (first_ids, [])

    # VD-0 is pushed again unchanged, VD-1 changed by a push and then by a PATCH, VD-2 deleted,
    # VD-4 and VD-5 pushed new.
    push("VD-0")
    push("VD-1", status="started")
    detail = f"{PARTICIPATIONS}{first_ids[1]}/"
    patched = api.patch(
        detail,
        {"status": "interested"},
        format="json",
        headers={"If-Match": api.get(detail)["ETag"]},
    )
    assert patched.status_code == 200, patched.content
    gone = f"{PARTICIPATIONS}{first_ids[2]}/"
    removed = api.delete(gone, headers={"If-Match": api.get(gone)["ETag"]})
    assert removed.status_code == 204
    added = push("VD-4", "VD-5")

    results, deleted, cursor = sync(api, PARTICIPATIONS, cursor, limit=2)

    assert ids(results) == [first_ids[1], *added]
    assert results[0]["status"] == "interested"
    assert deleted == [first_ids[2]]
    assert sync(api, PARTICIPATIONS, cursor, limit=2)[:2] == ([], [])


def test_a_deletion_names_the_record_by_its_natural_key(api, vdab, coordinator):
    figure = FigureFactory(action=ActionFactory(reference="gt-2017-veurne"), pes=vdab)
    cursor = page(api, FIGURES, "initial")["next_cursor"]

    figure_delete(figure=figure, reason="", user=coordinator)

    deleted = page(api, FIGURES, cursor)["deleted"]
    tombstone = Tombstone.objects.get()
    assert deleted == [
        {
            "id": figure.pk,
            "natural_key": {"action": "gt-2017-veurne", "metric": "starts", "pes": "vdab"},
            "deleted_at": timezone.localtime(tombstone.deleted_at).isoformat(),
        }
    ]


def test_deleting_an_action_gives_the_tombstones_of_its_figures_and_participations(api, vdab):
    action = ActionFactory(reference="gt-2017-lkt")
    figure = FigureFactory(action=action, pes=vdab)
    participation = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    cursors = {path: page(api, path, "initial")["next_cursor"] for path in (ACTIONS, FIGURES)}
    cursors[PARTICIPATIONS] = page(api, PARTICIPATIONS, "initial")["next_cursor"]

    Action.objects.filter(pk=action.pk).delete()

    assert page(api, ACTIONS, cursors[ACTIONS])["deleted"][0]["natural_key"] == {
        "reference": "gt-2017-lkt"
    }
    assert [d["id"] for d in page(api, FIGURES, cursors[FIGURES])["deleted"]] == [figure.pk]
    deleted = page(api, PARTICIPATIONS, cursors[PARTICIPATIONS])["deleted"]
    assert deleted[0]["id"] == participation.pk
    assert deleted[0]["natural_key"] == {
        "action": "gt-2017-lkt",
        "jobseeker": participation.jobseeker_id,
    }


def test_a_delete_rolled_back_leaves_no_tombstone(vdab):
    figure = FigureFactory(pes=vdab)
    figure_id = figure.pk

    with pytest.raises(RuntimeError), transaction.atomic():
        figure.delete()
        raise RuntimeError

    assert Figure.objects.filter(pk=figure_id).exists()
    assert not Tombstone.objects.exists()


def test_a_timestamp_gives_what_changed_at_or_after_it(api, vdab):
    old, new = (ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab)) for _n in "ab")
    moment = timezone.now() - datetime.timedelta(hours=1)
    stamp(Participation, old.pk, moment - datetime.timedelta(microseconds=1))
    stamp(Participation, new.pk, moment)

    since = moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    results, deleted, _cursor = sync(api, PARTICIPATIONS, since)

    assert (ids(results), deleted) == ([new.pk], [])


def test_a_timestamp_in_another_zone_is_the_same_moment(api, vdab):
    record = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    moment = timezone.now() - datetime.timedelta(hours=1)
    stamp(Participation, record.pk, moment)
    brussels = moment.astimezone(datetime.timezone(datetime.timedelta(hours=1)))

    assert ids(sync(api, PARTICIPATIONS, brussels.isoformat())[0]) == [record.pk]
    later = (moment + datetime.timedelta(seconds=1)).astimezone(brussels.tzinfo).isoformat()
    assert sync(api, PARTICIPATIONS, later)[0] == []


def test_filters_narrow_the_results(api, vdab):
    one, other = ActionFactory(), ActionFactory()
    mine = ParticipationFactory(action=one, jobseeker=JobseekerFactory(pes=vdab))
    ParticipationFactory(action=other, jobseeker=JobseekerFactory(pes=vdab))

    results, _deleted, _cursor = sync(api, PARTICIPATIONS, "initial", action=one.pk)

    assert ids(results) == [mine.pk]


def test_actions_sync_too(api):
    first = ActionFactory()
    cursor = sync(api, ACTIONS, "initial")[2]
    second = ActionFactory()
    first.title = "Jobdating Veurne"
    first.save()

    results, _deleted, _cursor = sync(api, ACTIONS, cursor)

    assert ids(results) == [second.pk, first.pk]
    assert results[1]["title"] == "Jobdating Veurne"


# Paging: nothing skipped while writes happen during the sync.


def test_paging_with_writes_during_the_sync_skips_nothing(api, vdab):
    action = ActionFactory()
    records = [
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab)) for _n in range(5)
    ]
    first = page(api, PARTICIPATIONS, "initial", limit=2)
    assert ids(first["results"]) == [records[0].pk, records[1].pk]
    assert first["has_more"] is True

    # Between page 1 and page 2: a record already read and one not yet read change, one is
    # created, one not yet read is deleted. A page-numbered list would now shift its rows.
    for record in (records[0], records[3]):
        record.status = "completed"
        record.save()
    added = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    Participation.objects.filter(pk=records[2].pk).delete()

    rest, deleted, cursor = sync(api, PARTICIPATIONS, first["next_cursor"], limit=2)

    assert ids(rest) == [records[4].pk, records[0].pk, records[3].pk, added.pk]
    assert deleted == [records[2].pk]
    # The client now holds every record as it is, and the next sync has nothing.
    held = {record["id"]: record for record in first["results"] + rest}
    held.pop(records[2].pk, None)
    live = Participation.objects.all()
    assert sorted(held) == sorted(live.values_list("pk", flat=True))
    assert {pk: record["status"] for pk, record in held.items()} == dict(
        live.values_list("pk", "status")
    )
    assert sync(api, PARTICIPATIONS, cursor)[:2] == ([], [])


def test_records_changed_at_the_same_moment_are_paged_by_id(api, vdab):
    records = [ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab)) for _n in range(3)]
    moment = timezone.now() - datetime.timedelta(minutes=1)
    Participation.objects.update(updated_at=moment)

    first = page(api, PARTICIPATIONS, "initial", limit=2)
    second = page(api, PARTICIPATIONS, first["next_cursor"], limit=2)

    assert ids(first["results"]) + ids(second["results"]) == [r.pk for r in records]
    assert second["has_more"] is False


def test_deletions_are_paged_by_limit_too(api, vdab):
    cursor = page(api, PARTICIPATIONS, "initial")["next_cursor"]
    for _n in range(3):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    Participation.objects.all().delete()
    # In the order they were deleted.
    pks = list(Tombstone.objects.order_by("deleted_at", "pk").values_list("object_id", flat=True))

    first = page(api, PARTICIPATIONS, cursor, limit=2)
    second = page(api, PARTICIPATIONS, first["next_cursor"], limit=2)

    assert [d["id"] for d in first["deleted"]] == pks[:2] and first["has_more"] is True
    assert [d["id"] for d in second["deleted"]] == pks[2:] and second["has_more"] is False


def test_the_page_sizes_are_those_of_the_lists():
    assert (Pagination.page_size, Pagination.max_page_size) == (DEFAULT_LIMIT, MAX_LIMIT)


def test_the_default_and_largest_page(api, vdab):
    for _n in range(DEFAULT_LIMIT + 1):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))

    assert len(page(api, PARTICIPATIONS, "initial")["results"]) == DEFAULT_LIMIT
    assert len(page(api, PARTICIPATIONS, "initial", limit=MAX_LIMIT)["results"]) == 26


def test_limit_sets_the_page_size_of_a_list_without_a_sync_too(api, vdab):
    for _n in range(3):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))

    body = api.get(PARTICIPATIONS, {"limit": 2}).json()

    assert (body["count"], len(body["results"])) == (3, 2)


# The safety window: a transaction that commits late with an earlier stamp is not skipped.


def test_what_changed_within_the_safety_window_waits_for_the_next_sync(api, vdab, settings):
    settings.SYNC_SAFETY_SECONDS = 300
    now = timezone.now()
    settled, recent = (ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab)) for _n in "ab")
    stamp(Participation, settled.pk, now - datetime.timedelta(minutes=10))
    stamp(Participation, recent.pk, now - datetime.timedelta(minutes=1))

    results, _deleted, cursor = sync(api, PARTICIPATIONS, "initial")
    assert ids(results) == [settled.pk]

    # A transaction that stamped its record 4 minutes ago commits only now: still after the
    # cursor, which stays 5 minutes behind the time of the sync.
    late = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    stamp(Participation, late.pk, now - datetime.timedelta(minutes=4))
    # Five minutes later (the window passed): both come, in the order of their stamps.
    settings.SYNC_SAFETY_SECONDS = 0

    assert ids(sync(api, PARTICIPATIONS, cursor)[0]) == [late.pk, recent.pk]


def test_without_the_window_a_late_commit_would_be_skipped(api, vdab):
    """Why the window is there: with none, the cursor reaches the time of the sync, and a
    record stamped before it but committed after it lies behind the cursor for good."""
    cursor = sync(api, PARTICIPATIONS, "initial")[2]
    late = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    stamp(Participation, late.pk, timezone.now() - datetime.timedelta(minutes=4))

    assert sync(api, PARTICIPATIONS, cursor)[0] == []


# The cursor.


def test_the_same_cursor_gives_the_same_page(api, vdab):
    for _n in range(3):
        ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    cursor = page(api, PARTICIPATIONS, "initial", limit=1)["next_cursor"]

    once, again = (page(api, PARTICIPATIONS, cursor, limit=1) for _n in "ab")

    assert once["results"] == again["results"] and once["has_more"] is again["has_more"] is True
    # The records' position is the same; the deletions' follows the clock (none were deleted).
    assert (
        signing.loads(once["next_cursor"], salt=CURSOR_SALT)["r"]
        == (signing.loads(again["next_cursor"], salt=CURSOR_SALT)["r"])
    )


def test_a_cursor_is_opaque_and_signed(api, vdab):
    ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    cursor = page(api, PARTICIPATIONS, "initial")["next_cursor"]

    payload = signing.loads(cursor, salt=CURSOR_SALT)

    assert payload["l"] == "participants.participation"
    forged = signing.dumps({**payload, "l": "participants.participation"}, salt="another")
    response = api.get(PARTICIPATIONS, {"changed_since": forged})
    assert response.status_code == 400


def test_a_cursor_of_another_list_is_refused(api):
    cursor = page(api, FIGURES, "initial")["next_cursor"]

    response = api.get(PARTICIPATIONS, {"changed_since": cursor})

    assert response.status_code == 400
    assert response.json() == {
        "changed_since": [
            "This cursor is of another list (actions.figure): continue a sync on the list that "
            "gave it."
        ]
    }


HELP = (
    "Give a timestamp with its time zone (e.g. 2026-11-30T19:00:00Z; a + in a URL is "
    "URL-encoded), `initial` for a first sync, or the next_cursor of an earlier answer of this "
    "list."
)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-11-31T00:00:00Z",
        # A + sent unencoded reads as a space.
        "2026-11-30T19:00:00 01:00",
        "9999-12-31T23:30:00-01:00",
        "eyJsIjoiYWN0aW9ucy5maWd1cmUifQ:garbled",
        "\u00e9t\u00e9",
    ],
)
def test_a_bad_changed_since_is_a_400_saying_what_to_give(api, value):
    response = api.get(PARTICIPATIONS, {"changed_since": value})

    assert response.status_code == 400
    assert response.json() == {"changed_since": [HELP]}


@pytest.mark.parametrize("value", ["2026-11-30T19:00:00", "2026-11-30"])
def test_a_timestamp_without_its_time_zone_is_refused(api, value):
    response = api.get(PARTICIPATIONS, {"changed_since": value})

    assert response.status_code == 400
    assert response.json() == {
        "changed_since": [
            "The timestamp needs its time zone, e.g. 2026-11-30T19:00:00Z or "
            "2026-11-30T20:00:00+01:00 (a + in a URL is URL-encoded)."
        ]
    }


@pytest.mark.parametrize("value", ["0", "101", "-1", "2.5", "abc", "", "\u0661"])
def test_a_bad_limit_is_a_400(api, value):
    for params in ({"changed_since": "initial", "limit": value}, {"limit": value}):
        response = api.get(PARTICIPATIONS, params)

        assert response.status_code == 400
        assert response.json() == {"limit": ["Must be a whole number from 1 to 100."]}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/tokens/", "This list does not sync: read it whole."),
        (
            "/api/v1/follow-ups/",
            "The follow-ups do not sync: their states change with the days. Sync "
            "/participations/, which holds what they record.",
        ),
    ],
)
@pytest.mark.parametrize("value", ["initial", "2026-11-30T19:00:00Z"])
def test_a_list_that_does_not_sync_refuses_changed_since(api, path, message, value):
    """Rather than answering the whole list as if it were what changed since."""
    response = api.get(path, {"changed_since": value})
    assert response.status_code == 400
    assert response.json() == {"changed_since": [message]}
    assert api.get(path).status_code == 200


def test_a_sync_is_json_only(api):
    response = api.get(PARTICIPATIONS, {"changed_since": "initial", "format": "csv"})

    # Refused in the format asked for.
    assert response.status_code == 400
    assert "A sync answers in JSON only: leave out format=csv." in response.content.decode()


# Retention of the deletions: 410 from further back.


def test_a_sync_from_before_the_deletions_kept_is_gone(api, settings):
    settings.SYNC_TOMBSTONE_DAYS = 90
    since = timezone.now() - datetime.timedelta(days=91)

    response = api.get(PARTICIPATIONS, {"changed_since": since.isoformat()})

    assert response.status_code == 410
    assert response.json() == {
        "detail": (
            "Deletions are kept 90 days, and this sync starts further back: read the list again "
            "from the start with changed_since=initial."
        )
    }
    within = timezone.now() - datetime.timedelta(days=89)
    assert api.get(PARTICIPATIONS, {"changed_since": within.isoformat()}).status_code == 200


def test_an_old_cursor_is_gone_too(api, settings):
    cursor = page(api, PARTICIPATIONS, "initial")["next_cursor"]
    settings.SYNC_TOMBSTONE_DAYS = 1
    payload = signing.loads(cursor, salt=CURSOR_SALT)
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).astimezone(datetime.UTC)
    payload["d"] = [two_days_ago.isoformat(), None]
    old = signing.dumps(payload, salt=CURSOR_SALT)

    assert api.get(PARTICIPATIONS, {"changed_since": old}).status_code == 410


def test_the_earliest_timestamp_is_gone_not_an_error(api):
    response = api.get(PARTICIPATIONS, {"changed_since": "0001-01-01T00:00:00Z"})

    assert response.status_code == 410


# Scope: a partner's sync holds its own PES's records and deletions only.


def test_another_pes_tombstones_are_not_visible(client_for, partner_vdab, partner_le_forem, vdab):
    le_forem = partner_le_forem.membership.organisation
    action = ActionFactory()
    theirs = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=le_forem))
    ours = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    api_vdab, api_forem = client_for(partner_vdab), client_for(partner_le_forem)
    vdab_cursor = page(api_vdab, PARTICIPATIONS, "initial")["next_cursor"]
    forem_cursor = page(api_forem, PARTICIPATIONS, "initial")["next_cursor"]
    jobseeker_cursors = [
        page(api, JOBSEEKERS, "initial")["next_cursor"] for api in (api_vdab, api_forem)
    ]

    Participation.objects.all().delete()
    Jobseeker.objects.filter(pk=theirs.jobseeker_id).delete()

    assert sync(api_vdab, PARTICIPATIONS, vdab_cursor)[1] == [ours.pk]
    assert sync(api_forem, PARTICIPATIONS, forem_cursor)[1] == [theirs.pk]
    assert sync(api_vdab, JOBSEEKERS, jobseeker_cursors[0])[1] == []
    assert sync(api_forem, JOBSEEKERS, jobseeker_cursors[1])[1] == [theirs.jobseeker_id]


def test_another_pes_records_are_not_in_a_sync(client_for, partner_vdab, vdab, le_forem):
    ours = ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    ParticipationFactory(jobseeker=JobseekerFactory(pes=le_forem))

    results = sync(client_for(partner_vdab), PARTICIPATIONS, "initial")[0]

    assert ids(results) == [ours.pk]


def test_a_superuser_sees_every_deletion(client_for, superuser, vdab, le_forem):
    api = client_for(superuser)
    cursor = page(api, PARTICIPATIONS, "initial")["next_cursor"]
    records = [
        ParticipationFactory(jobseeker=JobseekerFactory(pes=pes)) for pes in (vdab, le_forem)
    ]
    Participation.objects.all().delete()

    assert sorted(sync(api, PARTICIPATIONS, cursor)[1]) == sorted(r.pk for r in records)


def test_programme_data_deletions_are_seen_by_every_role(client_for, manager, partner_vdab):
    action = ActionFactory(reference="gt-x")
    action_id = action.pk
    clients = [client_for(user) for user in (manager, partner_vdab)]
    cursors = [page(client, ACTIONS, "initial")["next_cursor"] for client in clients]

    action.delete()

    for client, cursor in zip(clients, cursors, strict=True):
        assert sync(client, ACTIONS, cursor)[1] == [action_id]


@pytest.mark.parametrize(
    ("user", "expected"), [("anonymous", 401), ("stranger", 403), ("manager", 403)]
)
def test_a_sync_of_personal_data_is_refused_to_others(client_for, request, user, expected):
    client = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = client.get(PARTICIPATIONS, {"changed_since": "initial"})

    assert response.status_code == expected


# Erasure: an erased jobseeker comes back erased, never with its old data.


def test_an_erased_jobseeker_comes_back_erased(api, vdab):
    jobseeker = JobseekerFactory(pes=vdab, external_ref="VD-001", given_name="An")
    participation = ParticipationFactory(jobseeker=jobseeker)
    cursors = {path: sync(api, path, "initial")[2] for path in (JOBSEEKERS, PARTICIPATIONS)}

    jobseeker_erase(jobseeker=jobseeker)

    results = sync(api, JOBSEEKERS, cursors[JOBSEEKERS])[0]
    jobseeker.refresh_from_db()
    assert results == [
        {
            "id": jobseeker.pk,
            "pes": "vdab",
            "external_ref": "",
            "given_name": "",
            "family_name": "",
            "birth_year": None,
            "gender": "not_given",
            "education_level": "",
            "is_refugee": None,
            "erased_at": timezone.localtime(jobseeker.erased_at).isoformat(),
            "created_at": timezone.localtime(jobseeker.created_at).isoformat(),
        }
    ]
    # Its participation records showed its reference: they come again without it.
    participations = sync(api, PARTICIPATIONS, cursors[PARTICIPATIONS])[0]
    assert [(p["id"], p["jobseeker_ref"]) for p in participations] == [(participation.pk, "")]


# Query counts: bounded, whatever the number of records and deletions.


@pytest.mark.parametrize("count", [2, 12])
def test_a_sync_page_runs_a_fixed_number_of_queries(api, vdab, count, django_assert_num_queries):
    cursor = page(api, PARTICIPATIONS, "initial")["next_cursor"]
    action = ActionFactory(project=ProjectFactory())
    for _n in range(count):
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
        doomed = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
        doomed.delete()

    # The user's roles and organisation, the page, the deletions, and the read audit's writes.
    with django_assert_num_queries(6):
        body = page(api, PARTICIPATIONS, cursor, limit=MAX_LIMIT)

    assert (len(body["results"]), len(body["deleted"])) == (count, count)


@pytest.mark.parametrize("count", [2, 12])
def test_an_action_sync_page_runs_a_fixed_number_of_queries(api, count, django_assert_num_queries):
    cursor = page(api, ACTIONS, "initial")["next_cursor"]
    for _n in range(count):
        FigureFactory(action=ActionFactory())
        ActionFactory().delete()

    # The user's roles, the page, its six relations (action_representations), the deletions.
    with django_assert_num_queries(9):
        body = page(api, ACTIONS, cursor, limit=MAX_LIMIT)

    assert (len(body["results"]), len(body["deleted"])) == (count, count)


# The schema.


def test_every_list_documents_the_sync(client, manager):
    client.force_login(manager)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    lists = {
        path: methods["get"]
        for path, methods in schema["paths"].items()
        if "get" in methods and methods["get"]["operationId"].endswith("_list")
    }
    # Every list but the user's own tokens (no record of them changes: they are made and revoked).
    synced = {path: operation for path, operation in lists.items() if path != "/api/v1/tokens/"}
    assert {"/api/v1/participations/", "/api/v1/action-employers/", "/api/v1/sectors/"} <= set(
        synced
    )
    for path, operation in synced.items():
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
        assert "changed_since" in parameters, path
        assert {"400", "410"} <= set(operation["responses"]), path
        page_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        name = page_schema["$ref"].rsplit("/", 1)[1]
        shapes = schema["components"]["schemas"][name]["oneOf"]
        assert [sorted(shape["required"]) for shape in shapes] == [
            ["count", "results"],
            ["deleted", "has_more", "next_cursor", "results"],
        ], path
    tokens = {p["name"] for p in lists["/api/v1/tokens/"].get("parameters", [])}
    assert not tokens & {"changed_since", "limit"}
    assert "410" not in lists["/api/v1/tokens/"]["responses"]
