"""Production settings refuse to start without their secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PSEUDONYM_KEY", "DATABASE_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import crossborder.settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.USE_TZ)",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_debug_a_missing_secret_key_stops_start_up():
    result = load_settings(DEBUG="false", ALLOWED_HOSTS="example.org", PSEUDONYM_KEY="k")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_debug_missing_allowed_hosts_stops_start_up():
    result = load_settings(DEBUG="false", SECRET_KEY="s" * 50, PSEUDONYM_KEY="k")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_without_debug_a_missing_pseudonym_key_stops_start_up():
    result = load_settings(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "PSEUDONYM_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_start_with_everything_given():
    result = load_settings(
        DEBUG="false",
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="example.org",
        PSEUDONYM_KEY="k",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/crossborder",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "Europe/Brussels", "True"]


def test_default_database_is_sqlite_under_var():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import crossborder.settings as s; print(s.DATABASES['default']['NAME'])",
        ],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "DEBUG": "true"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().endswith("var/crossborder.sqlite3")


def database_options(url: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import crossborder.settings as s;"
            "print(s.DATABASES['default'].get('OPTIONS', {}).get('options', ''))",
        ],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_postgresql_sessions_run_without_jit_unless_the_url_asks_for_it():
    assert database_options("postgres://postgres@127.0.0.1:5432/crossborder") == "-c jit=off"
    assert (
        database_options("postgres://postgres@127.0.0.1:5432/crossborder?options=-c%20jit%3Don")
        == "-c jit=off -c jit=on"
    )
    assert database_options("sqlite:///var/other.sqlite3") == ""


@pytest.mark.django_db
def test_the_connection_has_jit_off_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
