"""The outcomes of given actions, by reference or id (`?action=`): what a partner's system asks
for its own actions. The same filter of the shared ActionFilterSet serves the API's list of
actions and the dashboards' action list; the overview's filters leave it out."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from actions.models import Action

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/outcomes/"
ACTIONS = "/api/v1/actions/"
GT = "grenzeloos-tewerkstellen"
# The two guidance cohorts of Grenzeloos tewerkstellen in 2017 (the demo's).
LKT, VEURNE = "gt-2017-cohort-lkt", "gt-2017-cohort-veurne-dunkerque"
MEASURES = ("actions", "starts", "placements", "people")


def pick(row: dict) -> dict:
    return {key: row[key] for key in MEASURES}


@pytest.fixture
def api(demo, partner_vdab, client_for):
    return client_for(partner_vdab)


def test_the_outcomes_of_given_actions_by_reference(api):
    response = api.get(URL, {"action": f"{LKT},{VEURNE}", "group_by": "action_type"})
    assert response.status_code == 200
    body = response.json()
    assert [row["action_type"] for row in body["results"]] == ["guidance_cohort"]
    assert pick(body["totals"]) == {"actions": 2, "starts": 19, "placements": 9, "people": 19}
    # The same as the filters that select these two.
    selected = api.get(URL, {"project": GT, "year": 2017, "action_type": "guidance_cohort"})
    assert body["totals"] == selected.json()["totals"]


def test_references_and_ids_repeated_or_comma_separated_with_spaces(api):
    veurne = Action.objects.get(reference=VEURNE).pk
    by_reference = api.get(URL, {"action": [LKT, VEURNE]}).json()
    for action in ([f" {LKT} ", str(veurne)], f"{LKT} , {veurne},{LKT}", [f"{LKT},", VEURNE]):
        assert api.get(URL, {"action": action}).json() == by_reference
    assert pick(api.get(URL, {"action": str(veurne)}).json()["totals"])["actions"] == 1


def test_the_other_filters_narrow_the_actions_given(api):
    body = api.get(URL, {"action": f"{LKT},gc-2017-agro-food-vdab", "project": GT}).json()
    assert body["totals"]["actions"] == 1
    assert body["totals"] == api.get(URL, {"action": LKT}).json()["totals"]


def test_actions_not_counted_give_an_empty_table(api):
    # A planned action (the report counts the realised ones unless asked) and a year that
    # leaves the one realised out: nothing counted, no row.
    body = api.get(URL, {"action": "gt-2018-online-job-fair", "group_by": "action_type"}).json()
    assert (body["results"], body["totals"]["actions"], body["totals"]["starts"]) == ([], 0, 0)
    body = api.get(URL, {"action": LKT, "year": 2018}).json()
    assert (body["totals"]["actions"], body["totals"]["people"]) == (0, None)


@pytest.mark.parametrize("empty", ["", ",", " , "])
def test_an_empty_action_is_no_filter(api, empty):
    assert api.get(URL, {"action": empty}).json() == api.get(URL).json()


def test_each_unknown_action_is_a_400_naming_it(api):
    response = api.get(URL, {"action": f"{LKT},NO-SUCH-ACTION,{LKT.upper()},999999999"})
    assert response.status_code == 400
    # A reference is compared as it is stored: in its own case (the demo's are lower case).
    assert response.json() == {
        "action": [
            "“NO-SUCH-ACTION” is no action.",
            f"“{LKT.upper()}” is no action.",
            "“999999999” is no action.",
        ]
    }


def test_a_nul_character_is_a_400_naming_the_parameter(api):
    response = api.get(URL, {"action": f"{LKT}\x00"})
    assert (response.status_code, response.json()) == (
        400,
        {"action": ["Null characters are not allowed."]},
    )


def test_the_outcomes_by_action_are_for_users_with_a_role(demo, client_for, stranger):
    assert client_for(None).get(URL, {"action": LKT}).status_code == 401
    assert client_for(stranger).get(URL, {"action": LKT}).status_code == 403
    assert client_for(stranger).get(URL, {"action": "no-such-action"}).status_code == 403


def test_the_outcomes_of_given_actions_as_csv(api):
    response = api.get(URL, {"action": [LKT, VEURNE], "format": "csv", "sep": ";"})
    assert response.status_code == 200
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    assert pick(row) == {"actions": "2", "starts": "19", "placements": "9", "people": "19"}


def test_the_list_of_actions_takes_them_too(api):
    response = api.get(ACTIONS, {"action": f"{VEURNE},{LKT}", "ordering": "reference"})
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [LKT, VEURNE]
    response = api.get(ACTIONS, {"action": "nope"})
    assert (response.status_code, response.json()) == (400, {"action": ["“nope” is no action."]})


def test_the_schema_documents_the_filter(client, manager):
    client.force_login(manager)
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in (URL, ACTIONS):
        (parameter,) = [
            p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "action"
        ]
        assert parameter["schema"] == {"type": "array", "items": {"type": "string"}}, path
        assert parameter["description"].startswith("Given actions, by reference"), path


# The dashboards.


def test_the_action_list_offers_the_references_as_a_text_box(demo, client, manager):
    client.force_login(manager)
    url = reverse("reports:action-list")
    page = client.get(url, {"action": f"{LKT}, {VEURNE}"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2
    html = page.content.decode()
    assert f'<input type="text" name="action" value="{LKT},{VEURNE}"' in html
    assert f"Remove filter: reference {LKT}" in html
    refused = client.get(url, {"action": "nope"})
    assert refused.status_code == 400
    assert "reference: “nope” is no action." in refused.content.decode()


def test_the_overview_and_who_took_part_leave_the_filter_out(demo, client, manager):
    client.force_login(manager)
    for name in ("reports:overview", "reports:people"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        assert 'name="action"' not in page.content.decode(), name
