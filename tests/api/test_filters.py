"""The filter backend leaves out a filter set the query string names none of the parameters of
(crossborder.api.base.FilterBackend): every endpoint's filter set must then filter nothing."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from rest_framework.request import Request

import crossborder.urls  # noqa: F401 (every endpoint, so that every filter set is found)
from crossborder.api.base import ApiViewMixin, by_id, names_a_filter
from reports.filters import ActionFilterSet
from tests.factories import ActionFactory

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
