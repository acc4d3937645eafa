"""Every kind of page works under the Content-Security-Policy in a real Chromium: no script,
style, image or frame is refused on the dashboards, the year report, the admin (a change page,
a list, the history, a deletion, the import page), the account's pages, the login page, an error
page and the API docs, and each still does its work (the charts are drawn, the API docs list the
endpoints)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Action
from projects.models import Organisation
from tests.factories import JobseekerFactory, ParticipationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded from the first moment of every page: the browser's own report of each refusal.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} refused ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || ""}:${event.lineNumber || ""})`
  );
});
"""

CANVAS_DRAWN = """canvas => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


class Watch:
    """The page's CSP refusals, from its securitypolicyviolation events and its console."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str, status: int = 200) -> list[str]:
        self.console.clear()
        response = self.page.goto(url)
        assert response is not None and response.status == status, (url, response.status)
        assert "Content-Security-Policy" in {name.title() for name in response.headers}, url
        self.page.wait_for_load_state("networkidle")
        return self.page.evaluate("window.__violations") + self.console


def _signed_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_no_page_breaks_the_policy(page: Any, live_server: Any, demo: None, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    watch = Watch(page)
    base = live_server.url

    assert watch.visit(base + reverse("reports:login")) == []

    _signed_in(page, live_server, root)
    # The demo has no jobseekers: one for the admin's pages of personal data.
    action = Action.objects.order_by("pk").first()
    assert action is not None
    participation = ParticipationFactory(
        action=action, jobseeker=JobseekerFactory(pes=Organisation.objects.get(slug="vdab"))
    )
    jobseeker = participation.jobseeker

    assert watch.visit(f"{base}/?year=2017") == []
    charts = page.locator("canvas[data-chart]")
    assert charts.count() == 4
    for index in range(charts.count()):
        assert charts.nth(index).evaluate(CANVAS_DRAWN), f"chart {index} is blank"

    project = action.project.slug
    for url in (
        reverse("reports:project-detail", args=[project]),
        reverse("reports:action-list"),
        reverse("reports:action-detail", args=[action.pk]),
        reverse("admin:index"),
        reverse("admin:actions_action_changelist"),
        reverse("admin:actions_action_change", args=[action.pk]),
        reverse("admin:participants_jobseeker_change", args=[jobseeker.pk]),
        reverse("admin:participants_jobseeker_history", args=[jobseeker.pk]),
        # The project's own admin template: a deletion with its reason.
        reverse("admin:participants_jobseeker_delete", args=[jobseeker.pk]),
        reverse("admin:participants_participation_changelist"),
        reverse("admin:actions_action_import", args=[action.pk, "participations"]),
        # The account's pages: API tokens, and the second factor's setup with its QR code.
        reverse("accounts:tokens"),
        reverse("accounts:two-factor-setup"),
    ):
        assert watch.visit(base + url) == [], url

    assert watch.visit(base + reverse("reports:year-report", args=[2017])) == []
    # The print button is wired by a script file, not an inline handler: it calls print().
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click("button[data-print]")
    assert page.evaluate("window.__printed") is True

    # The error pages, in the site's layout.
    assert watch.visit(base + "/no-such-page/", status=404) == []

    assert watch.visit(base + "/api/v1/docs/") == []
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 10
    assert page.evaluate("window.__violations") == []
    assert watch.console == []


def test_the_watch_sees_an_inline_script_refused(page: Any, live_server: Any, db: None) -> None:
    # The check above is only worth something if a refusal shows: an injected inline script
    # (what an attacker's HTML would be) is refused and reported.
    watch = Watch(page)
    assert watch.visit(live_server.url + reverse("reports:login")) == []
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true;";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("window.__violations")[0].startswith("script-src-elem refused inline")
