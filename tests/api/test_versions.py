"""Versions on writes: the detail and every write carry the record's version as ETag; a change
(PATCH) or delete names the version it is based on in If-Match (428 without, 412 when stale,
with the record as it is now); two changes based on the same version never both win; two
identical pushes at the same moment both succeed."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from actions import api as actions_api
from actions.models import Action, Figure
from participants import api as participants_api
from participants import services as participant_services
from participants.models import Jobseeker, Participation
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.helpers import if_match

pytestmark = pytest.mark.django_db

NO_IF_MATCH = (
    "Send If-Match with the ETag of the record's detail (GET {path}): the version your change "
    "is based on, so that it overwrites no one else's."
)


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def action(project):
    return ActionFactory(project=project, place="Veurne")


@pytest.fixture
def figure(action, vdab):
    return FigureFactory(action=action, pes=vdab, value=3)


@pytest.fixture
def jobseeker(vdab):
    return JobseekerFactory(pes=vdab, external_ref="VD-001", family_name="Peeters")


@pytest.fixture
def participation(action, jobseeker):
    return ParticipationFactory(action=action, jobseeker=jobseeker, status="started")


# Each versioned resource: who writes it, a change of one field and of another, and how to
# read those fields back from the database.
RESOURCES: dict[str, dict[str, Any]] = {
    "actions": {
        "user": "coordinator",
        "first": {"place": "Ieper"},
        "second": {"capacity": 20},
        "fields": ("place", "capacity"),
    },
    "figures": {
        "user": "coordinator",
        "first": {"value": 4},
        "second": {"note": "counted again"},
        "fields": ("value", "note"),
    },
    "jobseekers": {
        "user": "partner_vdab",
        "first": {"family_name": "Claes"},
        "second": {"birth_year": 1985},
        "fields": ("family_name", "birth_year"),
    },
    "participations": {
        "user": "partner_vdab",
        "first": {"status": "completed", "completed_on": "2017-11-28"},
        "second": {"placed_on": "2017-12-01"},
        "fields": ("status", "placed_on"),
    },
}
RECORD_FIXTURES = {
    "actions": "action",
    "figures": "figure",
    "jobseekers": "jobseeker",
    "participations": "participation",
}


def _setup(request, name: str) -> tuple[Any, Any, str]:
    """The record, a client of a user who may change it, and the record's detail path."""
    record = request.getfixturevalue(RECORD_FIXTURES[name])
    user = request.getfixturevalue(RESOURCES[name]["user"])
    client = request.getfixturevalue("client_for")(user)
    return record, client, f"/api/v1/{name}/{record.pk}/"


def _values(record: Any, name: str) -> tuple[Any, ...]:
    record.refresh_from_db()
    return tuple(getattr(record, field) for field in RESOURCES[name]["fields"])


@pytest.mark.parametrize("name", RESOURCES)
def test_the_detail_and_each_change_carry_the_version_as_etag(request, name):
    record, client, path = _setup(request, name)
    assert client.get(path)["ETag"] == '"1"'
    response = client.patch(path, RESOURCES[name]["first"], format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    assert client.get(path)["ETag"] == '"2"'
    record.refresh_from_db()
    assert record.version == 2


@pytest.mark.parametrize("name", RESOURCES)
def test_a_change_without_if_match_is_a_428_and_changes_nothing(request, name):
    record, client, path = _setup(request, name)
    before = _values(record, name)
    # No header, one that names no version (`*`), and one that holds no ETag.
    for header in ({}, {"HTTP_IF_MATCH": "*"}, {"HTTP_IF_MATCH": "  "}, {"HTTP_IF_MATCH": "v1"}):
        response = client.patch(path, RESOURCES[name]["first"], format="json", **header)
        assert response.status_code == 428
        assert response.json() == {"detail": NO_IF_MATCH.format(path=path)}
    assert _values(record, name) == before
    record.refresh_from_db()
    assert record.version == 1


@pytest.mark.parametrize("name", RESOURCES)
def test_a_change_based_on_an_older_version_is_a_412_with_the_record_as_it_is(request, name):
    record, client, path = _setup(request, name)
    first, second = RESOURCES[name]["first"], RESOURCES[name]["second"]
    assert client.patch(path, first, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    after_first = _values(record, name)

    # Another change of another field, based on the version before the first: refused.
    response = client.patch(path, second, format="json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    assert response["ETag"] == '"2"'
    body = response.json()
    assert body["version"] == 2
    assert body["detail"] == (
        "The record was changed since the version you sent (If-Match): it is at version 2 now. "
        'Look at it and send your change again with If-Match: "2".'
    )
    assert body["current"] == client.get(path).json()
    assert _values(record, name) == after_first
    # Sent again on the current version, it is applied, and the first change stays.
    response = client.patch(path, second, format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200
    assert response["ETag"] == '"3"'
    values = _values(record, name)
    assert values[0] == after_first[0]
    assert values[1] != after_first[1]


@pytest.mark.parametrize("header", ['"0"', '"99"', 'W/"1"', '"not-a-version"', '"1234567890123"'])
def test_an_etag_that_is_not_the_current_version_is_a_412(request, header):
    record, client, path = _setup(request, "jobseekers")
    response = client.patch(path, {"family_name": "Claes"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 412
    assert response.json()["version"] == 1
    assert _values(record, "jobseekers") == ("Peeters", 1990)


def test_several_etags_are_a_400(request):
    record, client, path = _setup(request, "jobseekers")
    response = client.patch(path, {"family_name": "Claes"}, format="json", HTTP_IF_MATCH='"1", "2"')
    assert response.status_code == 400
    assert response.json() == {"If-Match": ["Send one ETag, the record's."]}
    assert _values(record, "jobseekers") == ("Peeters", 1990)


def test_a_list_pages_etag_is_no_version(request, action):
    _record, client, path = _setup(request, "actions")
    listed = client.get("/api/v1/actions/")["ETag"]
    response = client.patch(path, {"place": "Ieper"}, format="json", HTTP_IF_MATCH=listed)
    assert response.status_code == 412


@pytest.mark.parametrize("name", ["figures", "participations"])
def test_a_delete_needs_the_current_version(request, name):
    record, client, path = _setup(request, name)
    model = type(record)
    response = client.delete(path)
    assert response.status_code == 428
    assert response.json() == {"detail": NO_IF_MATCH.format(path=path)}
    change = RESOURCES[name]["first"]
    assert client.patch(path, change, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    response = client.delete(path, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["version"] == 2
    assert model.objects.filter(pk=record.pk).exists()
    assert client.delete(path, HTTP_IF_MATCH='"2"').status_code == 204
    assert not model.objects.filter(pk=record.pk).exists()


def test_the_access_rules_answer_before_the_version(
    client_for, stranger, manager, partner_le_forem, jobseeker, figure, partner_vdab
):
    path = f"/api/v1/jobseekers/{jobseeker.pk}/"
    change = {"family_name": "Claes"}
    assert client_for(None).patch(path, change, format="json").status_code == 401
    assert client_for(stranger).patch(path, change, format="json").status_code == 403
    assert client_for(manager).patch(path, change, format="json").status_code == 403
    # Another PES's jobseeker does not exist for it, version or not.
    assert client_for(partner_le_forem).patch(path, change, format="json").status_code == 404
    figure_path = f"/api/v1/figures/{figure.pk}/"
    response = client_for(partner_vdab).patch(
        figure_path, {"value": 9}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403


def test_a_create_answers_with_the_first_version(client_for, coordinator, partner_vdab, action):
    response = client_for(partner_vdab).post(
        "/api/v1/jobseekers/",
        {"pes": "vdab", "external_ref": "VD-9", "family_name": "Claes"},
        format="json",
    )
    assert (response.status_code, response["ETag"]) == (201, '"1"')
    response = client_for(coordinator).post(
        "/api/v1/figures/",
        {"action": action.pk, "metric": "starts", "pes": "vdab", "value": 2},
        format="json",
    )
    assert (response.status_code, response["ETag"]) == (201, '"1"')
    # The same push again changes the figure: its next version.
    response = client_for(coordinator).post(
        "/api/v1/figures/",
        {"action": action.pk, "metric": "starts", "pes": "vdab", "value": 3},
        format="json",
    )
    assert (response.status_code, response["ETag"]) == (200, '"2"')


def test_a_cached_action_detail_keeps_the_versions_etag(client_for, coordinator, action):
    client = client_for(coordinator)
    path = f"/api/v1/actions/{action.pk}/"
    assert client.get(path)["ETag"] == '"1"'
    # Served from the cache now: the same ETag.
    assert client.get(path)["ETag"] == '"1"'
    assert client.patch(path, {"place": "Ieper"}, format="json", **if_match(action))["ETag"] == (
        '"2"'
    )
    assert client.get(path)["ETag"] == '"2"'
    # The list keeps its page's ETag and its 304s.
    listed = client.get("/api/v1/actions/")
    assert listed["ETag"] not in ('"1"', '"2"')
    assert client.get("/api/v1/actions/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304


def test_a_record_deleted_before_the_change_is_a_404(request, monkeypatch):
    record, client, path = _setup(request, "participations")
    upsert = participants_api.participation_upsert

    def deleted_meanwhile(**kwargs):
        Participation.objects.filter(pk=record.pk).delete()
        return upsert(**kwargs)

    monkeypatch.setattr(participants_api, "participation_upsert", deleted_meanwhile)
    response = client.patch(path, {"status": "completed"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 404
    assert not Participation.objects.filter(pk=record.pk).exists()


def test_the_reference_filters_compare_like_the_stored_reference(
    client_for, partner_vdab, participation
):
    client = client_for(partner_vdab)
    for value in ("VD-001", " vd-001 ", "vD-001"):
        listed = client.get("/api/v1/jobseekers/", {"external_ref": value}).json()["results"]
        assert [row["external_ref"] for row in listed] == ["VD-001"], value
        listed = client.get("/api/v1/participations/", {"jobseeker_ref": value}).json()
        assert [row["id"] for row in listed["results"]] == [participation.pk], value
    assert client.get("/api/v1/jobseekers/", {"external_ref": "VD-0011"}).json()["results"] == []


def test_an_action_cannot_move_away_from_its_records_starts(client_for, coordinator, action):
    # The action starts on 2017-11-28; the record started on its first day.
    jobseeker = JobseekerFactory(pes=action.project.partners.get(slug="vdab"))
    ParticipationFactory(action=action, jobseeker=jobseeker, started_on=datetime.date(2017, 11, 28))
    client = client_for(coordinator)
    path = f"/api/v1/actions/{action.pk}/"
    # The edge: a start 30 days later still has the record's start within its margin.
    response = client.patch(path, {"start_date": "2017-12-28"}, format="json", **if_match(action))
    assert response.status_code == 200
    response = client.patch(path, {"start_date": "2017-12-29"}, format="json", **if_match(action))
    assert response.status_code == 400
    assert response.json() == {
        "start_date": [
            "1 participation record started outside the period its participants may start in "
            "with these dates (from 2017-11-29, with the preparation margin): change its start "
            "first, or keep the dates."
        ]
    }
    action.refresh_from_db()
    assert action.start_date == datetime.date(2017, 12, 28)


def test_the_schema_documents_if_match_etag_412_and_428(client_for, superuser):
    schema = client_for(superuser).get("/api/v1/schema/", {"format": "json"}).json()
    for path, methods in (
        ("/api/v1/actions/{id}/", ["patch"]),
        ("/api/v1/figures/{id}/", ["patch", "delete"]),
        ("/api/v1/jobseekers/{id}/", ["patch"]),
        ("/api/v1/participations/{id}/", ["patch", "delete"]),
    ):
        for method in methods:
            operation = schema["paths"][path][method]
            header = next(p for p in operation["parameters"] if p["name"] == "If-Match")
            assert (header["in"], header["required"]) == ("header", True), (path, method)
            assert {"412", "428"} <= set(operation["responses"]), (path, method)
            conflict = operation["responses"]["412"]
            assert "ETag" in conflict["headers"], (path, method)
            body = conflict["content"]["application/json"]["schema"]
            assert body["required"] == ["detail", "version", "current"]
        assert "ETag" in schema["paths"][path]["get"]["responses"]["200"]["headers"], path
    # Other writes state no version.
    push = schema["paths"]["/api/v1/jobseekers/push/"]["post"]
    assert "412" not in push["responses"]
    assert all(p["name"] != "If-Match" for p in push.get("parameters", []))


# Real concurrency: PostgreSQL's row locks and unique indexes (SQLite writes one at a time).
ONLY_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writes need PostgreSQL: SQLite writes one transaction at a time",
)


def _at_once(*calls: Callable[[], int]) -> list[int]:
    """Run the calls in threads at the same time; their answers' status codes, sorted."""
    answers: list[int] = []

    def run(call: Callable[[], int]) -> None:
        try:
            answers.append(call())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(answers)


SERVICES = {
    "actions": (actions_api, "action_update"),
    "figures": (actions_api, "figure_upsert"),
    "jobseekers": (participants_api, "jobseeker_update"),
    "participations": (participants_api, "participation_upsert"),
}


@pytest.mark.django_db(transaction=True)
@ONLY_POSTGRESQL
@pytest.mark.parametrize("name", RESOURCES)
def test_two_changes_of_different_fields_at_once_one_wins_and_the_other_is_a_412(
    request, name, monkeypatch, client_for
):
    record, _client, path = _setup(request, name)
    user = request.getfixturevalue(RESOURCES[name]["user"])
    before = _values(record, name)
    module, service = SERVICES[name]
    original = getattr(module, service)
    both_read = threading.Barrier(2, timeout=10)

    def after_both_read(**kwargs):
        # Both requests have read the record at version 1 before either writes.
        both_read.wait()
        return original(**kwargs)

    monkeypatch.setattr(module, service, after_both_read)

    def change(which: str) -> Callable[[], int]:
        def call() -> int:
            body = RESOURCES[name][which]
            response = client_for(user).patch(path, body, format="json", HTTP_IF_MATCH='"1"')
            return response.status_code

        return call

    assert _at_once(change("first"), change("second")) == [200, 412]
    after = _values(record, name)
    # Exactly one of the two changes is in the record, which moved one version: nothing was
    # overwritten unseen (the other was told 412).
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert record.version == 2


def _push(name: str, action: Action, jobseeker: Jobseeker | None) -> tuple[str, dict[str, Any]]:
    if name == "jobseekers":
        return "/api/v1/jobseekers/", {
            "pes": "vdab",
            "external_ref": "vd-7",
            "family_name": "Claes",
        }
    if name == "push":
        item = {"pes": "vdab", "external_ref": "VD-7", "family_name": "Claes"}
        return "/api/v1/jobseekers/push/", {"jobseekers": [item]}
    if name == "participations":
        assert jobseeker is not None
        body = {"action": action.pk, "jobseeker": jobseeker.pk, "status": "started"}
        return "/api/v1/participations/", body
    return "/api/v1/figures/", {"action": action.pk, "metric": "starts", "pes": "vdab", "value": 2}


@pytest.mark.django_db(transaction=True)
@ONLY_POSTGRESQL
@pytest.mark.parametrize("name", ["jobseekers", "push", "participations", "figures"])
def test_two_identical_pushes_at_once_both_succeed_and_write_one_record(
    name, action, vdab, partner_vdab, coordinator, client_for, monkeypatch
):
    from actions import services as action_services
    from crossborder.core.versions import created_unless_raced

    jobseeker = JobseekerFactory(pes=vdab) if name == "participations" else None
    user = coordinator if name == "figures" else partner_vdab
    path, body = _push(name, action, jobseeker)
    both_looked = threading.Barrier(2, timeout=10)

    def after_both_looked(create, taken):
        # Both found no record by the natural key: both go on to create it.
        both_looked.wait()
        return created_unless_raced(create, taken)

    monkeypatch.setattr(participant_services, "created_unless_raced", after_both_looked)
    monkeypatch.setattr(action_services, "created_unless_raced", after_both_looked)

    def push() -> int:
        return client_for(user).post(path, body, format="json").status_code

    answers = _at_once(push, push)

    model = {"participations": Participation, "figures": Figure}.get(name, Jobseeker)
    if name == "push":
        assert answers == [200, 200]
    else:
        assert answers == [200, 201]
    # One record, created once and left as it was by the identical update.
    assert list(model.objects.values_list("version", flat=True)) == [1]
