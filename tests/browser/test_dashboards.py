"""A manager's way through the dashboards in a real Chromium: log in, read the overview with its
charts drawn, filter, switch to French and to Dutch, open a project and an action."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from reports.selectors import outcomes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Whether a canvas has any pixel that is not fully transparent: Chart.js drew something.
CANVAS_DRAWN = """canvas => {
  const context = canvas.getContext('2d');
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


def log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(live_server.url + reverse("reports:overview"))
    # Anonymous: sent to the dashboards' own login page.
    assert reverse("reports:login") in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "secret-password")
    page.click("form.stacked-form button[type=submit]")
    page.wait_for_url(live_server.url + reverse("reports:overview") + "*")


def tile(page: Any, name: str) -> str:
    return page.inner_text(f".tile[data-metric={name}] .tile__value").strip()


def test_a_manager_reads_filters_and_translates_the_dashboards(
    page: Any, live_server: Any, demo: None, manager: Any
) -> None:
    log_in(page, live_server, manager.username)

    page.goto(f"{live_server.url}/?year=2017")
    assert page.inner_text("h1") == "Overview 2017"
    assert tile(page, "placements") == "9"
    assert tile(page, "hires") == "9"
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 4
    for index in range(canvases.count()):
        assert canvases.nth(index).evaluate(CANVAS_DRAWN), f"chart {index} is blank"
    if os.environ.get("SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

    # One project only: the figures change to those of Grenzeloos Competent.
    starts_before = tile(page, "starts")
    page.check("input[name=project][value=grenzeloos-competent]")
    page.click("#overview-filters button[type=submit]")
    page.wait_for_url("**project=grenzeloos-competent*")
    competent = outcomes(filters={"year": 2017, "project": "grenzeloos-competent"}).totals
    assert tile(page, "actions") == str(competent["actions"])
    assert tile(page, "starts") == str(competent["starts"]) == "19"
    assert tile(page, "starts") != starts_before

    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Vue d\u2019ensemble 2017"
    assert "Compétences sans frontières" in page.inner_text("#id_project")
    assert page.get_attribute("html", "lang") == "fr"

    page.click("button[name=language][value=nl]")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Overzicht 2017"
    assert tile(page, "starts") == "19"

    page.goto(
        live_server.url + reverse("reports:project-detail", args=["grenzeloos-tewerkstellen"])
    )
    assert page.inner_text("h1") == "Grenzeloos Tewerkstellen"
    for index in range(page.locator("canvas[data-chart]").count()):
        assert page.locator("canvas[data-chart]").nth(index).evaluate(CANVAS_DRAWN)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "project.png"), full_page=True)

    page.click("text=Jobdating Veurne")
    page.wait_for_url("**/actions/*/")
    assert page.inner_text("h1") == "Jobdating Veurne"
    pes_table = page.inner_text("#pes-table")
    assert "VDAB" in pes_table
    assert "onbekende arbeidsbemiddelingsdienst" in pes_table
    assert page.inner_text("#pes-table tfoot").split() == ["Totaal", "46", "7"]
