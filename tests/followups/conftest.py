from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from crossborder.core.vocabulary import ActionType, ParticipationStatus
from tests.factories import ActionFactory, JobseekerFactory, ParticipationFactory, ProjectFactory


@pytest.fixture
def project(db):
    return ProjectFactory(slug="p", name="Project P")


@pytest.fixture
def left(project, vdab):
    """A participation of a VDAB jobseeker who left a training on a given day (its end)."""
    counter = iter(range(1, 10_000))

    def make(
        day: datetime.date,
        *,
        pes=None,
        action_type: str = ActionType.TRAINING,
        status: str = ParticipationStatus.STARTED,
        reference: str | None = None,
        **values,
    ):
        n = next(counter)
        start = day - datetime.timedelta(days=30)
        action = ActionFactory(
            project=project,
            action_type=action_type,
            reference=f"ACT-{n}",
            start_date=start,
            end_date=day,
        )
        jobseeker = JobseekerFactory(pes=pes or vdab, external_ref=reference or f"JS-{n}")
        return ParticipationFactory(
            action=action,
            jobseeker=jobseeker,
            status=status,
            started_on=None if status == ParticipationStatus.INTERESTED else start,
            **values,
        )

    return make


@pytest.fixture
def client_for():
    """An API client authenticated as the user (anonymous for None)."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
