"""A year in which nothing happened: every format of the year report answers, says so and
counts zero; never a 500."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from reports.year_report import year_report
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def default_language_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def quiet_year(db):
    """A project that started in 2030 and has no action at all yet."""
    return ProjectFactory(slug="quiet", starts_on=datetime.date(2030, 1, 1))


def test_the_report_of_an_empty_year_counts_nothing(quiet_year):
    report = year_report(year=2031)
    assert report.totals.counts["actions"] == 0
    assert report.totals.counts["starts"] == 0
    assert report.by_type == [] and report.by_pes == [] and report.by_semester == []


@pytest.mark.parametrize("file_format", ["html", "csv", "xlsx", "docx"])
def test_every_format_of_an_empty_year_answers(client, manager, quiet_year, file_format):
    client.force_login(manager)
    response = client.get(reverse("reports:year-report", args=[2031]), {"format": file_format})
    assert response.status_code == 200
    assert response.content
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=","))
        assert rows[0][0]


def test_the_api_answers_an_empty_year(manager, quiet_year):
    api = APIClient()
    api.force_authenticate(manager)
    response = api.get("/api/v1/reports/year/", {"year": 2031, "format": "json"})
    assert response.status_code == 200
    body = response.json()
    assert body["totals"]["counts"]["actions"] == 0
    assert body["totals"]["counts"]["starts"] == 0
