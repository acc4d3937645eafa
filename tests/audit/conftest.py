from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.test import APIClient

from crossborder.audit.models import ReadEvent
from tests.factories import JobseekerFactory, UserFactory


@pytest.fixture
def superuser(db: None):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def jobseekers(vdab):
    """Three jobseekers of VDAB, by family name."""
    return [
        JobseekerFactory(pes=vdab, given_name="Anna", family_name=name)
        for name in ("Aerts", "Bogaert", "Claes")
    ]


@pytest.fixture
def api_client() -> Callable[[AbstractBaseUser | None], APIClient]:
    def make(user: AbstractBaseUser | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def recorded() -> list[tuple[str, str, str, list[int]]]:
    """Every read recorded, oldest first: (username, kind, path, jobseeker ids)."""
    return [
        (
            event.username,
            event.kind,
            event.path,
            sorted(event.jobseekers.values_list("jobseeker_id", flat=True)),
        )
        for event in ReadEvent.objects.order_by("pk")
    ]
