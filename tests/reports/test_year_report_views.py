"""The year report page and its downloads: who may see it, what it shows, bad parameters."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A request in French leaves French active in the thread (LocaleMiddleware activates,
    nothing deactivates): later tests start in the default language again."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def url(year: int = 2017, query: str = "") -> str:
    return reverse("reports:year-report", args=[year]) + query


def test_manager_reads_the_answer_sheet_with_its_figures(demo, client, manager):
    client.force_login(manager)
    response = client.get(url(query="?lang=nl"))
    assert response.status_code == 200
    assert "reports/year_report.html" in [template.name for template in response.templates]
    sheet = response.context["sheet"]
    assert sheet.lang == "nl"
    assert [p.heading for p in sheet.projects] == [
        "Grenzeloos Tewerkstellen",
        "Grenzeloos Competent",
        "Act'emploi",
        "AB Réfugiés",
    ]
    cohorts = sheet.projects[0].types[0].table
    assert [c.text for c in cohorts.footer][-2:] == ["19", "9"]
    html = response.content.decode()
    assert "Begeleidingsactie LKT" in html
    assert '<td class="num" data-label="Gestart">19</td>' in html
    assert 'lang="nl"' in html


def test_the_lower_bound_and_the_unknown_pes_are_on_the_page(demo, client, manager):
    client.force_login(manager)
    response = client.get(url(2018, "?lang=en&project=grenzeloos-competent"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="lower-bound">at least 200</span>' in html
    assert "Started, unknown PES" in html
    dutch = client.get(url(2018, "?lang=nl")).content.decode()
    assert '<span class="lower-bound">minstens 200</span>' in dutch
    assert "Gestart, onbekende arbeidsbemiddelingsdienst" in dutch
    assert [p.heading for p in response.context["sheet"].projects] == [
        "Competences without borders"
    ]


def test_the_active_language_is_the_default(demo, client, manager):
    client.force_login(manager)
    response = client.get(url(), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.context["sheet"].lang == "fr"
    assert "Emploi sans frontières" in response.content.decode()


def test_stranger_is_refused(demo, client, stranger):
    client.force_login(stranger)
    assert client.get(url()).status_code == 403
    assert client.get(url(query="?format=docx")).status_code == 403


def test_anonymous_is_sent_to_log_in(demo, client):
    response = client.get(url(query="?format=csv"))
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize(
    ("file_format", "media_type"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_downloads_are_named_by_year_and_language(demo, client, manager, file_format, media_type):
    client.force_login(manager)
    response = client.get(url(query=f"?lang=nl&format={file_format}"))
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="answer-2017-nl.{file_format}"'
    )
    assert len(response.content) > 1000


def test_the_csv_download_is_the_flat_table(demo, client, manager):
    client.force_login(manager)
    response = client.get(url(query="?lang=fr&format=csv&project=grenzeloos-competent"))
    # Semicolons: French Excel's separator.
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    realised = [r for r in rows if r["part"] == "realised"]
    assert [(r["title"], r["starts"]) for r in realised] == [
        ("Formation agroalimentaire (côté flamand)", "5"),
        ("Formation agroalimentaire (côté wallon)", "8"),
        ("Formation textile COBOT", "6"),
    ]


@pytest.mark.parametrize(
    ("query", "year", "parameter"),
    [
        ("?format=pdf", 2017, "format"),
        ("?lang=de", 2017, "lang"),
        ("?project=nope", 2017, "project"),
        ("?group_by=pes", 2017, "group_by"),
        ("", 1999, "year"),
        ("?as_of=20/04", 2017, "as_of"),
        ("?as_of=2018-02-30", 2017, "as_of"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(
    demo, client, manager, query, year, parameter
):
    client.force_login(manager)
    response = client.get(url(year, query))
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{parameter}: ")
