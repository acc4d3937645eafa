"""axe-core on every kind of page in a real Chromium: the dashboards, the year report, the
data-quality and periods pages, the account's tokens, the login page, an error page and the
admin (index, a list, a change page, the import page), in Dutch, French and English, on a phone
(390x844) and a desktop (1280x800), for a coordinator, and in French for a manager (a subset, to
keep the run short; the admin's addresses show a manager the admin's login page). No violation
of impact serious or critical is allowed; the failure lists every one with its page, language,
width and role. Keyboard-only use of the language switch and of the admin's import is checked too.

axe is vendored (tests/browser/vendor/axe.min.js, see the README there). The site's
Content-Security-Policy allows only scripts from its own origin, so an inline <script> with
axe's source (what ``add_script_tag(path=...)`` writes) is refused. Instead the browser is told to
answer one address of the live server with the vendored file, and axe is added by that URL: the
policy stays on, and the pages are checked as users get them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Action
from tests.participants.test_imports import HEADER, csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_PATH = "/__axe__/axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Each language with the browser's locale of its users (the date inputs' format follows it).
LOCALES = {"nl": "nl-BE", "fr": "fr-BE", "en": "en-GB"}
LANGUAGES = tuple(LOCALES)
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
# The README's screenshots taken here (the desktop overview and project: test_dashboards.py).
SHOTS = {
    ("overview", "phone"): "overview-phone.png",
    ("project", "phone"): "project-phone.png",
    ("action list", "phone"): "action-list-phone.png",
    ("action list", "desktop"): "action-list.png",
    ("year report", "phone"): "year-report-phone.png",
    ("year report", "desktop"): "year-report.png",
}

# Runs axe on the whole document with its WCAG 2.x A and AA rules and best practices; returns
# one line per failing node of a serious or critical violation.
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    resultTypes: ["violations"],
  });
  const lines = [];
  for (const violation of result.violations) {
    if (!["serious", "critical"].includes(violation.impact)) continue;
    for (const node of violation.nodes) {
      lines.push(`${violation.id} (${violation.impact}): ${node.target.join(" ")}`);
    }
  }
  return lines;
}"""


def _session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _pages(action: Action) -> dict[str, tuple[str, int]]:
    """Each page checked: its name in the failure message, its address and expected status."""
    return {
        "overview": (reverse("reports:overview") + "?year=2017", 200),
        "project": (reverse("reports:project-detail", args=[action.project.slug]), 200),
        "action list": (reverse("reports:action-list") + "?year=2017", 200),
        "action": (reverse("reports:action-detail", args=[action.pk]), 200),
        "year report": (reverse("reports:year-report", args=[2017]), 200),
        "data quality": (reverse("reports:data-quality"), 200),
        "periods": (reverse("reports:periods"), 200),
        "tokens": (reverse("accounts:tokens"), 200),
        "404": ("/no-such-page/", 404),
        "admin index": (reverse("admin:index"), 200),
        "admin list": (reverse("admin:actions_action_changelist"), 200),
        "admin change": (reverse("admin:actions_action_change", args=[action.pk]), 200),
        "admin import": (
            reverse("admin:actions_action_import", args=[action.pk, "participations"]),
            200,
        ),
    }


class Checker:
    """One browser context per language and width, signed in or not, with axe at hand."""

    def __init__(self, browser: Any, base: str) -> None:
        self.browser = browser
        self.base = base

    def context(self, language: str, width: str, session: str | None) -> Any:
        columns, rows = WIDTHS[width]
        context = self.browser.new_context(
            viewport={"width": columns, "height": rows}, locale=LOCALES[language]
        )
        cookies = [{"name": "django_language", "value": language, "url": self.base}]
        if session is not None:
            cookies.append({"name": "sessionid", "value": session, "url": self.base})
        context.add_cookies(cookies)
        context.route(
            self.base + AXE_PATH,
            lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
        )
        context.set_default_timeout(15_000)
        return context

    def violations(self, page: Any, url: str, status: int) -> list[str]:
        response = page.goto(self.base + url)
        assert response is not None, url
        if response.status != status:
            return [f"answered {response.status}, not {status}"]
        page.wait_for_load_state("networkidle")
        page.add_script_tag(url=self.base + AXE_PATH)
        return page.evaluate(RUN_AXE)


@pytest.fixture
def checker(browser: Any, live_server: Any) -> Checker:
    return Checker(browser, live_server.url)


@pytest.fixture
def first_action(demo: None) -> Action:
    action = Action.objects.order_by("pk").first()
    assert action is not None
    return action


# Every page in the three languages at both widths for a coordinator (who reaches the admin);
# for a manager in French only, whose long words overflow first: the whole matrix twice took
# over four minutes on a two-core machine.
CASES = [("coordinator", language) for language in LANGUAGES] + [("manager", "fr")]


@pytest.mark.parametrize(("role", "language"), CASES)
def test_no_serious_or_critical_violation(
    checker: Checker, first_action: Action, request: pytest.FixtureRequest, role: str, language: str
) -> None:
    user = request.getfixturevalue(role)
    pages = _pages(first_action)
    session = _session_cookie(user)
    found: list[str] = []
    for width in WIDTHS:
        context = checker.context(language, width, session)
        page = context.new_page()
        for name, (url, status) in pages.items():
            found += [
                f"{name} [{language}, {width}, {role}] {line}"
                for line in checker.violations(page, url, status)
            ]
            shot = SHOTS.get((name, width))
            if shot and (language, role) == ("en", "coordinator") and os.environ.get("SCREENSHOTS"):
                # A desktop's whole page; a phone's first two screens (its whole page is
                # ten screens or more, too long to show beside the desktop's).
                columns, rows = WIDTHS[width]
                clip = {"x": 0, "y": 0, "width": columns, "height": 2 * rows}
                page.screenshot(
                    path=str(SCREENSHOTS / shot),
                    full_page=True,
                    clip=clip if width == "phone" else None,
                )
        context.close()
        if role == "manager":
            continue
        anonymous = checker.context(language, width, None)
        found += [
            f"login [{language}, {width}, anonymous] {line}"
            for line in checker.violations(anonymous.new_page(), reverse("reports:login"), 200)
        ]
        anonymous.close()
    assert found == [], "\n" + "\n".join(found)


def _tab_to(page: Any, selector: str, most: int = 60) -> None:
    """Press Tab until the element matching selector has the focus, as a keyboard user does."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached in {most} presses of Tab")


def test_the_language_switch_works_with_the_keyboard(
    checker: Checker, demo: None, manager: Any
) -> None:
    context = checker.context("en", "phone", _session_cookie(manager))
    page = context.new_page()
    page.goto(checker.base + reverse("reports:overview") + "?year=2017")
    assert page.get_attribute("html", "lang") == "en"
    _tab_to(page, "button[name=language][value=fr]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("h1") == "Vue d\u2019ensemble 2017"
    _tab_to(page, "button[name=language][value=nl]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "nl"
    assert page.inner_text("h1") == "Overzicht 2017"
    context.close()


def test_the_admins_import_works_with_the_keyboard(
    checker: Checker, first_action: Action, coordinator: Any, tmp_path: Path
) -> None:
    # Individual records only where the PES gave no aggregate figures for the action.
    first_action.figures.filter(pes__slug="vdab").delete()
    assert first_action.start_date is not None
    started_on = first_action.start_date.strftime("%d/%m/%Y")
    rows: list[list[object]] = [
        list(HEADER),
        ["vdab", "V-900", "Zoë", "Keyboard", "started", started_on, ""],
    ]
    upload = tmp_path / "participants.csv"
    upload.write_bytes(csv_file(rows, delimiter=";", encoding="utf-8"))
    before = first_action.participations.count()
    context = checker.context("en", "desktop", _session_cookie(coordinator))
    page = context.new_page()
    page.goto(
        checker.base
        + reverse("admin:actions_action_import", args=[first_action.pk, "participations"])
    )
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "admin-import.png"), full_page=True)
    # The file input opens the file chooser on Space; the chooser itself is the system's.
    _tab_to(page, "input[type=file][name=file]")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(upload))
    _tab_to(page, "input[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#import-problems").count() == 0, page.inner_text("#import-problems")
    assert len(page.locator("#import-preview tbody tr").all()) == 1
    _tab_to(page, "input[type=submit][name=confirm]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/actions/action/*/change/")
    assert "Imported participants.csv" in page.inner_text(".messagelist")
    assert first_action.participations.count() == before + 1
    context.close()
