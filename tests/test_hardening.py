"""The hardening of every response: the Content-Security-Policy, `Cache-Control: no-store` for
signed-in users, the staff's idle timeout and the session's age, no person in the URLs the
project builds, and an access log without query strings."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-hashes' 'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='; "
    "img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _directives(header: str) -> dict[str, str]:
    return dict([*part.strip().split(" ", 1), ""][:2] for part in header.split(";") if part.strip())


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def helene(vdab):
    return JobseekerFactory(
        pes=vdab, external_ref="V-7731", given_name="Hélène", family_name="Dupré"
    )


@pytest.fixture
def participation(project, helene):
    return ParticipationFactory(action=ActionFactory(project=project), jobseeker=helene)


# Content-Security-Policy.


def test_every_kind_of_response_carries_the_policy(client, coordinator, participation):
    client.force_login(coordinator)
    for url in (
        reverse("reports:overview"),
        reverse("reports:year-report", args=[2017]),
        reverse("admin:participants_jobseeker_change", args=[participation.jobseeker_id]),
        "/api/v1/jobseekers/",
        "/api/v1/docs/",
        "/no-such-page/",
    ):
        response = client.get(url)
        assert _directives(response["Content-Security-Policy"]) == _directives(POLICY), url


def test_the_one_style_attribute_allowed_is_the_history_pages(client):
    # The hash of the policy's only style exception is that of django-simple-history's
    # paginator, `style="border-top: 0"`, and nothing else.
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(b"border-top: 0").digest()).decode()
    assert f"'sha256-{digest}'" in POLICY


def test_the_login_page_carries_the_policy_for_anonymous_users(client):
    response = client.get(reverse("reports:login"))
    assert response.status_code == 200
    # django-csp does not keep the directives' order, so the policy is compared directive by
    # directive.
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def _settings_in_a_process(**environ: str) -> str:
    names = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PSEUDONYM_KEY", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("CSP_")}
    env.update(DEBUG="true", **environ)
    code = (
        "import crossborder.settings as s;"
        "print(s.CONTENT_SECURITY_POLICY);"
        "print(getattr(s, 'CONTENT_SECURITY_POLICY_REPORT_ONLY', None))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def test_an_operator_sets_a_report_uri_and_a_report_only_trial():
    enforced, trial = _settings_in_a_process(
        CSP_REPORT_URI="https://csp.example.org/report"
    ).splitlines()
    assert "'report-uri': ['https://csp.example.org/report']" in enforced
    assert trial == "None"

    enforced, trial = _settings_in_a_process(CSP_REPORT_ONLY="true").splitlines()
    assert enforced == "None"
    assert "'script-src': [\"'self'\"]" in trial
    assert "report-uri" not in trial


def test_no_template_of_the_site_has_an_inline_script_style_or_handler():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.name == "year_document.html":
            # A file written for download (manage.py report year --format html), never served
            # by the site: it carries its own styles to stand alone.
            continue
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
            r"<style",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_chart_data_reaches_the_page_as_json_only(client, manager, participation):
    client.force_login(manager)
    page = client.get(reverse("reports:overview")).content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts
    for attributes in scripts:
        assert 'type="application/json"' in attributes or "src=" in attributes, attributes


def test_the_api_docs_page_runs_no_inline_script(client, partner_vdab):
    client.force_login(partner_vdab)
    page = client.get("/api/v1/docs/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert "<style" not in page


# Cache-Control: no-store.


def test_pages_admin_and_exports_of_a_signed_in_user_are_not_stored(
    client, coordinator, participation
):
    client.force_login(coordinator)
    for url in (
        reverse("reports:overview"),
        reverse("reports:action-detail", args=[participation.action_id]),
        reverse("reports:year-report", args=[2017]) + "?format=xlsx",
        reverse("admin:participants_jobseeker_change", args=[participation.jobseeker_id]),
        reverse("admin:participants_participation_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_api_answers_with_personal_data_are_not_stored(partner_vdab, participation):
    api = APIClient()
    api.force_authenticate(partner_vdab)
    for url in (
        f"/api/v1/jobseekers/{participation.jobseeker_id}/",
        "/api/v1/jobseekers/",
        f"/api/v1/participations/{participation.pk}/",
        "/api/v1/participations/?format=csv",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(partner_le_forem, participation):
    api = APIClient()
    api.force_authenticate(partner_le_forem)
    response = api.get(f"/api/v1/jobseekers/{participation.jobseeker_id}/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_the_apis_cached_pages_of_actions_still_answer_304(partner_vdab, participation):
    api = APIClient()
    api.force_authenticate(partner_vdab)
    first = api.get("/api/v1/actions/")
    assert first.status_code == 200
    assert first["Cache-Control"] == "no-store"
    # The server's cache and the ETag of crossborder.api.caching keep working.
    again = api.get("/api/v1/actions/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_a_view_that_sets_its_own_cache_control_keeps_it(rf, coordinator):
    from django.http import HttpResponse

    from crossborder.middleware import NoStoreForSignedIn

    def view(request):
        return HttpResponse(headers={"Cache-Control": "private, max-age=60"})

    request = rf.get("/")
    request.user = coordinator
    assert NoStoreForSignedIn(view)(request)["Cache-Control"] == "private, max-age=60"


def test_anonymous_answers_are_left_to_their_defaults(client):
    refused = client.get("/api/v1/jobseekers/")
    assert refused.status_code == 401
    assert "Cache-Control" not in refused
    assert "Cache-Control" not in client.get(reverse("reports:overview"))


# Sessions: the staff's idle timeout and the session's age.


class _Clock:
    """crossborder.middleware's clock, moved by the test instead of waited for."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    moved = _Clock(1_800_000_000.0)
    monkeypatch.setattr("crossborder.middleware.time", types.SimpleNamespace(time=moved.time))
    return moved


def test_a_staff_session_idle_too_long_is_signed_out_with_a_message(client, coordinator, clock):
    client.force_login(coordinator)
    page = reverse("admin:participants_jobseeker_changelist")
    assert client.get(page).status_code == 200
    clock.now += 31 * 60

    response = client.get(page + "?q=Dupr%C3%A9", follow=True)

    login = reverse("reports:login")
    # Back to the page after signing in, without the search for a person.
    assert response.redirect_chain[0][0] == f"{login}?next=/admin/participants/jobseeker/"
    assert "You were signed out after 30 minutes without activity." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(page).status_code == 302


def test_activity_keeps_a_staff_session(client, coordinator, clock):
    client.force_login(coordinator)
    page = reverse("reports:overview")
    for _ in range(4):
        assert client.get(page).status_code == 200
        clock.now += 29 * 60
    assert client.get(page).status_code == 200
    assert "_auth_user_id" in client.session


def test_the_time_of_the_last_request_is_written_at_most_once_a_minute(client, coordinator, clock):
    # A busy user does not make every request write the session.
    client.force_login(coordinator)
    client.get(reverse("reports:overview"))
    first = client.session["crossborder_last_seen"]
    clock.now += 59
    client.get(reverse("reports:overview"))
    assert client.session["crossborder_last_seen"] == first
    clock.now += 1
    client.get(reverse("reports:overview"))
    assert client.session["crossborder_last_seen"] == first + 60


def test_the_idle_time_is_a_setting(client, coordinator, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 5
    client.force_login(coordinator)
    client.get(reverse("reports:overview"))
    clock.now += 6 * 60
    response = client.get(reverse("reports:overview"), follow=True)
    assert "You were signed out after 5 minutes without activity." in response.content.decode()


def test_an_idle_timeout_of_zero_turns_it_off(client, coordinator, clock, settings):
    settings.SESSION_IDLE_TIMEOUT = 0
    client.force_login(coordinator)
    client.get(reverse("reports:overview"))
    clock.now += 5 * 60 * 60
    assert client.get(reverse("reports:overview")).status_code == 200


def test_users_without_staff_keep_their_session_when_idle(client, manager, clock):
    client.force_login(manager)
    client.get(reverse("reports:overview"))
    clock.now += 5 * 60 * 60
    assert client.get(reverse("reports:overview")).status_code == 200


def test_an_idle_staff_session_on_the_api_is_refused_not_redirected(client, coordinator, clock):
    client.force_login(coordinator)
    assert client.get("/api/v1/actions/").status_code == 200
    clock.now += 31 * 60
    response = client.get("/api/v1/actions/")
    assert response.status_code in (401, 403)
    assert "Location" not in response


def test_sessions_last_twelve_hours_by_default():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_IDLE_TIMEOUT == 30


# No person in a URL the project builds.


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src|action)="([^"]*)"', html)


def test_no_link_of_the_admin_or_the_dashboards_names_the_person(
    client, coordinator, participation, helene
):
    client.force_login(coordinator)
    marks = [
        mark
        for mark in (
            "V-7731",
            "Hélène",
            "Dupré",
            "Dupr%C3%A9",
            "H%C3%A9l%C3%A8ne",
            helene.pseudonym,
        )
        if mark
    ]
    pages = (
        reverse("admin:participants_jobseeker_changelist"),
        reverse("admin:participants_jobseeker_change", args=[helene.pk]),
        reverse("admin:participants_participation_changelist"),
        reverse("admin:actions_action_change", args=[participation.action_id]),
        reverse("reports:action-detail", args=[participation.action_id]),
    )
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        named = [url for url in _urls(response.content.decode()) if any(m in url for m in marks)]
        assert named == [], page


def test_the_apis_paging_links_carry_ids_only(partner_vdab, project, vdab):
    for n in range(3):
        ParticipationFactory(
            action=ActionFactory(project=project),
            jobseeker=JobseekerFactory(pes=vdab, external_ref=f"V-{n}"),
        )
    api = APIClient()
    api.force_authenticate(partner_vdab)
    body = api.get("/api/v1/participations/?page_size=1").json()
    assert body["next"] is not None
    assert not any(f"V-{n}" in body["next"] for n in range(3))


# The access log.


def _access_log_format() -> str:
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]


def test_the_access_log_format_has_no_query_string_and_no_referrer():
    log_format = _access_log_format()
    fields = set(re.findall(r"%\(([^)]+)\)s", log_format))
    # The last is the response's X-Request-ID, which the application's log lines carry too.
    assert fields == {"h", "l", "u", "t", "m", "U", "H", "s", "B", "M", "a", "{x-request-id}o"}
    # %(r)s is the request line with its query string, %(q)s the query string, %(f)s the
    # referrer (a URL with its query string); none of them, nor a header naming a URL.
    assert not fields & {"r", "q", "f", "{referer}i", "{Referer}i"}


def test_a_logged_search_for_a_person_keeps_the_path_only():
    import datetime

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    config.set("access_log_format", _access_log_format())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/admin/participants/jobseeker/?q=Dupre",
        "PATH_INFO": "/admin/participants/jobseeker/",
        "QUERY_STRING": "q=Dupre",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://crossborder.example.org/admin/?q=Dupre",
        "HTTP_USER_AGENT": "Firefox",
    }
    response = types.SimpleNamespace(
        status="200 OK", sent=512, headers=[("X-Request-ID", "5d2c7f0e9a8b4c3d")]
    )
    request = types.SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    atoms = Logger(config).atoms(response, request, environ, datetime.timedelta(milliseconds=12))
    line = _access_log_format() % atoms

    assert line.endswith(
        '"GET /admin/participants/jobseeker/ HTTP/1.1" 200 512 12ms "Firefox" 5d2c7f0e9a8b4c3d'
    )
    assert "Dupre" not in line


def test_the_production_command_of_the_readme_uses_the_config():
    readme = (ROOT / "README.md").read_text()
    assert "gunicorn crossborder.wsgi -c gunicorn.conf.py" in readme
