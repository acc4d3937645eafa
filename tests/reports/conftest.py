"""Fixtures shared by the tests of the reports' kept answers."""

from __future__ import annotations

import datetime

import pytest

from reports import rollups
from tests.factories import ActionFactory, FigureFactory, JobseekerFactory, ParticipationFactory


@pytest.fixture
def jobdatings(project, vdab, le_forem):
    """Two jobdatings of `project` (the module's) done long ago, with records of VDAB and a
    figure of Le Forem, the rollups built."""
    actions = [
        ActionFactory(project=project, start_date=datetime.date(2017, 11, day)) for day in (20, 28)
    ]
    for _n in range(2):
        ParticipationFactory(action=actions[0], jobseeker=JobseekerFactory(pes=vdab))
    FigureFactory(action=actions[1], pes=le_forem, value=5)
    rollups.rebuild()
    return actions
