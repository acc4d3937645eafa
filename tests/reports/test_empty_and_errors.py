"""Every page and download answers for any filter (200, or a 400 naming the parameter), shows
an empty state with a way back where nothing matches, and the error pages (400, 403, 404, 500)
are in the site's layout and the visitor's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import override_settings
from django.urls import include, path, reverse
from django.utils import translation
from django.views.defaults import bad_request

from actions.models import Action
from projects.models import Project
from reports import exports
from reports.filters import ActionFilterSet
from reports.views import PeriodForm
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

EMPTY_FILTERS = (
    "year=2016",
    "year=2017&status=planned",
    "semester=2019-S1",
    "date_from=2030-01-01",
    "project=actemploi",
)


def _choices(field: Any) -> list[str]:
    values = []
    for value, _label in getattr(field, "choices", None) or getattr(field.widget, "choices", []):
        value = str(getattr(value, "value", value))
        if value:
            values.append(value)
    return values


def _filter_queries() -> list[str]:
    """Every value each filter form offers, one query each."""
    queries = []
    form = ActionFilterSet({}).form
    for name in form.fields:
        queries += [f"{name}={value}" for value in _choices(form.fields[name])]
    years = sorted(set(Action.objects.values_list("year", flat=True)))
    period = PeriodForm(QueryDict(), years=years)
    for name in ("period_from", "period_to"):
        queries += [f"{name}={value}" for value in _choices(period.fields[name])]
    return queries


def _urls() -> list[str]:
    action = Action.objects.order_by("pk").first()
    assert action is not None
    pages = [
        reverse("reports:overview"),
        reverse("reports:action-list"),
        reverse("reports:action-detail", args=[action.pk]),
        *[reverse("reports:project-detail", args=[p.slug]) for p in Project.objects.all()],
    ]
    return pages


def _check(client, url: str) -> HttpResponse:
    response = client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    return response


def test_every_page_and_download_answers_for_every_filter(client, demo, manager):
    client.force_login(manager)
    queries = [*EMPTY_FILTERS, *_filter_queries()]
    for base in _urls():
        for query in queries:
            response = _check(client, f"{base}?{query}")
            assert response.status_code == 200, (base, query)
    for query in queries:
        for export in ("csv", "xlsx"):
            response = _check(client, f"{reverse('reports:action-list')}?{query}&export={export}")
            assert response.status_code == 200, (query, export)
    for year in (2016, 2017, 2030):
        for file_format in exports.YEAR_REPORT.formats:
            for project in ("", "&project=actemploi"):
                url = reverse("reports:year-report", args=[year])
                query = f"?format={file_format.name}{project}"
                assert _check(client, url + query).status_code == 200, query


MALFORMED = (
    "year=abc",
    "year=99999999999999999999",
    "year=0",
    "semester=2017-S3",
    "semester=x",
    "date_from=2017-02-30",
    "date_from=99999-01-01",
    "date_to=2017-01-01&date_from=2018-01-01",
    "period_from=nonsense",
    "period_from=2018-S1&period_to=2017-S1",
    "period_from=9999-S1",
    "period_from=0001-S1",
    "year=1",
    "year=2999",
    "pes=nowhere",
    "sector=none",
    "status=x",
    "action_type=x",
    "project=nope",
    "page=abc",
    "page=-1",
    "page=99999",
    "sort=xyz",
    "sort=-",
    "export=pdf",
    "export=",
    "year=2017%00",
    "project=%00",
    "year=",
    "year=,,,",
    "period_to=2017-S2",
    "period_from=2017-S1",
    "year=2017&period_from=2018-S1",
)


def test_malformed_filters_are_a_400_or_ignored_never_a_500(client, demo, manager):
    client.force_login(manager)
    empty = ProjectFactory()
    for base in [*_urls(), reverse("reports:project-detail", args=[empty.slug])]:
        for query in MALFORMED:
            assert _check(client, f"{base}?{query}")
    for year in (0, 1, 2016, 99999, 2017):
        for query in ("", "project=nope", "lang=xx", "format=x", "project=,", "x=1"):
            assert _check(client, f"/reports/year/{year}/?{query}")


# Empty states -------------------------------------------------------------------------------


def test_an_action_list_that_matches_nothing_says_so_and_offers_to_clear_the_filters(
    client, demo, manager
):
    client.force_login(manager)
    response = client.get("/actions/?year=2017&status=planned&semester=2019-S1")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No action matches these filters." in page
    assert f'href="{reverse("reports:action-list")}"' in page


def test_an_overview_that_counts_nothing_draws_no_chart(client, demo, manager):
    client.force_login(manager)
    response = client.get("/?year=2016")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No realised actions in this selection." in page
    assert "<canvas" not in page


def test_an_empty_project_draws_no_blank_axes_but_a_sentence(client, demo, manager):
    client.force_login(manager)
    project = ProjectFactory()
    response = client.get(reverse("reports:project-detail", args=[project.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No realised actions yet." in page
    assert "<canvas" not in page
    assert f'href="{reverse("reports:overview")}"' in page


def test_a_semester_outside_the_years_is_a_400_naming_it(client, demo, manager):
    client.force_login(manager)
    for query in ("period_from=0001-S1", "period_to=9999-S2"):
        response = client.get(f"/?{query}")
        assert response.status_code == 400, query
        assert "is not a year between 2000 and 2100" in response.content.decode()


# Error pages --------------------------------------------------------------------------------


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault of the code")


urlpatterns = [path("boom/", _boom), path("", include("crossborder.urls"))]


@pytest.mark.parametrize("language", ["nl", "fr"])
@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_the_500_page_needs_no_query_and_speaks_the_visitors_language(
    client, django_assert_num_queries, language
):
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/boom/", headers={"accept-language": language})
    assert response.status_code == 500
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert f'<html lang="{language}">' in page
    assert f'href="{reverse("reports:overview")}"' in page


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@override_settings(DEBUG=False)
def test_an_unknown_address_shows_the_sites_404_in_the_visitors_language(client, language):
    response = client.get("/no-such-page/", headers={"accept-language": language})
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert 'class="site-header"' in page
    assert f'href="{reverse("reports:overview")}"' in page


@override_settings(DEBUG=False)
def test_the_api_keeps_its_own_json_404(client, manager):
    client.force_login(manager)
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_the_400_page_is_in_the_sites_layout_and_language(rf, language):
    with translation.override(language):
        response = bad_request(rf.get("/"), exception=Exception())
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<html lang="{language}">' in page
    assert f'href="{reverse("reports:overview")}"' in page


def test_a_user_without_a_role_gets_the_403_page_in_the_layout(client, demo, stranger):
    client.force_login(stranger)
    response = client.get("/", headers={"accept-language": "nl"})
    assert response.status_code == 403
    assert '<html lang="nl">' in response.content.decode()
