"""The dashboards on a phone (390 by 844) and a laptop (1280 by 800), in Dutch, as a manager and a
coordinator: no page scrolls sideways, every table fits its card, and the filters work with the
keyboard alone and come back off as chips."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from actions.models import Action
from tests.browser.test_dashboards import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

PAGES = [
    reverse("reports:overview") + "?year=2017",
    reverse("reports:project-detail", args=["grenzeloos-tewerkstellen"]),
    reverse("reports:action-list"),
    reverse("reports:year-report", args=[2017]) + "?lang=nl",
]

# Tables wider than the card that holds them: (table's id or caption, its width, the card's).
TABLES_TOO_WIDE = """() => [...document.querySelectorAll('table')]
  .map(table => {
    const card = table.closest('.card');
    return [table.id || table.caption?.textContent || table.className,
            table.scrollWidth, card ? card.clientWidth : window.innerWidth];
  })
  .filter(([, width, room]) => width > room)"""


@pytest.fixture
def browser_context(browser: Any) -> Any:
    def open_page(viewport: dict[str, int]) -> Any:
        context = browser.new_context(viewport=viewport, locale="nl-BE")
        page = context.new_page()
        page.set_default_timeout(15_000)
        opened.append(context)
        return page

    opened: list[Any] = []
    yield open_page
    for context in opened:
        context.close()


def in_dutch(page: Any) -> None:
    page.click("button[name=language][value=nl]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "nl"


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("role", ["manager", "coordinator"])
def test_no_page_scrolls_sideways_and_every_table_fits_its_card(
    browser_context: Any, live_server: Any, demo: None, request: Any, viewport: Any, role: str
) -> None:
    user = request.getfixturevalue(role)
    page = browser_context(viewport)
    log_in(page, live_server, user.username)
    in_dutch(page)
    # The action with the most figures: a column per metric, the widest of the action pages.
    widest_action = Action.objects.annotate(count=Count("figures")).order_by("-count", "pk").first()
    assert widest_action is not None
    action_page = reverse("reports:action-detail", args=[widest_action.pk])
    for path in [*PAGES, action_page]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.get_attribute("html", "lang") == "nl"
        assert page.locator("table").count() > 0, path
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (path, widths)
        assert page.evaluate(TABLES_TOO_WIDE) == [], path


def test_the_year_reports_project_checkboxes_stay_with_their_labels(
    browser_context: Any, live_server: Any, demo: None, manager: Any
) -> None:
    page = browser_context(PHONE)
    log_in(page, live_server, manager.username)
    page.goto(live_server.url + reverse("reports:year-report", args=[2017]))
    boxes = page.locator(".year-tools input[name=project]")
    assert boxes.count() >= 3
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        # The label's text starts on the checkbox's line, right after it.
        text = boxes.nth(index).locator("xpath=following-sibling::span").bounding_box()
        assert abs(text["y"] + text["height"] / 2 - (box["y"] + box["height"] / 2)) < box["height"]
        assert 0 <= text["x"] - (box["x"] + box["width"]) < 20


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Presses Tab until the element matching the selector has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never received the focus")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_filters_work_with_the_keyboard_alone_and_chips_remove_them(
    browser_context: Any, live_server: Any, demo: None, coordinator: Any, viewport: Any
) -> None:
    page = browser_context(viewport)
    log_in(page, live_server, coordinator.username)
    in_dutch(page)
    page.goto(live_server.url + reverse("reports:action-list"))
    all_actions = page.inner_text("#result-count")

    tab_to(page, "input[name=pes][value=vdab]")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=pes][value=vdab]")
    tab_to(page, "input[name=status][value=completed]")
    page.keyboard.press("Space")
    tab_to(page, "form.filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**pes=vdab*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["pes"] == ["vdab"]
    assert query["status"] == ["completed"]
    assert page.is_checked("input[name=pes][value=vdab]")
    filtered = page.inner_text("#result-count")
    assert filtered != all_actions

    chips = page.locator("#active-filters a.chip")
    assert chips.count() == 2
    assert [chips.nth(index).inner_text().split() for index in range(2)] == [
        ["Status:", "afgerond", "\u00d7"],
        ["Arbeidsbemiddelingsdienst:", "VDAB", "\u00d7"],
    ]
    # Taken off with the keyboard too: the chip is a link.
    tab_to(page, '#active-filters a.chip[aria-label$="VDAB"]')
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "pes=" not in url)
    assert parse_qs(urlsplit(page.url).query) == {"status": ["completed"], "sort": ["date"]}
    assert page.locator("#active-filters a.chip").count() == 1

    page.click("#active-filters .active-filters__clear")
    page.wait_for_url(lambda url: "status=" not in url)
    assert page.locator("#active-filters").count() == 0
    assert page.inner_text("#result-count") == all_actions


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_charts_fit_the_screen_and_a_chart_of_zeros_is_a_sentence(
    browser_context: Any, live_server: Any, demo: None, manager: Any, viewport: Any
) -> None:
    page = browser_context(viewport)
    log_in(page, live_server, manager.username)
    in_dutch(page)
    page.goto(live_server.url + reverse("reports:overview") + "?year=2017")
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 4
    for index in range(canvases.count()):
        canvas = canvases.nth(index)
        assert canvas.is_visible()
        width = canvas.evaluate(
            "c => [c.getBoundingClientRect().width, c.closest('.card').clientWidth]"
        )
        assert 0 < width[0] <= width[1]
    assert page.locator("[data-chart-empty]:visible").count() == 0

    # The staff seminar of 2017 counted nobody: its charts would be blank axes.
    page.goto(
        live_server.url + reverse("reports:overview") + "?year=2017&action_type=staff_seminar"
    )
    assert page.locator(".tile[data-metric=actions] .tile__value").inner_text() == "1"
    assert page.locator("canvas[data-chart]:visible").count() == 0
    sentences = page.locator("[data-chart-empty]:visible")
    assert sentences.count() == 4
    with translation.override("nl"):
        sentence = translation.gettext(
            "Nothing to draw: every figure of this chart is zero in this selection."
        )
    assert [sentences.nth(index).inner_text() for index in range(4)] == [sentence] * 4


def test_the_overviews_filters_work_with_the_keyboard_on_a_phone(
    browser_context: Any, live_server: Any, demo: None, manager: Any
) -> None:
    page = browser_context(PHONE)
    log_in(page, live_server, manager.username)
    in_dutch(page)
    page.goto(live_server.url + reverse("reports:overview") + "?year=2017")
    tab_to(page, "input[name=project][value=grenzeloos-competent]")
    page.keyboard.press("Space")
    tab_to(page, "#overview-filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**project=grenzeloos-competent*")
    query = parse_qs(urlsplit(page.url).query)
    assert query["project"] == ["grenzeloos-competent"]
    assert query["period_from"] == ["2017-S1"]
    assert page.inner_text(".tile[data-metric=starts] .tile__value") == "19"

    tab_to(page, "#active-filters a.chip")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "project=" not in url)
    assert parse_qs(urlsplit(page.url).query) == {
        "period_from": ["2017-S1"],
        "period_to": ["2017-S2"],
    }
    assert page.locator("#active-filters").count() == 0
