from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from tests.conftest import _user_with_role
from tests.factories import PesFactory, UserFactory


@pytest.fixture(autouse=True)
def default_language():
    """A request with Accept-Language leaves its language active in the thread (LocaleMiddleware
    does not reset it): put the default back so no later test reads another language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """No page cached by an earlier test: the data version lives in the database, which each
    test rolls back, while the cache lives in the process."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for() -> Callable[[AbstractBaseUser | None], APIClient]:
    """An API client authenticated as the user (anonymous for None)."""

    def make(user: AbstractBaseUser | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def superuser(db: None):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def partner_pole_emploi(db: None):
    return _user_with_role("partner", PesFactory(slug="pole-emploi"), username="partner-pe")
