"""The filter backend leaves out a filter set the query string names none of the parameters of
(crossborder.api.base.FilterBackend): every endpoint's filter set must then filter nothing."""

from __future__ import annotations

import datetime

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from rest_framework.request import Request

import crossborder.urls  # noqa: F401 (every endpoint, so that every filter set is found)
from actions.models import Action
from crossborder.api.base import ApiViewMixin, by_id, names_a_filter
from reports.filters import ActionFilterSet
from tests.factories import ActionFactory, FigureFactory, ParticipationFactory, SectorFactory

pytestmark = pytest.mark.django_db


def api_filter_sets():
    """The filter set of every endpoint, as the backend uses it."""
    found = {}
    views = [ApiViewMixin]
    while views:
        view = views.pop()
        views.extend(view.__subclasses__())
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            found[filterset_class.__name__] = by_id(filterset_class)
    return [found[name] for name in sorted(found)]


def test_every_endpoint_s_filter_set_is_found():
    names = {filterset_class.__name__ for filterset_class in api_filter_sets()}
    assert {"ActionFilterSet", "JobseekerFilterSet", "ParticipationFilterSet"} <= names
    assert len(names) == 14


@pytest.mark.parametrize("filterset_class", api_filter_sets(), ids=lambda f: f.__name__)
def test_a_filter_set_given_none_of_its_parameters_filters_nothing(filterset_class):
    queryset = filterset_class._meta.model._default_manager.all()
    filterset = filterset_class(data=QueryDict(""), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    assert str(filterset.qs.query) == str(queryset.query)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("", False),
        ("page_size=100&page=2&format=csv&ordering=-year&search=x&miss=1", False),
        ("year=2018", True),
        ("date_from=2018-01-01", True),
        # A range's parameters carry the filter's name with a suffix.
        ("date_from_after=2018-01-01", True),
        ("status=", True),
    ],
)
def test_a_query_names_a_filter_by_its_name_or_a_suffixed_one(query, named):
    request = Request(RequestFactory().get(f"/api/v1/actions/?{query}"))
    assert names_a_filter(request, ActionFilterSet) is named


def test_the_list_is_filtered_with_a_filter_and_whole_without(client_for, manager):
    ActionFactory.create_batch(2, year=2018, start_date=None, semester="")
    ActionFactory(year=2019, start_date=None, semester="")
    client = client_for(manager)
    assert client.get("/api/v1/actions/?page_size=2").json()["count"] == 3
    assert client.get("/api/v1/actions/?year=2018").json()["count"] == 2


def test_no_filter_of_actions_asks_for_distinct_rows():
    # Each filters the action's own columns, its project or sector, or by EXISTS: none joins a
    # to-many relation, so no action can come twice. DISTINCT over the list's wide rows made
    # the database sort every matching action before taking a page (a filtered API list at a
    # million participations: 90 ms against 32 without).
    filters = ActionFilterSet.base_filters
    assert {name for name, found in filters.items() if found.distinct} == set()


def test_an_action_of_every_filter_and_several_pes_is_listed_once(
    client_for, manager, vdab, le_forem
):
    action = ActionFactory(start_date=datetime.date(2018, 3, 1), sector=SectorFactory(slug="care"))
    for pes in (vdab, le_forem):
        FigureFactory(action=action, pes=pes)
        ParticipationFactory(action=action, jobseeker__pes=pes)
    ActionFactory(start_date=datetime.date(2018, 3, 1))
    query = (
        f"year=2018&semester=2018-S1&project={action.project.slug}&action_type=jobdating"
        "&status=completed&pes=vdab,le-forem,unknown&sector=care&date_from=2018-01-01"
        f"&date_to=2018-12-31&action={action.reference or action.pk}"
    )
    filterset = ActionFilterSet(QueryDict(query), queryset=Action.objects.all())
    assert filterset.is_valid(), filterset.errors
    assert not filterset.qs.query.distinct
    assert list(filterset.qs) == [action]
    listed = client_for(manager).get(f"/api/v1/actions/?{query}").json()
    assert [row["id"] for row in listed["results"]] == [action.pk]
    assert listed["count"] == 1


def test_a_filter_that_matches_nothing_is_an_empty_page(client_for, manager):
    ActionFactory(start_date=datetime.date(2018, 3, 1))
    listed = client_for(manager).get("/api/v1/actions/?status=cancelled&year=2018")
    assert listed.status_code == 200
    assert (listed.json()["count"], listed.json()["results"]) == (0, [])
