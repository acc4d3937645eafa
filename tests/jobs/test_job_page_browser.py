"""The job's page in a real Chromium under the Content-Security-Policy: its static script asks
the job's status, moves the progress bar while the job runs, and reloads the page when the job
is done, which then offers the file; nothing is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crossborder.jobs.models import Job, JobKind, JobState
from crossborder.jobs.services import job_create, job_done
from tests.browser.test_csp import Watch, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_follows_its_job_until_the_file_is_ready(
    page: Any,
    live_server: Any,
    manager: Any,
) -> None:
    job = job_create(owner=manager, kind=JobKind.YEAR_REPORT, title="Year report", language="en")
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress=40)
    _signed_in(page, live_server, manager)
    watch = Watch(page)

    assert watch.visit(live_server.url + reverse("jobs:detail", args=[job.pk])) == []
    assert page.locator("#job-progress").evaluate("bar => bar.value") == 40

    Job.objects.filter(pk=job.pk).update(progress=70)
    # Asked again within seconds: the bar and its figure move (expect() waits for them).
    expect(page.locator("[data-job-percent]")).to_have_text("70%")
    assert page.locator("#job-progress").evaluate("bar => bar.value") == 70

    job_done(
        job=job,
        message="answer-2017-en.csv is ready.",
        content=b"a,b\r\n",
        filename="answer-2017-en.csv",
        content_type="text/csv; charset=utf-8",
    )
    page.wait_for_selector("a[download]")
    assert page.locator("a[download]").inner_text() == "Download answer-2017-en.csv"
    assert page.locator("#job-progress").evaluate("bar => bar.value") == 100
    assert page.evaluate("window.__violations") == [] and watch.console == []
