"""Login protection: after AXES_FAILURE_LIMIT wrong passwords a user name is locked out from the
address they came from, on the site's login and the admin's, until the cool-off has passed or
a superuser lifts it; the lockout is recorded."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from crossborder.accounts.security import client_ip
from crossborder.accounts.views import locked_out
from crossborder.settings import env_duration_minutes
from tests.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"
LOCKED_MESSAGE = (
    "Too many failed logins for this user name from your address. Try again in 30 minutes, "
    "or ask an administrator to unlock the account."
)
SITE = "reports:login"
ADMIN = "admin:login"


def log_in(client, url_name: str, username: str, password: str, address: str = ATTACKER):
    return client.post(
        reverse(url_name), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, url_name: str, username: str, times: int, address: str = ATTACKER):
    return [log_in(client, url_name, username, "wrong", address) for _ in range(times)]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url_name", [SITE, ADMIN])
def test_the_failure_limit_locks_the_right_password_out(client, axes, coordinator, url_name):
    first, second, third = fail(client, url_name, "coordinator-vdab", 3)
    assert [first.status_code, second.status_code] == [200, 200]
    assert third.status_code == 429

    response = log_in(client, url_name, "coordinator-vdab", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("url_name", [SITE, ADMIN])
def test_the_lockout_page_is_the_sites_own(client, axes, coordinator, url_name):
    response = fail(client, url_name, "coordinator-vdab", 3)[-1]

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert '<a class="brand"' in response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_below_the_limit_the_right_password_logs_in_and_clears_the_failures(
    client, axes, coordinator
):
    fail(client, SITE, "coordinator-vdab", 2)

    response = log_in(client, SITE, "coordinator-vdab", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)
    assert not AccessAttempt.objects.exists()


def test_the_right_password_is_accepted_once_the_cool_off_has_passed(client, axes, coordinator):
    fail(client, SITE, "coordinator-vdab", 3)
    # The last failure half an hour and a minute ago: the cool-off has passed.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))

    response = log_in(client, SITE, "coordinator-vdab", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_try_while_locked_starts_the_wait_again(client, axes, coordinator):
    fail(client, SITE, "coordinator-vdab", 3)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=29))
    log_in(client, SITE, "coordinator-vdab", PASSWORD)
    # 29 minutes after the lockout a try came in: the half hour counts from it.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=29))

    assert log_in(client, SITE, "coordinator-vdab", PASSWORD).status_code == 429


@pytest.mark.parametrize("command", [["axes_reset"], ["axes_reset_username", "coordinator-vdab"]])
def test_a_reset_by_command_lifts_the_lockout(client, axes, coordinator, command):
    fail(client, ADMIN, "coordinator-vdab", 3)

    call_command(*command)

    response = log_in(client, ADMIN, "coordinator-vdab", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_superuser_lifts_the_lockout_in_the_admin(client, axes, coordinator):
    fail(client, SITE, "coordinator-vdab", 3)
    attempt = AccessAttempt.objects.get()
    admin_client = type(client)()
    admin_client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert "coordinator-vdab" in listing.content.decode()
    assert deleted.status_code == 302
    assert log_in(client, SITE, "coordinator-vdab", PASSWORD).status_code == 302


def test_the_lockout_is_recorded_and_logged(client, axes, coordinator, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        fail(client, SITE, "coordinator-vdab", 3)

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "coordinator-vdab",
        ATTACKER,
        3,
    )
    assert attempt.path_info == reverse(SITE)
    # The password typed is never kept.
    assert "wrong" not in attempt.post_data
    assert (
        AccessFailureLog.objects.filter(username="coordinator-vdab", ip_address=ATTACKER).count()
        == 3
    )
    assert any(
        "Locking out" in record.getMessage()
        and "coordinator-vdab" in record.getMessage()
        and ATTACKER in record.getMessage()
        for record in caplog.records
    )


def test_the_attempts_are_for_superusers_only_in_the_admin(client, axes, coordinator):
    client.force_login(coordinator)

    for name in ("accessattempt", "accessfailurelog", "accesslog"):
        assert client.get(reverse(f"admin:axes_{name}_changelist")).status_code == 403


def test_the_lockout_holds_a_user_name_and_an_address_together(client, axes, coordinator, manager):
    """Someone trying passwords for a colleague's name does not lock the colleague out from
    elsewhere, nor lock out the other users of their own address."""
    fail(client, SITE, "coordinator-vdab", 3)

    from_elsewhere = log_in(type(client)(), SITE, "coordinator-vdab", PASSWORD, ELSEWHERE)
    other_user = log_in(type(client)(), SITE, "manager-vdab", PASSWORD, ATTACKER)

    assert (from_elsewhere.status_code, other_user.status_code) == (302, 302)


def test_an_unknown_user_name_is_locked_out_too(client, axes):
    responses = fail(client, SITE, "nobody", 3)

    assert [r.status_code for r in responses] == [200, 200, 429]


def test_without_a_trusted_proxy_the_forwarded_address_is_ignored(client, axes, coordinator):
    responses = [
        client.post(
            reverse(SITE),
            {"username": "coordinator-vdab", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        for n in range(3)
    ]

    assert responses[-1].status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1"),
        (1, "192.0.2.1", "192.0.2.1"),
        # The client wrote the first entry itself: only the proxy's is trusted.
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "6.6.6.6, 192.0.2.1, 10.1.1.1", "192.0.2.1"),
        # Fewer entries than proxies: the leftmost there is.
        (2, "192.0.2.1", "192.0.2.1"),
        (1, "", "10.0.0.1"),
        (1, " , ", "10.0.0.1"),
    ],
)
def test_the_client_address_behind_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_a_lockout_without_cool_off_waits_for_an_administrator(axes):
    axes.AXES_COOLOFF_TIME = None
    request = RequestFactory().post(reverse(SITE))
    request.user = AnonymousUser()

    response = locked_out(request)

    assert response.status_code == 429
    assert "Ask an administrator to unlock the account." in response.content.decode()


def test_a_lockout_on_the_api_is_json(axes):
    response = locked_out(RequestFactory().post("/api/v1/anything/"))

    assert response.status_code == 429
    assert json.loads(response.content) == {"detail": LOCKED_MESSAGE}


@pytest.mark.parametrize(
    ("value", "minutes"), [("", 30), ("45", 45), ("45m", 45), ("2h", 120), ("0.5h", 30), ("0", 0)]
)
def test_the_cool_off_is_read_in_minutes_or_hours(monkeypatch, value, minutes):
    monkeypatch.setenv("AXES_COOLOFF_TIME", value)

    assert env_duration_minutes("AXES_COOLOFF_TIME", "30") == minutes


@pytest.mark.parametrize("value", ["soon", "-5", "2d", "h"])
def test_a_cool_off_that_is_no_duration_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("AXES_COOLOFF_TIME", value)

    with pytest.raises(ImproperlyConfigured, match="AXES_COOLOFF_TIME"):
        env_duration_minutes("AXES_COOLOFF_TIME", "30")
