from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import translation

from crossborder.demo.data import load_demo
from projects.roles import COORDINATOR, MANAGER, PARTNER
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import MembershipFactory, PesFactory, UserFactory


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language: a request in Dutch or French leaves
    its language active in the thread, and a later test would read its messages translated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


DEMO_APPS = ("projects", "actions", "participants")


def _demo_models() -> list:
    return [
        model
        for label in DEMO_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.label.split(".")[1].startswith("Historical")
    ]


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker) -> str:
    """The demo as loaded by load_demo, once per session, serialised for fast reloading."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(with_users=False)
        rows = serializers.serialize(
            "json",
            [obj for model in _demo_models() for obj in model._default_manager.order_by("pk")],
        )
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def demo(db: None, demo_rows: str) -> None:
    """The demo data of the parliamentary answer (load_demo without users), for this test.

    Loading it with full validation takes seconds; the rows it makes are loaded raw instead,
    like loaddata, with the primary-key sequences moved past them.
    """
    for row in serializers.deserialize("json", demo_rows):
        row.save()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), _demo_models()):
            cursor.execute(sql)


@pytest.fixture
def vdab(db: None):
    return PesFactory(slug="vdab")


@pytest.fixture
def le_forem(db: None):
    return PesFactory(slug="le-forem")


@pytest.fixture
def pole_emploi(db: None):
    return PesFactory(slug="pole-emploi")


def _user_with_role(role: str, organisation, **extra):
    user = UserFactory(**extra)
    user.groups.add(Group.objects.get(name=role))
    MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def coordinator(vdab):
    return _user_with_role(COORDINATOR, vdab, username="coordinator-vdab", is_staff=True)


@pytest.fixture
def manager(vdab):
    return _user_with_role(MANAGER, vdab, username="manager-vdab")


@pytest.fixture
def partner_vdab(vdab):
    return _user_with_role(PARTNER, vdab, username="partner-vdab")


@pytest.fixture
def partner_le_forem(le_forem):
    return _user_with_role(PARTNER, le_forem, username="partner-le-forem")


@pytest.fixture
def stranger(db: None):
    """A logged-in user with no role and no organisation."""
    return UserFactory(username="stranger")


# The browser tests' Chromium (tests/browser/conftest.py says how it is launched): one per
# worker for the whole session, whichever package a browser test is in.
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's database calls
    # from the test itself are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
