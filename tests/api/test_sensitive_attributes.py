"""Disability and foreign background (special categories of personal data, GDPR article 9) in
the API: present in an answer, and accepted in a write, only where the server keeps them
(SPECIAL_CATEGORY_DATA) and for a user who holds `participants.view_special_categories`;
absent (not null: absent) for anyone else, and refused by name on write."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission

from participants.models import Jobseeker
from projects.roles import ROLES, ensure_roles
from tests.factories import JobseekerFactory
from tests.helpers import if_match

pytestmark = pytest.mark.django_db

SENSITIVE = {"has_disability", "foreign_background"}
NOT_KEPT = (
    "Unknown field: special categories of personal data are not kept on this server (setting "
    "SPECIAL_CATEGORY_DATA)."
)
NOT_ALLOWED = (
    "Unknown field for you: writing special categories of personal data needs the permission "
    "to read them (participants.view_special_categories)."
)


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_special_categories"))
    # Django keeps a user's permissions on the object once read: a fresh one reads them again.
    return type(user).objects.get(pk=user.pk)


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def kept(settings):
    settings.SPECIAL_CATEGORY_DATA = True


@pytest.fixture
def allowed(partner_vdab):
    """A partner of VDAB who holds the permission."""
    return grant(partner_vdab)


@pytest.fixture
def colleague(vdab):
    """A partner of VDAB without the permission: reads VDAB's jobseekers, not these fields."""
    from tests.conftest import _user_with_role

    return _user_with_role("partner", vdab, username="partner-vdab-2")


@pytest.fixture
def anna(vdab):
    return JobseekerFactory(
        pes=vdab,
        external_ref="VD-001",
        gender="woman",
        has_disability=True,
        foreign_background=False,
    )


def test_no_role_grants_the_permission():
    ensure_roles()
    for name in ROLES:
        codenames = Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        assert "view_special_categories" not in codenames, name
    assert Permission.objects.filter(codename="view_special_categories").exists()


def test_an_allowed_user_reads_them_in_the_list_and_the_detail(kept, allowed, anna, client_for):
    client = client_for(allowed)
    (listed,) = client.get("/api/v1/jobseekers/").json()["results"]
    detail = client.get(f"/api/v1/jobseekers/{anna.pk}/").json()
    for body in (listed, detail):
        assert {name: body[name] for name in (*sorted(SENSITIVE), "gender")} == {
            "foreign_background": False,
            "has_disability": True,
            "gender": "woman",
        }


def test_a_user_without_the_permission_finds_them_absent(kept, colleague, anna, client_for):
    client = client_for(colleague)
    (listed,) = client.get("/api/v1/jobseekers/").json()["results"]
    detail = client.get(f"/api/v1/jobseekers/{anna.pk}/").json()
    assert SENSITIVE & set(listed) == set()
    assert SENSITIVE & set(detail) == set()
    assert detail["gender"] == "woman"
    header = client.get("/api/v1/jobseekers/?format=csv").content.decode().splitlines()[0]
    assert "has_disability" not in header
    assert "gender" in header


def test_with_the_setting_off_they_are_absent_even_for_a_holder_of_the_permission(
    allowed, superuser, anna, client_for
):
    for user in (allowed, superuser):
        detail = client_for(user).get(f"/api/v1/jobseekers/{anna.pk}/").json()
        assert SENSITIVE & set(detail) == set()


def test_an_allowed_user_writes_them_by_push_post_and_patch(kept, allowed, client_for):
    client = client_for(allowed)
    pushed = post(
        client,
        "/api/v1/jobseekers/push/",
        {"jobseekers": [{"external_ref": "VD-9", "has_disability": True, "gender": "man"}]},
    )
    assert pushed.status_code == 200
    (result,) = pushed.json()["results"]
    assert (result["has_disability"], result["foreign_background"], result["gender"]) == (
        True,
        None,
        "man",
    )
    created = post(
        client, "/api/v1/jobseekers/", {"external_ref": "VD-10", "foreign_background": True}
    )
    assert created.status_code == 201
    assert created.json()["foreign_background"] is True
    jobseeker = Jobseeker.objects.get(external_ref="VD-9")
    changed = client.patch(
        f"/api/v1/jobseekers/{jobseeker.pk}/",
        {"has_disability": False},
        format="json",
        **if_match(jobseeker),
    )
    assert changed.status_code == 200
    assert changed.json()["has_disability"] is False
    assert Jobseeker.objects.get(pk=jobseeker.pk).has_disability is False


def test_a_user_without_the_permission_is_refused_by_name_and_nothing_is_written(
    kept, colleague, anna, client_for
):
    client = client_for(colleague)
    pushed = post(
        client,
        "/api/v1/jobseekers/push/",
        {"jobseekers": [{"external_ref": "VD-9"}, {"external_ref": "VD-10", "has_disability": 1}]},
    )
    assert pushed.status_code == 400
    assert pushed.json() == {"jobseekers": {"1": {"has_disability": [NOT_ALLOWED]}}}
    created = post(
        client, "/api/v1/jobseekers/", {"external_ref": "VD-11", "foreign_background": False}
    )
    assert created.status_code == 400
    assert created.json() == {"foreign_background": [NOT_ALLOWED]}
    changed = client.patch(
        f"/api/v1/jobseekers/{anna.pk}/",
        {"has_disability": None},
        format="json",
        **if_match(anna),
    )
    assert changed.status_code == 400
    assert changed.json() == {"has_disability": [NOT_ALLOWED]}
    assert list(Jobseeker.objects.values_list("external_ref", "has_disability")) == [
        ("VD-001", True)
    ]


def test_with_the_setting_off_everyone_is_refused(allowed, superuser, client_for):
    for user in (allowed, superuser):
        created = post(
            client_for(user),
            "/api/v1/jobseekers/",
            {"pes": "vdab", "external_ref": "VD-12", "has_disability": True},
        )
        assert created.status_code == 400
        assert created.json() == {"has_disability": [NOT_KEPT]}
    assert not Jobseeker.objects.exists()


def test_a_stranger_reads_and_writes_no_jobseeker(kept, stranger, anna, client_for):
    client = client_for(stranger)
    assert client.get(f"/api/v1/jobseekers/{anna.pk}/").status_code == 403
    refused = post(client, "/api/v1/jobseekers/", {"external_ref": "X", "has_disability": True})
    assert refused.status_code == 403


def test_the_list_reads_the_permission_once(
    kept, allowed, vdab, client_for, django_assert_max_num_queries
):
    client = client_for(allowed)
    JobseekerFactory.create_batch(2, pes=vdab)
    with django_assert_max_num_queries(50) as few:
        client.get("/api/v1/jobseekers/")
    JobseekerFactory.create_batch(8, pes=vdab)
    client = client_for(type(allowed).objects.get(pk=allowed.pk))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/jobseekers/").json()
    assert len(body["results"]) == 10
    assert all("has_disability" in item for item in body["results"])


def test_the_schema_documents_them_as_optional_and_nullable(client_for, superuser):
    schema = client_for(superuser).get("/api/v1/schema/?format=json").json()
    jobseeker = schema["components"]["schemas"]["Jobseeker"]
    assert SENSITIVE & set(jobseeker["required"]) == set()
    for name in SENSITIVE:
        field = jobseeker["properties"][name]
        assert (field["type"], field["nullable"]) == ("boolean", True)
        assert "view_special_categories" in field["description"]
    assert "gender" in jobseeker["required"]
    request = schema["components"]["schemas"]["JobseekerPushItemRequest"]["properties"]
    assert "view_special_categories" in request["has_disability"]["description"]


def test_the_jobseeker_list_filters_by_gender_and_refuses_a_bad_boolean(
    partner_vdab, anna, client_for
):
    client = client_for(partner_vdab)
    women = client.get("/api/v1/jobseekers/?gender=woman&is_refugee=").json()["results"]
    assert [j["external_ref"] for j in women] == ["VD-001"]
    assert client.get("/api/v1/jobseekers/?gender=man").json()["results"] == []
    assert client.get("/api/v1/jobseekers/?is_refugee=true").json()["results"] == []
    Jobseeker.objects.filter(pk=anna.pk).update(is_refugee=True)
    refugees = client.get("/api/v1/jobseekers/?is_refugee=true").json()["results"]
    assert [j["external_ref"] for j in refugees] == ["VD-001"]
    refused = client.get("/api/v1/jobseekers/?is_refugee=-1.7")
    assert refused.status_code == 400
    assert refused.json() == {"is_refugee": ["Must be true or false."]}
    bad_gender = client.get("/api/v1/jobseekers/?gender=f")
    assert bad_gender.status_code == 400
    assert list(bad_gender.json()) == ["gender"]
