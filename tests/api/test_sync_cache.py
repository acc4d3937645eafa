"""A sync's page is never served from the API's page cache: it holds back what changed within
the last seconds (SYNC_SAFETY_SECONDS), so a cached copy would keep holding it back after that
time had passed, until the next write."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from tests.factories import ActionFactory, ProjectFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db


@override_settings(SYNC_SAFETY_SECONDS=60)
def test_a_change_held_back_by_the_safety_window_appears_once_it_has_passed(
    vdab, partner_vdab, client_for, monkeypatch
):
    project = ProjectFactory()
    ProjectPartnerFactory(project=project, organisation=vdab)
    action = ActionFactory(project=project)
    action.organisers.add(vdab)
    api = client_for(partner_vdab)
    url = "/api/v1/actions/?changed_since=initial"

    first = api.get(url)
    assert first.status_code == 200
    assert first.json()["results"] == []
    assert not [key for key in cache._cache if "api-page" in str(key)]  # type: ignore[attr-defined]

    later = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second = api.get(url)

    assert second.status_code == 200
    assert [row["id"] for row in second.json()["results"]] == [action.pk]
