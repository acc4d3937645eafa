"""CSV as Excel expects it: `?format=csv` whatever the Accept header, cells separated by `sep`
or as the Excel of the request's language splits them (semicolons in Dutch and French, commas
in English), on the API's lists, the outcomes report and the dashboards' downloads."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/actions/"
SEP_MESSAGE = "“|” is not a separator; use any of: “;”, “,”, “tab”."


@pytest.fixture
def actions(db: None) -> None:
    ActionFactory(reference="ref-a", title="Jobdating Veurne", place="Veurne; Dunkerque")
    ActionFactory(reference="ref-b", title='=HYPERLINK("http://evil")', place="@SUM(A1)")


@pytest.fixture
def api(actions, partner_le_forem, client_for):
    return client_for(partner_le_forem)


def lines(content: bytes) -> list[str]:
    return content.decode("utf-8-sig").split("\r\n")


def rows(content: bytes, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


@pytest.mark.parametrize(
    "accept", ["application/json", "text/csv", "*/*", "text/html", "application/xml", None]
)
def test_format_csv_wins_over_any_accept_header(api, accept):
    headers = {"Accept": accept} if accept else {}
    response = api.get(ACTIONS, {"format": "csv", "ordering": "reference"}, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="action.csv"'
    assert response.content.startswith("\N{BYTE ORDER MARK}".encode())
    assert [row["reference"] for row in rows(response.content, ",")] == ["ref-a", "ref-b"]


def test_without_format_the_accept_header_still_chooses(api):
    assert api.get(ACTIONS, headers={"Accept": "text/csv"})["Content-Type"] == (
        "text/csv; charset=utf-8"
    )
    assert api.get(ACTIONS, headers={"Accept": "application/json"})["Content-Type"] == (
        "application/json"
    )


@pytest.mark.parametrize(
    ("headers", "separator"),
    [
        ({"Accept-Language": "nl"}, ";"),
        ({"Accept-Language": "fr-BE,fr;q=0.9"}, ";"),
        ({"Accept-Language": "en"}, ","),
        ({}, ","),
    ],
)
def test_the_separator_follows_the_request_language(api, headers, separator):
    response = api.get(ACTIONS, {"format": "csv", "ordering": "reference"}, headers=headers)
    header = lines(response.content)[0]
    assert header.startswith(separator.join(["id", "reference", "project", "work_package"]))
    parsed = rows(response.content, separator)
    # A cell holding the separator is quoted, and reads back whole.
    assert [row["place"] for row in parsed] == ["Veurne; Dunkerque", "'@SUM(A1)"]


def test_the_site_language_cookie_chooses_the_separator_too(api, settings):
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = api.get(ACTIONS, {"format": "csv"})
    assert lines(response.content)[0].startswith("id;reference;project;")


@pytest.mark.parametrize(
    ("sep", "language", "separator"),
    [(";", "en", ";"), (",", "nl", ","), ("tab", "fr", "\t"), ("tab", "en", "\t")],
)
def test_sep_asks_for_a_separator_whatever_the_language(api, sep, language, separator):
    response = api.get(
        ACTIONS,
        {"format": "csv", "sep": sep, "ordering": "reference"},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 200
    assert lines(response.content)[0].startswith(separator.join(["id", "reference", "project"]))
    assert [row["title"] for row in rows(response.content, separator)] == [
        "Jobdating Veurne",
        '\'=HYPERLINK("http://evil")',
    ]


@pytest.mark.parametrize("sep", ["|", ""])
@pytest.mark.parametrize("file_format", ["csv", "json", None])
def test_a_separator_there_is_not_is_a_400_naming_the_allowed_ones(api, sep, file_format):
    params = {"sep": sep, **({"format": file_format} if file_format else {})}
    response = api.get(ACTIONS, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"sep": [f"“{sep}” is not a separator; use any of: “;”, “,”, “tab”."]}


def test_the_formula_guard_holds_in_every_separator(api):
    for sep, separator in ((";", ";"), (",", ","), ("tab", "\t")):
        response = api.get(ACTIONS, {"format": "csv", "sep": sep, "search": "HYPERLINK"})
        (row,) = rows(response.content, separator)
        assert (row["title"], row["place"]) == ('\'=HYPERLINK("http://evil")', "'@SUM(A1)")


def test_a_record_is_json_only_and_ignores_sep(api):
    action_id = api.get(ACTIONS, {"ordering": "reference"}).json()["results"][0]["id"]
    response = api.get(f"{ACTIONS}{action_id}/", {"format": "csv"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No format “csv” here: give one of “json”."}
    response = api.get(f"{ACTIONS}{action_id}/", {"sep": "|"})
    assert response.status_code == 200
    assert response.json()["reference"] == "ref-a"


def test_an_unknown_or_empty_format_is_a_404_naming_the_formats_there_are(api):
    response = api.get(ACTIONS, {"format": "xml"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No format “xml” here: give one of “json”, “csv”."}
    response = api.get(ACTIONS, {"format": ""})
    assert response.status_code == 404
    assert response.json() == {"detail": "No format “” here: give one of “json”, “csv”."}


def test_anonymous_and_stranger_are_refused_in_csv_too(actions, client_for, stranger):
    assert client_for(None).get(ACTIONS, {"format": "csv"}).status_code == 401
    assert client_for(stranger).get(ACTIONS, {"format": "csv", "sep": ";"}).status_code == 403


def test_the_outcomes_report_takes_the_separator(demo, client_for, manager):
    api = client_for(manager)
    params = {"format": "csv", "group_by": "pes", "year": "2017"}
    french = api.get(
        "/api/v1/reports/outcomes/",
        params,
        headers={"Accept": "application/json", "Accept-Language": "fr"},
    )
    assert french.status_code == 200
    assert french["Content-Type"] == "text/csv; charset=utf-8"
    assert lines(french.content)[0].startswith("pes;actions;interested;")
    tabbed = api.get("/api/v1/reports/outcomes/", {**params, "sep": "tab"})
    assert lines(tabbed.content)[0].startswith("pes\tactions\tinterested\t")
    refused = api.get("/api/v1/reports/outcomes/", {**params, "sep": "|"})
    assert (refused.status_code, refused.json()) == (400, {"sep": [SEP_MESSAGE]})


def test_the_schema_documents_sep_where_csv_is_served_and_only_there(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/?format=json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            csv_served = "text/csv" in operation["responses"].get("200", {}).get("content", {})
            if csv_served:
                (sep,) = [p for p in operation["parameters"] if p["name"] == "sep"]
                assert sep["schema"]["enum"] == [";", ",", "tab"], (path, method)
                assert "format" in names, (path, method)
            else:
                assert not names & {"sep", "format"}, (path, method)
    assert "sep" in {p["name"] for p in schema["paths"][ACTIONS]["get"]["parameters"]}
    assert "sep" in {
        p["name"] for p in schema["paths"]["/api/v1/reports/outcomes/"]["get"]["parameters"]
    }


# The dashboards' downloads.


@pytest.mark.parametrize(
    ("query", "separator"),
    [
        ("?export=csv", ";"),
        ("?export=csv&sep=,", ","),
        ("?export=csv&sep=tab", "\t"),
    ],
)
def test_the_action_list_download_takes_the_separator(actions, client, manager, query, separator):
    client.force_login(manager)
    response = client.get(reverse("reports:action-list") + query, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    parsed = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=separator)
    )
    assert len(parsed[0]) > 10 and len(parsed) == 3


def test_the_action_list_refuses_a_separator_there_is_not(actions, client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:action-list") + "?export=csv&sep=|")
    assert response.status_code == 400
    assert f"sep: {SEP_MESSAGE}" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "separator"),
    [("?lang=nl", ";"), ("?lang=fr", ";"), ("?lang=en", ","), ("?lang=fr&sep=,", ",")],
)
def test_the_year_report_csv_takes_the_separator(demo, client, manager, query, separator):
    client.force_login(manager)
    url = reverse("reports:year-report", args=[2017]) + query + "&format=csv"
    response = client.get(url)
    assert response.status_code == 200
    assert lines(response.content)[0].startswith(separator.join(["as_of", "year", "part"]))


def test_the_year_report_refuses_a_separator_there_is_not(demo, client, manager):
    client.force_login(manager)
    response = client.get(reverse("reports:year-report", args=[2017]) + "?format=csv&sep=|")
    assert response.status_code == 400
    assert response.content.decode() == f"sep: {SEP_MESSAGE}\n"


@pytest.mark.parametrize(
    ("query", "separator"),
    [("", ";"), ("&sep=%2C", ","), ("&sep=tab", "\t")],
)
def test_who_took_part_csv_takes_the_separator(demo, client, manager, query, separator):
    client.force_login(manager)
    url = reverse("reports:people") + "?year=2017&breakdown=gender&export=csv" + query
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    cells = lines(response.content)[0].split(separator)
    assert cells[0] == "Genre" and len(cells) > 5


def test_who_took_part_refuses_a_separator_there_is_not(demo, client, manager):
    client.force_login(manager)
    url = reverse("reports:people") + "?year=2017&breakdown=gender&export=csv&sep=|"
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode() == f"{SEP_MESSAGE}\n"
