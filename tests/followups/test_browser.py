"""The follow-ups' worklist in a real browser: no serious accessibility violation (axe) at a
phone's and a desktop's width, nothing the Content-Security-Policy refuses, and a follow-up
filled in on its row with the keyboard."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participation
from tests.browser.test_accessibility import Checker, _session_cookie
from tests.browser.test_csp import Watch, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = reverse("reports:follow-ups")


@pytest.fixture
def rows(left):
    today = timezone.localdate()
    return [left(today - datetime.timedelta(days=days), reference=f"VD-{days}") for days in (5, 40)]


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_no_serious_accessibility_violation(
    browser: Any, live_server: Any, coordinator, rows, width
):
    checker = Checker(browser, live_server.url)
    context = checker.context("en", width, _session_cookie(coordinator))
    try:
        tab = context.new_page()
        assert checker.violations(tab, LIST, 200) == []
    finally:
        context.close()


def test_a_follow_up_is_filled_in_without_breaking_the_policy(
    page: Any,
    live_server: Any,
    coordinator,
    rows,
):
    watch = Watch(page)
    _signed_in(page, live_server, coordinator)
    assert watch.visit(live_server.url + LIST) == []
    record = rows[0]
    row = page.locator(f'tr[data-participation="{record.pk}"][data-kind="on_leaving"]')
    row.locator('select[name="situation"]').select_option("education")
    row.locator('select[name="source"]').select_option("survey")
    row.locator('button[type="submit"]').press("Enter")
    page.wait_for_url(f"**{LIST}*")
    assert "Recorded: on leaving of VD-5" in page.locator("#messages").inner_text()
    stored = Participation.objects.get(pk=record.pk)
    assert (stored.leaving_situation, stored.leaving_source, stored.leaving_checked_on) == (
        "education",
        "survey",
        timezone.localdate(),
    )
    assert page.evaluate("window.__violations") + watch.console == []
