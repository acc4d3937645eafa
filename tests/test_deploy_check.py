"""The production configuration passes Django's deployment checks, and its responses carry the
security headers; development stays on plain HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_NAMES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PSEUDONYM_KEY",
    "DATABASE_URL",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
    # Set in this process by the browser tests (Playwright beside the live server) when they run
    # first on the same worker; production never has it, and the check refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
# What the production settings give with nothing but the secrets set (crossborder/settings.py).
PRODUCTION = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["crossborder.example.org", "testserver"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


def test_check_deploy_reports_no_issue_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_NAMES}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="crossborder.example.org",
        PSEUDONYM_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _assert_security_headers(response) -> None:
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_a_page_carries_the_security_headers_in_production(client):
    response = client.get(reverse("reports:login"), secure=True)

    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_an_api_response_carries_the_security_headers_in_production(client):
    response = client.get("/api/v1/projects/", secure=True)

    assert response.status_code == 401
    _assert_security_headers(response)


@pytest.mark.django_db
@override_settings(**PRODUCTION)
def test_production_redirects_plain_http_and_trusts_the_proxy_s_header(client):
    plain = client.get(reverse("reports:login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")

    proxied = client.get(reverse("reports:login"), HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_development_settings_keep_plain_http():
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_NAMES}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s;"
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env={**env, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "crossborder.settings"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0", "False"]


@pytest.mark.django_db
def test_the_test_settings_serve_plain_http(client):
    response = client.get(reverse("reports:login"))

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    # The headers that need no HTTPS are sent all the same.
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
