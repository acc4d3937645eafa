"""The second factor of staff: with TWO_FACTOR_REQUIRED, superusers, staff and coordinators who
signed in with their password reach nothing but the pages that verify or set up their second
factor; a code from the authenticator or a recovery code, each accepted once, opens the rest."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import django_otp
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossborder.accounts.two_factor import (
    authenticator_confirm,
    authenticator_start,
    second_factor_verify,
)
from crossborder.demo.data import DEMO_PASSWORD, load_demo
from tests.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

ADMIN = "/admin/"
SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")
MANAGE = reverse("accounts:two-factor")
NOT_VALID = "This code is not valid, or it was used already."
FORMAT = (
    "A code is the 6 digits shown by your authenticator app, or one of your recovery codes "
    "(8 letters and digits)."
)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the device does not accept now (it accepts one step either side)."""
    accepted = {f"{totp(device.bin_key, t0=offset * device.step):06d}" for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def with_second_factor(user) -> tuple[TOTPDevice, list[str]]:
    """Set up the user's authenticator as the setup page does; its recovery codes."""
    device = authenticator_start(user=user)
    codes = authenticator_confirm(user=user, code=current_code(device))
    assert codes is not None
    device.refresh_from_db()
    # The code that confirmed it may not be used again: the tests sign in a step later.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=device.last_t - 2)
    device.refresh_from_db()
    return device, codes


def unthrottle() -> None:
    """Forget the wait after a wrong code (1, 2, 4 ... seconds), as time passing would."""
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    TOTPDevice.objects.update(throttling_failure_timestamp=long_ago)
    StaticDevice.objects.update(throttling_failure_timestamp=long_ago)


def verify(client, code: str, next_url: str = ADMIN):
    return client.post(VERIFY, {"code": code, "next": next_url})


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("who", ["coordinator", "superuser"])
def test_staff_without_a_second_factor_reach_only_its_setup(
    client, two_factor_required, who, request
):
    client.force_login(request.getfixturevalue(who))

    admin = client.get(ADMIN)
    page = client.get(reverse("reports:action-list"))
    api = client.get("/api/v1/actions/")

    assert admin.status_code == 302
    assert admin["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    assert page["Location"] == f"{SETUP}?next=%2Factions%2F"
    assert api.status_code == 403
    assert json.loads(api.content) == {
        "detail": "Sign in with your second factor on the site first."
    }
    assert client.get(SETUP).status_code == 200


def test_logging_in_with_the_password_alone_opens_nothing(client, two_factor_required, coordinator):
    with_second_factor(coordinator)

    response = client.post(
        reverse("reports:login"),
        {"username": "coordinator-vdab", "password": PASSWORD, "next": ADMIN},
        follow=True,
    )

    assert response.redirect_chain[-1] == (f"{VERIFY}?next=%2Fadmin%2F", 302)
    assert client.get(ADMIN)["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get("/api/v1/actions/").status_code == 403


def test_the_admins_own_login_leads_to_the_second_factor_too(
    client, two_factor_required, coordinator
):
    with_second_factor(coordinator)

    response = client.post(
        reverse("admin:login"),
        {"username": "coordinator-vdab", "password": PASSWORD, "next": ADMIN},
        follow=True,
    )

    assert response.redirect_chain[-1] == (f"{VERIFY}?next=%2Fadmin%2F", 302)


def test_setting_up_the_authenticator(client, two_factor_required, coordinator):
    client.force_login(coordinator)

    page = client.get(SETUP)
    device = TOTPDevice.objects.get(user=coordinator)
    qr = client.get(reverse("accounts:two-factor-qr"))
    wrong = client.post(SETUP, {"code": wrong_code(device), "next": ADMIN})
    unthrottle()
    right = client.post(SETUP, {"code": current_code(device), "next": ADMIN})

    assert not device.confirmed
    assert page.context["key"].replace(" ", "") in device.config_url
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content
    assert "This code is not valid." in wrong.content.decode()
    assert right.status_code == 200
    codes = right.context["codes"]
    assert len(codes) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == codes
    assert TOTPDevice.objects.get(user=coordinator).confirmed
    assert client.get(ADMIN).status_code == 200
    # The key of a confirmed authenticator is never shown again.
    assert client.get(reverse("accounts:two-factor-qr")).status_code == 404
    assert client.get(SETUP)["Location"] == MANAGE


def test_reloading_the_setup_page_keeps_the_key_the_app_scanned(
    client, two_factor_required, coordinator
):
    client.force_login(coordinator)

    first = client.get(SETUP).context["key"]
    second = client.get(SETUP).context["key"]

    assert first == second
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_the_setup_takes_a_code_of_the_app_only(client, two_factor_required, coordinator):
    client.force_login(coordinator)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "abcdefgh"})

    assert "Enter the 6 digits shown by your authenticator app." in response.content.decode()
    assert not TOTPDevice.objects.get(user=coordinator).confirmed


def test_a_right_code_opens_the_admin_and_the_session_gets_a_new_key(
    client, two_factor_required, coordinator
):
    device, _codes = with_second_factor(coordinator)
    client.force_login(coordinator)
    before = client.session.session_key

    response = verify(client, current_code(device))

    assert response.status_code == 302
    assert response["Location"] == ADMIN
    assert client.session.session_key != before
    assert client.get(ADMIN).status_code == 200


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("abcdef", FORMAT),
        ("12345", FORMAT),
        ("1234567", FORMAT),
        ("<script>", FORMAT),
        ("", "Enter the code shown by your authenticator app."),
        ("   ", "Enter the code shown by your authenticator app."),
        ("x" * 33, "Ensure this value has at most 32 characters (it has 33)."),
    ],
)
def test_a_code_that_is_no_code_is_refused(client, two_factor_required, coordinator, code, message):
    with_second_factor(coordinator)
    client.force_login(coordinator)

    response = verify(client, code)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_a_wrong_code_is_refused_then_the_wait_is_named(client, two_factor_required, coordinator):
    device, _codes = with_second_factor(coordinator)
    client.force_login(coordinator)

    wrong = verify(client, wrong_code(device))
    TOTPDevice.objects.update(
        throttling_failure_count=6, throttling_failure_timestamp=timezone.now()
    )
    throttled = verify(client, current_code(device))

    assert NOT_VALID in wrong.content.decode()
    assert "Too many wrong codes: wait" in throttled.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_a_code_is_accepted_once(client, two_factor_required, coordinator):
    device, _codes = with_second_factor(coordinator)
    code = current_code(device)
    client.force_login(coordinator)
    assert verify(client, code).status_code == 302

    client.post(reverse("reports:logout"))
    client.force_login(coordinator)
    replayed = verify(client, code)

    assert NOT_VALID in replayed.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_a_recovery_code_is_accepted_once(client, two_factor_required, coordinator):
    _device, codes = with_second_factor(coordinator)
    client.force_login(coordinator)
    # Typed as it is often written down: in capitals, in two groups.
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"

    accepted = verify(client, typed)
    client.post(reverse("reports:logout"))
    client.force_login(coordinator)
    refused = verify(client, codes[0])

    assert accepted.status_code == 302
    assert NOT_VALID in refused.content.decode()
    assert StaticToken.objects.count() == 9
    unthrottle()
    assert verify(client, codes[1]).status_code == 302


def test_the_next_page_stays_on_this_site(client, two_factor_required, coordinator):
    device, _codes = with_second_factor(coordinator)
    client.force_login(coordinator)

    response = verify(client, current_code(device), next_url="https://evil.example/")

    assert response["Location"] == reverse("reports:overview")


def test_a_password_alone_never_replaces_the_second_factor(
    client, two_factor_required, coordinator
):
    with_second_factor(coordinator)
    client.force_login(coordinator)

    assert client.get(SETUP)["Location"] == f"{VERIFY}?next=%2F"
    assert client.get(reverse("accounts:two-factor-qr")).status_code == 404
    assert client.get(MANAGE)["Location"] == f"{VERIFY}?next=%2Faccounts%2Ftwo-factor%2F"
    assert client.post(reverse("accounts:two-factor-remove"), {"code": "000000"}).status_code == 302
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).count() == 1


def test_the_manage_page_renews_the_recovery_codes(
    client, two_factor_required, coordinator, django_assert_num_queries
):
    device, old_codes = with_second_factor(coordinator)
    client.force_login(coordinator)
    verify(client, current_code(device))

    # The session, the user, the session's device; whether it has a second factor, its
    # authenticator, the codes left; the roles, and the organisation and its kind (whether the
    # follow-ups' worklist is the user's), for the header's links.
    with django_assert_num_queries(9):
        page = client.get(MANAGE)
    renewed = client.post(reverse("accounts:two-factor-recovery"))

    assert "10 recovery codes left." in page.content.decode()
    new_codes = renewed.context["codes"]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == new_codes


def test_removing_the_second_factor_takes_a_current_code(client, two_factor_required, coordinator):
    device, codes = with_second_factor(coordinator)
    client.force_login(coordinator)
    verify(client, codes[0])

    refused = client.post(reverse("accounts:two-factor-remove"), {"code": wrong_code(device)})
    unthrottle()
    removed = client.post(reverse("accounts:two-factor-remove"), {"code": current_code(device)})

    assert NOT_VALID in refused.content.decode()
    assert removed["Location"] == SETUP
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    # Until a new phone is set up, the account reaches nothing else.
    assert client.get(ADMIN)["Location"] == f"{SETUP}?next=%2Fadmin%2F"


@pytest.mark.parametrize("who", ["manager", "partner_vdab"])
def test_managers_and_partners_need_no_second_factor_by_default(
    client, two_factor_required, who, request
):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("reports:action-list")).status_code == 200


@pytest.mark.parametrize("url", [SETUP, MANAGE])
def test_those_who_need_no_second_factor_are_told_so(client, two_factor_required, manager, url):
    client.force_login(manager)

    response = client.get(url)

    assert response.status_code == 200
    assert "Your account signs in with its password only" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_with_the_setting_off_no_second_factor_is_set_up_or_asked(client, coordinator):
    client.force_login(coordinator)

    assert "Your account signs in with its password only" in client.get(SETUP).content.decode()
    assert client.post(SETUP, {"code": "123456"}).status_code == 200
    assert client.get(reverse("accounts:two-factor-qr")).status_code == 404
    assert client.get(f"{VERIFY}?next=%2Fadmin%2F")["Location"] == ADMIN
    assert client.post(reverse("accounts:two-factor-recovery")).status_code == 200
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()


def test_the_roles_that_need_a_second_factor_are_a_setting(
    client, two_factor_required, manager, partner_vdab
):
    two_factor_required.TWO_FACTOR_ROLES = ["superuser", "staff", "coordinator", "manager"]
    client.force_login(manager)
    partner = type(client)()
    partner.force_login(partner_vdab)

    assert client.get(reverse("reports:action-list"))["Location"] == f"{SETUP}?next=%2Factions%2F"
    assert partner.get(reverse("reports:action-list")).status_code == 200


def test_a_coordinator_not_made_staff_needs_one_too(client, two_factor_required, vdab):
    user = UserFactory(username="coordinator-no-staff")
    user.groups.add(Group.objects.get(name="coordinator"))
    client.force_login(user)

    assert client.get(reverse("reports:action-list"))["Location"] == f"{SETUP}?next=%2Factions%2F"


def test_anonymous_visitors_are_sent_to_log_in(client, two_factor_required):
    for url in (SETUP, VERIFY, MANAGE, reverse("accounts:two-factor-qr")):
        assert client.get(url)["Location"].startswith(reverse("reports:login"))


def settings_of(**env: str) -> subprocess.CompletedProcess[str]:
    """The second factor's settings as a server started with this environment reads them."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TWO_FACTOR") and k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    production = {"SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "example.org", "PSEUDONYM_KEY": "k"}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import crossborder.settings as s; print(s.TWO_FACTOR_REQUIRED, s.TWO_FACTOR_ROLES)",
        ],
        cwd=ROOT,
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        check=False,
    )


DEFAULT_ROLES = "['superuser', 'staff', 'coordinator']"


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        ({"DEBUG": "true"}, "False ['superuser', 'staff', 'coordinator']"),
        ({"DEBUG": "false"}, "True ['superuser', 'staff', 'coordinator']"),
        (
            {"DEBUG": "true", "TWO_FACTOR_REQUIRED": "true"},
            "True ['superuser', 'staff', 'coordinator']",
        ),
        (
            {"DEBUG": "false", "TWO_FACTOR_REQUIRED": "false"},
            "False ['superuser', 'staff', 'coordinator']",
        ),
        (
            {"DEBUG": "false", "TWO_FACTOR_ROLES": "superuser, partner"},
            "True ['superuser', 'partner']",
        ),
    ],
)
def test_the_second_factor_is_required_without_debug(env, printed):
    result = settings_of(**env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed


def test_an_unknown_role_stops_start_up():
    result = settings_of(DEBUG="false", TWO_FACTOR_ROLES="coordinator,boss")

    assert result.returncode != 0
    assert "TWO_FACTOR_ROLES: unknown boss" in result.stderr


def test_with_the_setting_off_the_demo_users_log_in_with_their_password(client, demo):
    logins = load_demo(with_users=True)

    for username, _password, _role in logins:
        client.post(reverse("reports:login"), {"username": username, "password": DEMO_PASSWORD})
        assert client.get(reverse("reports:action-list")).status_code == 200, username
        if username in {"admin", "coordinator"}:
            assert client.get(ADMIN).status_code == 200, username
        client.post(reverse("reports:logout"))


def test_a_token_is_a_credential_of_its_own(client, two_factor_required, coordinator):
    """An API request with a token carries no session: the second factor of the site does not
    concern it."""
    from crossborder.accounts.tokens import api_token_create

    _token, key = api_token_create(user=coordinator, name="nightly sync")

    response = client.get("/api/v1/actions/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["authenticator", "recovery"])
def test_one_code_sent_twice_at_once_is_accepted_once(coordinator, monkeypatch, kind):
    """Both requests have found the device before either checks the code: the device is
    locked while a code is checked, so the second sees the code used."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite runs one writer at a time anyway")
    device, codes = with_second_factor(coordinator)
    code = current_code(device) if kind == "authenticator" else codes[0]
    both_found = threading.Barrier(2, timeout=10)
    check = django_otp.verify_token

    def after_both_found(*args, **kwargs):
        both_found.wait()
        return check(*args, **kwargs)

    monkeypatch.setattr(django_otp, "verify_token", after_both_found)
    accepted: list[bool] = []

    def send() -> None:
        try:
            result = second_factor_verify(user=coordinator, code=code)
            accepted.append(result.device is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(accepted) == [False, True]
