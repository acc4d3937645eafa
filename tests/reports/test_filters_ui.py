"""The dashboards' filter forms as people meet them: groups of labelled checkboxes, the filters in
force as chips that each remove one value, a link that clears them all, and the URL as the one
place the filters live (a GET form: a link keeps them)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse

from reports.filters import ActionFilterSet
from reports.templatetags.filter_chips import chips_for

OVERVIEW = reverse("reports:overview")
ACTIONS = reverse("reports:action-list")
GT = "grenzeloos-tewerkstellen"
GC = "grenzeloos-competent"
# The sign that ends each chip, hidden from screen readers.
X = "\u00d7"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    # The open fieldsets and labels around it, innermost last.
    fieldsets: list[Element] = field(default_factory=list)
    labels: list[Element] = field(default_factory=list)
    folds: list[Element] = field(default_factory=list)


class Page(HTMLParser):
    """The elements of a page the tests read: inputs, labels, legends, fieldsets and links."""

    KEPT = {"input", "label", "legend", "fieldset", "a", "form", "select", "details"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.KEPT:
            return
        element = Element(
            tag,
            {name: value or "" for name, value in attrs},
            fieldsets=[e for e in self.open if e.tag == "fieldset"],
            labels=[e for e in self.open if e.tag == "label"],
            folds=[e for e in self.open if e.tag == "details"],
        )
        self.elements.append(element)
        if tag != "input":
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def checkboxes(self, name: str) -> list[Element]:
        return self.all("input", type="checkbox", name=name)

    def chips(self) -> list[tuple[str, str, str]]:
        """(visible text, accessible name, link) of each chip."""
        return [
            (" ".join(chip.text.split()), chip.attrs["aria-label"], unescape(chip.attrs["href"]))
            for chip in self.elements
            if chip.tag == "a" and "chip" in chip.attrs.get("class", "").split()
        ]

    def clear_all(self) -> str | None:
        links = [a for a in self.all("a") if "active-filters__clear" in a.attrs.get("class", "")]
        return unescape(links[0].attrs["href"]) if links else None


def page(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, url
    return Page(response.content.decode())


@pytest.fixture
def manager_client(client, demo, manager):
    client.force_login(manager)
    return client


LEGENDS = {
    "project": "Project",
    "action_type": "Action type",
    "status": "Status",
    "pes": "PES",
    "sector": "Sector",
}


@pytest.mark.parametrize(
    "url, names",
    [
        (OVERVIEW, ["project", "action_type", "pes", "sector"]),
        (ACTIONS, ["project", "action_type", "status", "pes", "sector"]),
    ],
)
def test_every_choice_is_a_labelled_checkbox_in_a_fieldset_with_its_legend(
    manager_client, url, names
):
    html = page(manager_client, url)
    assert html.all("select", multiple="multiple") == []
    for name in names:
        boxes = html.checkboxes(name)
        assert len(boxes) >= 3, name
        for box in boxes:
            label = [e for e in html.all("label") if e.attrs.get("for") == box.attrs["id"]]
            assert len(label) == 1, box.attrs
            # The label wraps its checkbox and names it.
            assert any(e is label[0] for e in box.labels)
            assert label[0].text.strip()
            fieldset = box.fieldsets[-1]
            legend = [e for e in html.all("legend") if e.fieldsets and e.fieldsets[-1] is fieldset]
            assert [" ".join(e.text.split()) for e in legend] == [LEGENDS[name]]


def test_the_choices_read_as_people_name_them(manager_client):
    html = page(manager_client, ACTIONS)
    pes = {
        box.attrs["value"]: " ".join(box.labels[-1].text.split()) for box in html.checkboxes("pes")
    }
    assert pes["vdab"] == "VDAB"
    assert pes["unknown"] == "unknown PES"
    status = {b.attrs["value"]: b.labels[-1].text.strip() for b in html.checkboxes("status")}
    assert status == {
        "planned": "planned",
        "ongoing": "ongoing",
        "completed": "completed",
        "cancelled": "cancelled",
    }


def test_the_url_round_trip_ticks_what_it_holds(manager_client):
    html = page(manager_client, f"{ACTIONS}?pes=vdab,le-forem&status=completed&project={GT}")
    ticked = {
        (box.attrs["name"], box.attrs["value"])
        for box in html.all("input", type="checkbox")
        if "checked" in box.attrs
    }
    assert ticked == {
        ("pes", "vdab"),
        ("pes", "le-forem"),
        ("status", "completed"),
        ("project", GT),
    }
    # A GET form: submitting it writes the filters into the URL again.
    assert [form.attrs["class"] for form in html.all("form", method="get")] == ["filters"]


def test_no_filter_no_chip(manager_client):
    for url in (ACTIONS, OVERVIEW, f"{OVERVIEW}?year=2017", f"{ACTIONS}?sort=-date&page=1"):
        html = page(manager_client, url)
        assert html.chips() == []
        assert html.clear_all() is None


def test_each_chip_removes_its_value_and_keeps_the_rest(manager_client):
    url = f"{ACTIONS}?pes=vdab&pes=le-forem&status=completed&year=2017&sort=-date&page=2"
    html = page(manager_client, url)
    assert html.chips() == [
        (
            f"Year: 2017 {X}",
            "Remove filter: year 2017",
            f"{ACTIONS}?pes=vdab&pes=le-forem&status=completed&sort=-date",
        ),
        (
            f"Status: completed {X}",
            "Remove filter: completed",
            f"{ACTIONS}?pes=vdab&pes=le-forem&year=2017&sort=-date",
        ),
        (
            f"PES: VDAB {X}",
            "Remove filter: VDAB",
            f"{ACTIONS}?pes=le-forem&status=completed&year=2017&sort=-date",
        ),
        (
            f"PES: Le Forem {X}",
            "Remove filter: Le Forem",
            f"{ACTIONS}?pes=vdab&status=completed&year=2017&sort=-date",
        ),
    ]
    # Clearing keeps the order of the list, not the filters nor the page.
    assert html.clear_all() == f"{ACTIONS}?sort=-date"


def test_comma_separated_values_are_chips_of_their_own(manager_client):
    html = page(manager_client, f"{ACTIONS}?pes=vdab,unknown&year=&semester=")
    assert html.chips() == [
        (f"PES: VDAB {X}", "Remove filter: VDAB", f"{ACTIONS}?pes=unknown"),
        (f"PES: unknown PES {X}", "Remove filter: unknown PES", f"{ACTIONS}?pes=vdab"),
    ]
    assert html.clear_all() == ACTIONS


def test_the_overview_keeps_its_period_when_a_chip_or_all_are_removed(manager_client):
    html = page(manager_client, f"{OVERVIEW}?year=2017&project={GC}&approved=true")
    assert html.chips() == [
        (
            f"Project: Competences without borders {X}",
            "Remove filter: Competences without borders",
            f"{OVERVIEW}?year=2017&approved=true",
        )
    ]
    assert html.clear_all() == f"{OVERVIEW}?year=2017&approved=true"
    # The year is the period here, not a filter: no chip for it.
    assert page(manager_client, f"{OVERVIEW}?year=2017").chips() == []


def test_following_every_chip_and_clear_all_answers_200(manager_client):
    html = page(manager_client, f"{ACTIONS}?project={GT}&action_type=jobdating&pes=vdab")
    links = [link for _text, _name, link in html.chips()] + [html.clear_all()]
    assert len(links) == 4
    for link in links:
        assert manager_client.get(link).status_code == 200, link


def test_a_hostile_or_unknown_value_is_a_400_with_a_chip_to_remove_it(manager_client):
    hostile = "<script>alert(1)</script>"
    response = manager_client.get(ACTIONS, {"pes": ["vdab", hostile]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    chips = Page(html).chips()
    assert chips[1][:2] == (f"PES: {hostile} {X}", f"Remove filter: {hostile}")
    assert parse_qs(urlsplit(chips[1][2]).query) == {"pes": ["vdab"]}
    assert manager_client.get(chips[1][2]).status_code == 200
    # Malformed values stay a 400 naming the filter, on both pages.
    for url in (
        f"{ACTIONS}?date_from=31-02-2018",
        f"{ACTIONS}?year=twenty",
        f"{ACTIONS}?status=done",
        f"{ACTIONS}?sector=nope",
        f"{OVERVIEW}?year=twenty",
        f"{OVERVIEW}?pes=done",
        f"{OVERVIEW}?sector=nope",
    ):
        response = manager_client.get(url)
        assert response.status_code == 400, url
        assert response.context["errors"], url


def test_every_combination_the_forms_offer_answers_without_error(manager_client):
    """Each value the form offers alone, every pair of filters, and everything ticked at once."""
    html = page(manager_client, ACTIONS)
    offered = {
        name: [box.attrs["value"] for box in html.checkboxes(name)]
        for name in ("project", "action_type", "status", "pes", "sector")
    }
    queries = [{name: [value]} for name, values in offered.items() for value in values]
    queries += [
        {first: offered[first][:1], second: offered[second][-1:]}
        for first, second in itertools.combinations(offered, 2)
    ]
    queries.append(offered)
    for query in queries:
        assert manager_client.get(ACTIONS, query).status_code == 200, query
        overview_query = {k: v for k, v in query.items() if k != "status"}
        assert manager_client.get(OVERVIEW, overview_query).status_code == 200, query


def test_the_chips_cost_no_query(demo, django_assert_num_queries):
    request = RequestFactory().get(ACTIONS, {"pes": "vdab", "project": GT, "sector": "x"})
    form = ActionFilterSet(request.GET).form
    fields = list(form)
    for bound in fields:
        bound.subwidgets  # noqa: B018  (the form shows its options first)
    with django_assert_num_queries(0):
        chips = chips_for(request, fields)["chips"]
    assert [(chip.field, chip.value) for chip in chips] == [
        ("project", "Employment without borders"),
        ("PES", "VDAB"),
        ("sector", "x"),
    ]


def test_a_list_of_more_than_six_choices_folds_until_one_is_ticked(manager_client):
    html = page(manager_client, ACTIONS)
    # Eight action types fold; four statuses do not.
    types = html.checkboxes("action_type")
    assert len(types) == 8
    assert all(len(box.folds) == 1 and "open" not in box.folds[0].attrs for box in types)
    assert all(box.folds == [] for box in html.checkboxes("status"))
    opened = page(manager_client, f"{ACTIONS}?action_type=training")
    assert all("open" in box.folds[0].attrs for box in opened.checkboxes("action_type"))
