"""Honest lists: planned actions whose dates have passed are overdue, never "next"; one wording
for the figures of an unknown PES; one language switcher per page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crossborder.core.periods import semester_of
from crossborder.core.vocabulary import ActionStatus
from tests.factories import ActionFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _planned(project, title: str, start: datetime.date | None, **extra):
    year = start.year if start else extra.pop("year")
    return ActionFactory(
        project=project,
        title=title,
        status=ActionStatus.PLANNED,
        start_date=start,
        year=year,
        semester=str(semester_of(start)) if start else extra.pop("semester", ""),
        **extra,
    )


@pytest.fixture
def lists():
    """One project with two planned actions past (2018, one known only by its year) and one to
    come next year, and a completed one."""
    project = ProjectFactory(slug="grenzeloos", name="Grenzeloos")
    next_year = timezone.localdate().year + 1
    _planned(project, "Jobdating Menen", datetime.date(2018, 3, 1))
    _planned(project, "Bus to Lille", None, year=2018)
    _planned(project, "Jobdating Kortrijk", datetime.date(next_year, 5, 4))
    ActionFactory(project=project, title="Done", start_date=datetime.date(2018, 2, 1))
    return project


def test_the_overview_lists_past_planned_actions_apart_as_overdue(client, manager, lists):
    client.force_login(manager)

    response = client.get(reverse("reports:overview") + "?year=2018")

    planned = response.context["planned"]
    assert [a.title for a in planned.upcoming] == ["Jobdating Kortrijk"]
    assert [a.title for a in planned.overdue] == ["Bus to Lille", "Jobdating Menen"]
    assert planned.overdue_count == 2
    page = response.content.decode()
    upcoming = page[page.index('id="planned-upcoming"') : page.index('id="planned-overdue-title"')]
    assert "Jobdating Kortrijk" in upcoming
    assert "Jobdating Menen" not in upcoming
    assert "2 planned actions of this period are past their dates" in page
    assert f'href="{reverse("reports:data-quality")}#quality-overdue_actions"' in page


def test_the_overview_counts_every_overdue_action_beyond_those_listed(client, manager, lists):
    for day in range(1, 11):
        _planned(lists, f"Late {day}", datetime.date(2019, 1, day))
    client.force_login(manager)

    planned = client.get(reverse("reports:overview") + "?year=2018").context["planned"]

    assert len(planned.overdue) == 8
    assert planned.overdue_count == 12


def test_without_overdue_actions_the_overview_says_nothing_of_them(client, manager):
    project = ProjectFactory()
    _planned(project, "Soon", datetime.date(timezone.localdate().year + 1, 1, 10))
    client.force_login(manager)

    response = client.get(reverse("reports:overview") + f"?year={timezone.localdate().year}")

    assert response.context["planned"].overdue_count == 0
    assert 'id="planned-overdue' not in response.content.decode()


def test_a_partner_sees_the_overdue_count_without_the_data_quality_link(
    client, partner_vdab, lists
):
    client.force_login(partner_vdab)

    page = client.get(reverse("reports:overview") + "?year=2018").content.decode()

    assert "2 planned actions of this period are past their dates" in page
    assert "#quality-overdue_actions" not in page


def test_the_project_page_counts_its_overdue_actions_and_links_to_the_list(client, manager, lists):
    client.force_login(manager)

    page = client.get(reverse("reports:project-detail", args=["grenzeloos"])).content.decode()

    assert "2 actions are past their end and still planned or ongoing." in page
    assert "/quality/?project=grenzeloos#quality-overdue_actions" in page


def test_the_action_page_marks_an_overdue_action_only(client, manager, lists):
    client.force_login(manager)
    past = lists.actions.get(title="Jobdating Menen")
    coming = lists.actions.get(title="Jobdating Kortrijk")
    done = lists.actions.get(title="Done")

    def marked(action) -> bool:
        page = client.get(reverse("reports:action-detail", args=[action.pk])).content.decode()
        return 'id="action-overdue"' in page

    assert [marked(past), marked(coming), marked(done)] == [True, False, False]


def test_the_data_quality_list_names_the_same_overdue_actions(client, manager, lists):
    client.force_login(manager)

    quality = client.get(reverse("reports:data-quality") + "?project=grenzeloos")

    section = next(s for s in quality.context["quality"].sections if s.code == "overdue_actions")
    assert section.count == 2


def test_one_wording_for_the_unknown_pes_on_pages_and_downloads(demo, client, manager):
    client.force_login(manager)
    pages = [
        client.get(reverse("reports:year-report", args=[2018])),
        client.get(reverse("reports:year-report", args=[2018]) + "?format=csv"),
        client.get(reverse("reports:overview") + "?year=2017"),
    ]

    texts = [b"".join(page.streaming_content) if page.streaming else page.content for page in pages]
    # The year report's CSV holds its rows as data: no PES is an empty cell there.
    assert [b"unknown PES" in text for text in texts] == [True, False, True]
    assert not any(b"PES unknown" in text for text in texts)


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_the_year_report_has_one_language_switcher(demo, client, manager, language):
    client.force_login(manager)

    response = client.get(
        reverse("reports:year-report", args=[2018]), HTTP_ACCEPT_LANGUAGE=language
    )

    page = response.content.decode()
    assert page.count('class="language-switcher"') == 1
    assert response.context["sheet"].lang == language
    # Its links keep the page in the site's language; a download names it.
    assert f'href="{reverse("reports:year-report", args=[2019])}"' in page
    assert f"lang={language}&amp;format=csv" in page or f"format=csv&amp;lang={language}" in page
