from __future__ import annotations

import datetime

import pytest

PASSWORD = "secret-password"


@pytest.fixture
def axes(settings):
    """django-axes on (the test settings turn it off for the test client's login()), with a
    limit of three failures and half an hour of cool-off."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
    return settings


@pytest.fixture
def two_factor_required(settings):
    """The second factor required, as in production (the tests run with DEBUG, where it is off),
    of the default roles."""
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_ROLES = ["superuser", "staff", "coordinator"]
    return settings
