from __future__ import annotations

import inspect
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.db.models import Model
from django.utils import translation

from actions.models import ActionEmployer, Figure
from crossborder.core.dataversion import bump_data_version
from crossborder.core.facts import facts_written_for
from crossborder.demo.data import load_demo
from participants.models import Participation
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


@dataclass
class DemoRows:
    """The demo's rows as load_demo makes them: each model's objects (in the order of
    _demo_models) and each many-to-many relation's links."""

    objects: list[tuple[type[Model], list[Model]]]
    links: list[tuple[type[Model], list[Model]]]


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker) -> DemoRows:
    """The demo as loaded by load_demo, once per session, kept for fast reloading."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(with_users=False)
        rows = serializers.serialize(
            "json",
            [obj for model in _demo_models() for obj in model._default_manager.order_by("pk")],
        )
        transaction.set_rollback(True)
    objects: dict[type[Model], list[Model]] = {}
    links: dict[type[Model], list[Model]] = {}
    for row in serializers.deserialize("json", rows):
        model = type(row.object)
        objects.setdefault(model, []).append(row.object)
        for name, ids in (row.m2m_data or {}).items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            links.setdefault(through, []).extend(
                through(
                    **{
                        f"{field.m2m_field_name()}_id": row.object.pk,
                        f"{field.m2m_reverse_field_name()}_id": pk,
                    }
                )
                for pk in ids
            )
    return DemoRows(list(objects.items()), list(links.items()))


@pytest.fixture
def demo(db: None, demo_rows: DemoRows) -> None:
    """The demo data of the parliamentary answer (load_demo without users), for this test.

    Loading it with full validation takes seconds; the rows it makes are inserted raw instead,
    each model's in one statement, with the primary-key sequences moved past them. Bulk inserts
    send no signals: the data version and the rollups' marks are given as the bulk paths give
    them.
    """
    for model, objects in [*demo_rows.objects, *demo_rows.links]:
        model._default_manager.bulk_create(objects)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), _demo_models()):
            cursor.execute(sql)
    bump_data_version()
    facts_written_for(
        obj.action_id  # type: ignore[attr-defined]
        for model, objects in demo_rows.objects
        if model in (Figure, Participation, ActionEmployer)
        for obj in objects
    )


@pytest.fixture
def redis_down() -> Iterator[None]:
    """The shared cache a Redis that is not there (a port on which nothing listens)."""
    pytest.importorskip("redis")
    from django.test import override_settings

    down = {
        "default": {
            "BACKEND": "crossborder.core.cache.SharedCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=down):
        yield


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


# ROLLUP_CROSSCHECK=1 (the PostgreSQL run of .ci/run): every outcomes table a test asks for is
# made as the test asks it, then again from the records and from rollups rebuilt for it (with
# their horizon on the table's day, so that every follow-up settled by then is read from the
# rollup rows), and the three must be the same; the test goes on with the first. The two made
# for the check are not logged, so that the test's query counts hold as without it.
ROLLUP_CROSSCHECK = os.environ.get("ROLLUP_CROSSCHECK") == "1"


def _from_rebuilt_rollups(compute: Any, alias: str, as_of: Any) -> Any:
    from django.test import override_settings
    from django.utils import timezone

    from reports import rollups

    today = timezone.localdate()
    horizon = max(rollups.FIRST_DAY, min(as_of or today, today))
    with transaction.atomic(using=alias):
        point = transaction.savepoint(using=alias)
        try:
            rollups.rebuild(horizon)
            # Made anew: an answer kept in the cache (reports.answers) under the standing of the
            # table being checked, which an answer being made passes on, is no rebuilt rollups'.
            with override_settings(REPORT_ROLLUPS=True, REPORT_ANSWERS_SECONDS=0):
                found = compute()
            # The answer must come from the rollups: none of them may be left marked.
            assert not rollups.lag().marked
            return found
        finally:
            transaction.savepoint_rollback(point, using=alias)


@contextmanager
def _unlogged() -> Iterator[None]:
    """Queries not logged, on every database, not even inside the test's own
    django_assert_num_queries or CaptureQueriesContext (which log by forcing the debug cursor)."""
    forced = {alias: connections[alias].force_debug_cursor for alias in connections}
    for alias in forced:
        connections[alias].force_debug_cursor = False
    try:
        yield
    finally:
        for alias, value in forced.items():
            connections[alias].force_debug_cursor = value


@pytest.fixture(autouse=True)
def _rollup_crosscheck(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if not ROLLUP_CROSSCHECK:
        yield
        return
    from django.test import override_settings

    from reports import selectors

    # Whether this thread is checking a table: _table made from the records calls _run, whose
    # rows that check already covers, so a call within a check is not checked again.
    checking = threading.local()

    def checked(compute: Any) -> Any:
        """`compute` (selectors._table or _run), held to the records' answer and, when they can
        give it, to the rollups' rebuilt."""
        signature = inspect.signature(compute)

        def run(*args: Any, **kwargs: Any) -> Any:
            if getattr(checking, "on", False):
                return compute(*args, **kwargs)
            asked = signature.bind(*args, **kwargs).arguments
            checking.on = True
            try:
                return _checked_once(compute, asked, args, kwargs)
            finally:
                checking.on = False

        return run

    def _checked_once(compute: Any, asked: dict[str, Any], args: Any, kwargs: Any) -> Any:
        answer = compute(*args, **kwargs)
        with _unlogged():
            with override_settings(REPORT_ROLLUPS=False):
                raw = compute(*args, **kwargs)
            assert answer == raw, f"the report differs from the records for {asked['group_by']}"
            if selectors._rollup_eligible(asked["group_by"], asked.get("personal")):
                rolled = _from_rebuilt_rollups(
                    lambda: compute(*args, **kwargs), asked["actions"].db, asked.get("as_of")
                )
                assert rolled == raw, (
                    f"rollups rebuilt differ from the records for {asked['group_by']}"
                )
        return answer

    checked_table, checked_run = checked(selectors._table), checked(selectors._run)
    monkeypatch.setattr(selectors, "_table", checked_table)
    monkeypatch.setattr(selectors, "_run", checked_run)
    yield
