"""The actions' pages are cached by data version: a write of any kind is seen by the next read,
a cached read costs a fixed few queries, access rules still hold, ETags give 304s, and pages of
another language, format or query are never mixed up."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.throttling import UserRateThrottle

from actions.models import Action, Figure
from actions.services import action_copy, figure_upsert
from crossborder.core.dataversion import bump_data_version, data_version
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    FigureFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    SectorFactory,
)
from tests.helpers import if_match

pytestmark = pytest.mark.django_db

LIST = "/api/v1/actions/?page_size=100"


@pytest.fixture
def action(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    action = ActionFactory(project=project, title="Jobdating Veurne", sector=SectorFactory())
    action.organisers.add(vdab)
    FigureFactory(action=action, pes=vdab, metric="starts", value=7)
    return action


@pytest.fixture
def api(partner_vdab, client_for):
    return client_for(partner_vdab)


def only(api, url: str = LIST) -> dict:
    response = api.get(url)
    assert response.status_code == 200
    return response.json()["results"][0]


def starts(row: dict) -> list[int]:
    return [f["value"] for f in row["figures"] if f["metric"] == "starts"]


def fresh(client_for, user):
    """A client for a fresh copy of the user: its roles are read again, as in a real request."""
    return client_for(type(user).objects.get(pk=user.pk))


def test_a_cached_page_costs_the_roles_and_the_version(
    action, partner_vdab, client_for, django_assert_num_queries
):
    first = fresh(client_for, partner_vdab).get(LIST)
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(2):
        again = client.get(LIST)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    detail = f"/api/v1/actions/{action.pk}/"
    fresh(client_for, partner_vdab).get(detail)
    client = fresh(client_for, partner_vdab)
    with django_assert_num_queries(2):
        assert client.get(detail).json()["title"] == "Jobdating Veurne"


def test_a_write_through_the_api_is_seen_at_once(action, api, superuser, client_for, vdab):
    assert starts(only(api)) == [7]
    response = client_for(superuser).post(
        "/api/v1/figures/",
        {"action": action.pk, "metric": "starts", "pes": "vdab", "value": 9},
        format="json",
    )
    assert response.status_code == 200
    assert starts(only(api)) == [9]
    assert api.get(f"/api/v1/actions/{action.pk}/").json()["figures"][0]["value"] == 9
    client_for(superuser).patch(
        f"/api/v1/actions/{action.pk}/",
        {"title_en": "Jobdating Ieper"},
        format="json",
        **if_match(action),
    )
    assert only(api)["title"] == "Jobdating Ieper"


def test_a_change_in_the_admin_is_seen_at_once(action, api, superuser):
    action.status = "planned"
    action.save()
    assert only(api)["status"] == "planned"
    admin = Client()
    admin.force_login(superuser)
    response = admin.post(
        "/admin/actions/action/",
        {"action": "mark_completed", "_selected_action": [action.pk]},
    )
    assert response.status_code == 302
    assert only(api)["status"] == "completed"


def test_a_write_through_a_service_is_seen_at_once(action, api, vdab):
    figure_upsert(action=action, metric="starts", pes=vdab, value=11)
    assert starts(only(api)) == [11]
    action_copy(action=action, start_date=datetime.date(2018, 3, 1))
    assert api.get(LIST).json()["count"] == 2


def test_related_objects_and_their_links_are_watched(action, api, vdab):
    only(api)
    vdab.slug = "vdab-flanders"
    vdab.save()
    assert only(api)["organisers"] == ["vdab-flanders"]
    action.organisers.add(OrganisationFactory(slug="unizo", name="Unizo"))
    assert only(api)["organisers"] == ["unizo", "vdab-flanders"]
    action.employers.create(organisation=CompanyFactory(slug="wepa"), vacancies=3)
    assert only(api)["employers"][0]["organisation"] == "wepa"
    Figure.objects.filter(action=action).delete()
    assert only(api)["figures"] == []


def test_a_bulk_write_is_seen_once_it_bumps_the_version(action, api):
    """Bulk writes send no signals: what makes them visible is their call of the bump."""
    only(api)
    Action.objects.filter(pk=action.pk).update(place="Veurne")
    assert only(api)["place"] == ""
    bump_data_version()
    assert only(api)["place"] == "Veurne"


def test_a_rolled_back_write_keeps_the_version(action):
    before = data_version()
    with transaction.atomic():
        action.save()
        assert data_version() != before
        transaction.set_rollback(True)
    assert data_version() == before


def test_a_stranger_is_refused_a_cached_page(action, api, stranger, client_for):
    response = api.get(LIST)
    etag = response["ETag"]
    assert client_for(stranger).get(LIST).status_code == 403
    assert client_for(stranger).get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 403
    assert client_for(None).get(LIST).status_code == 401


def test_an_unchanged_page_is_a_304(action, api, vdab, django_assert_num_queries):
    response = api.get(LIST)
    etag = response["ETag"]
    with django_assert_num_queries(1):  # the version; the roles are known to this user object
        not_modified = api.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert api.get(LIST, HTTP_IF_NONE_MATCH='"other", ' + etag).status_code == 304
    assert api.get(f"{LIST}&page=1", HTTP_IF_NONE_MATCH=etag).status_code == 200
    figure_upsert(action=action, metric="starts", pes=vdab, value=8)
    changed = api.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_languages_formats_and_queries_are_cached_apart(action, api):
    action.title_fr = "Jobdating Furnes"
    action.save()
    assert only(api)["title"] == "Jobdating Veurne"
    assert api.get(LIST, HTTP_ACCEPT_LANGUAGE="fr").json()["results"][0]["title"] == (
        "Jobdating Furnes"
    )
    assert only(api)["title"] == "Jobdating Veurne"
    csv = api.get(f"{LIST}&format=csv")
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == 'attachment; filename="action.csv"'
    again = api.get(f"{LIST}&format=csv")
    assert (again.content, again["Content-Disposition"]) == (
        csv.content,
        csv["Content-Disposition"],
    )
    assert api.get(LIST)["Content-Type"] == "application/json"
    assert api.get(LIST, {"status": "cancelled"}).json()["count"] == 0
    assert api.get(LIST).json()["count"] == 1


def test_the_paging_links_name_the_host_asked(action, api):
    ActionFactory(project=action.project)
    url = "/api/v1/actions/?page_size=1"
    assert api.get(url).json()["next"].startswith("http://testserver/")
    assert api.get(url, HTTP_HOST="localhost").json()["next"].startswith("http://localhost/")


def test_refusals_are_not_cached(action, api):
    assert api.get("/api/v1/actions/?page=9").status_code == 404
    assert api.get("/api/v1/actions/999999/").status_code == 404
    ActionFactory(project=action.project)
    assert api.get("/api/v1/actions/?page_size=1&page=2").status_code == 200


def test_a_cached_page_is_still_throttled(action, api, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    assert api.get(LIST).status_code == 200
    assert api.get(LIST).status_code == 200
    assert api.get(LIST).status_code == 429
