"""GET and POST /api/v1/follow-ups/: the follow-ups of the user's PES by the natural keys of the
partner API; recorded one at a time or in bulk, all or nothing."""

from __future__ import annotations

import datetime

import pytest

from crossborder.audit.models import ReadEvent, ReadKind
from participants.models import Participation
from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/api/v1/follow-ups/"


@pytest.fixture
def records(left, le_forem):
    return {
        "overdue": left(D(2026, 1, 31), reference="VD-1"),
        "due": left(D(2026, 8, 20), reference="VD-2"),
        "not_due": left(D(2026, 12, 1), reference="VD-3"),
        "other_pes": left(D(2026, 8, 20), pes=le_forem, reference="LF-1"),
    }


def keys(body: dict) -> list[tuple[str, str, str]]:
    return [(i["jobseeker"]["ref"], i["kind"], i["state"]) for i in body["results"]]


def test_the_list_gives_the_due_and_overdue_of_the_users_pes(client_for, partner_vdab, records):
    response = client_for(partner_vdab).get(URL, {"as_of": "2026-09-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert keys(body) == [
        ("VD-1", "on_leaving", "overdue"),
        ("VD-1", "six_months", "overdue"),
        ("VD-2", "on_leaving", "due"),
    ]
    first = body["results"][0]
    assert first == {
        "participation": records["overdue"].pk,
        "action": records["overdue"].action.reference,
        "jobseeker": {"pes": "vdab", "ref": "VD-1"},
        "kind": "on_leaving",
        "due_on": "2026-01-31",
        "state": "overdue",
        "situation": "",
        "checked_on": None,
        "source": "",
    }
    assert body["results"][1]["due_on"] == "2026-07-31"


def test_the_filters(client_for, partner_vdab, records):
    api = client_for(partner_vdab)
    get = lambda **params: api.get(URL, {"as_of": "2026-09-01", **params})  # noqa: E731
    assert keys(get(state="not_due").json()) == [
        ("VD-2", "six_months", "not_due"),
        ("VD-3", "on_leaving", "not_due"),
        ("VD-3", "six_months", "not_due"),
    ]
    assert keys(get(kind="six_months").json()) == [("VD-1", "six_months", "overdue")]
    action = records["due"].action
    assert keys(get(action=action.reference).json()) == [("VD-2", "on_leaving", "due")]
    assert keys(get(action=str(action.pk)).json()) == [("VD-2", "on_leaving", "due")]
    assert get(pes="le-forem").json()["count"] == 0
    assert keys(get(as_of="2026-12-01", state="due", kind="on_leaving").json()) == [
        ("VD-3", "on_leaving", "due")
    ]


def test_bad_filters_are_400_naming_them(client_for, partner_vdab, records):
    api = client_for(partner_vdab)
    assert list(api.get(URL, {"state": "soon"}).json()) == ["state"]
    assert list(api.get(URL, {"kind": "weekly"}).json()) == ["kind"]
    assert list(api.get(URL, {"as_of": "0001-01-01"}).json()) == ["as_of"]
    assert list(api.get(URL, {"as_of": "tomorrow"}).json()) == ["as_of"]


def test_done_follow_ups_are_listed_with_what_was_recorded(client_for, partner_vdab, records):
    api = client_for(partner_vdab)
    response = api.post(
        URL,
        {
            "participation": records["due"].pk,
            "kind": "on_leaving",
            "situation": "employed",
            "checked_on": "2026-08-25",
            "source": "employer",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["recorded"] == 1
    done = api.get(URL, {"state": "done"}).json()["results"]
    assert [
        (i["jobseeker"]["ref"], i["situation"], i["checked_on"], i["source"]) for i in done
    ] == [("VD-2", "employed", "2026-08-25", "employer")]
    assert Participation.objects.get(pk=records["due"].pk).placed_on == D(2026, 8, 25)


def test_a_list_is_recorded_by_natural_keys(client_for, partner_vdab, records):
    overdue = records["overdue"]
    body = {
        "follow_ups": [
            {
                "action": overdue.action.reference,
                "jobseeker": {"pes": "vdab", "ref": "vd-1 "},
                "kind": "on_leaving",
                "situation": "education",
                "checked_on": "2026-02-10",
                "source": "survey",
            },
            {
                "action": overdue.action.pk,
                "jobseeker": {"ref": "VD-1"},
                "kind": "six_months",
                "situation": "better_situation",
                "checked_on": "2026-08-01",
                "source": "self_declared",
            },
        ]
    }
    response = client_for(partner_vdab).post(URL, body, format="json")
    assert response.status_code == 200, response.json()
    assert [(i["kind"], i["state"]) for i in response.json()["results"]] == [
        ("on_leaving", "done"),
        ("six_months", "done"),
    ]
    stored = Participation.objects.get(pk=overdue.pk)
    assert (stored.leaving_situation, stored.six_month_situation) == (
        "education",
        "better_situation",
    )


def test_bad_items_are_refused_by_index_and_field_and_nothing_is_written(
    client_for, partner_vdab, records
):
    good = {
        "participation": records["due"].pk,
        "kind": "on_leaving",
        "situation": "employed",
        "checked_on": "2026-08-25",
        "source": "employer",
    }
    body = {
        "follow_ups": [
            good,
            {**good, "participation": records["overdue"].pk, "situation": "better_situation"},
            {**good, "participation": records["other_pes"].pk},
            {**good, "participation": records["not_due"].pk, "source": "rumour"},
        ]
    }
    response = client_for(partner_vdab).post(URL, body, format="json")
    assert response.status_code == 400
    assert [(p["index"], p["field"]) for p in response.json()["problems"]] == [
        (1, "situation"),
        (3, "source"),
    ]
    body["follow_ups"] = body["follow_ups"][:1] + body["follow_ups"][2:3]
    response = client_for(partner_vdab).post(URL, body, format="json")
    assert response.json()["problems"] == [
        {
            "index": 1,
            "field": "participation",
            "message": f"No participation of your PES has the id {records['other_pes'].pk}.",
        }
    ]
    assert not Participation.objects.exclude(leaving_situation="").exists()


def test_a_rule_of_the_record_is_a_problem_of_its_item(client_for, partner_vdab, left):
    placed = left(D(2026, 8, 20), placed_on=D(2026, 8, 21), reference="VD-9")
    response = client_for(partner_vdab).post(
        URL,
        {
            "participation": placed.pk,
            "kind": "on_leaving",
            "situation": "job_seeking",
            "checked_on": "2026-08-25",
            "source": "employer",
        },
        format="json",
    )
    assert response.status_code == 400
    assert [(p["index"], p["field"]) for p in response.json()["problems"]] == [(None, "situation")]


def test_an_unknown_field_is_refused(client_for, partner_vdab, records):
    item = {
        "participation": records["due"].pk,
        "kind": "on_leaving",
        "situation": "employed",
        "checked_on": "2026-08-25",
        "source": "employer",
        "situaton": "employed",
    }
    response = client_for(partner_vdab).post(URL, item, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"index": None, "field": "situaton", "message": "Unknown field."}
    ]
    response = client_for(partner_vdab).post(URL, {"follow_ups": [item]}, format="json")
    assert response.json()["problems"] == [
        {"index": 0, "field": "situaton", "message": "Unknown field."}
    ]


def test_a_stranger_sees_and_writes_nothing_of_another_pes(
    client_for, partner_le_forem, manager, stranger, records
):
    api = client_for(partner_le_forem)
    body = api.get(URL, {"as_of": "2026-09-01"}).json()
    assert keys(body) == [("LF-1", "on_leaving", "due")]
    item = {
        "action": records["due"].action.reference,
        "jobseeker": {"pes": "vdab", "ref": "VD-2"},
        "kind": "on_leaving",
        "situation": "employed",
        "checked_on": "2026-08-25",
        "source": "employer",
    }
    response = api.post(URL, item, format="json")
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == ["jobseeker"]
    assert client_for(manager).get(URL).status_code == 403
    assert client_for(stranger).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code in (401, 403)
    assert client_for(manager).post(URL, item, format="json").status_code == 403


def test_a_coordinator_of_the_pes_reads_its_follow_ups(client_for, coordinator, records):
    assert client_for(coordinator).get(URL, {"as_of": "2026-09-01"}).json()["count"] == 3


def test_a_superuser_filters_by_pes(client_for, records):
    root = _user_with_role("coordinator", records["other_pes"].pes, username="root2")
    root.is_superuser = True
    root.save()
    body = client_for(root).get(URL, {"as_of": "2026-09-01", "pes": "le-forem"}).json()
    assert keys(body) == [("LF-1", "on_leaving", "due")]


def test_the_list_is_a_fixed_number_of_queries(
    client_for, partner_vdab, left, django_assert_num_queries
):
    api = client_for(partner_vdab)
    left(D(2026, 8, 20))
    # The roles and the PES, kept on the (test client's) user from its first request.
    api.get(URL, {"as_of": "2026-09-01"})
    # The follow-ups' count and page, their records with action and jobseeker, and the read
    # audit's event and its jobseekers in a savepoint.
    with django_assert_num_queries(7):
        assert api.get(URL, {"as_of": "2026-09-01"}).json()["count"] == 1
    for day in range(1, 10):
        left(D(2026, 8, day))
    with django_assert_num_queries(7):
        assert api.get(URL, {"as_of": "2026-09-01"}).json()["count"] == 10


def test_the_schema_documents_the_endpoint(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/follow-ups/"]
    assert set(operations) == {"get", "post"}
    names = {p["name"] for p in operations["get"]["parameters"]}
    assert {"state", "kind", "action", "pes", "as_of", "page", "page_size"} <= names
    assert {"200", "400", "401", "403"} <= set(operations["post"]["responses"])
    write = schema["components"]["schemas"]["FollowUpWriteRequest"]
    assert write["additionalProperties"] is False


def test_a_body_the_parser_refuses_is_a_problem_by_place(client_for, partner_vdab):
    response = client_for(partner_vdab).post(
        URL, '{"follow_ups": [{"action": "A\\u0000"}]}', content_type="application/json"
    )
    assert response.status_code == 400
    assert [(p["index"], p["field"]) for p in response.json()["problems"]] == [(0, "action")]


def test_the_jobseekers_listed_are_in_the_read_audit(client_for, partner_vdab, records):
    client_for(partner_vdab).get(URL, {"as_of": "2026-09-01"})
    event = ReadEvent.objects.get()
    assert (event.kind, event.path, event.username) == (ReadKind.API_LIST, URL, "partner-vdab")
    assert set(event.jobseekers.values_list("jobseeker_id", flat=True)) == {
        records["overdue"].jobseeker_id,
        records["due"].jobseeker_id,
    }
