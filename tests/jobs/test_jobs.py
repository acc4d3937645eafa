"""Long work on the queue, run eagerly (no broker in the tests, as under `make run`): the pages
that start it send their user to the job's page when it is over the thresholds and answer
themselves below them; the job's page, status and file are its owner's only; a failure is a
clear message, and neither a job's message nor the log names a person."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError

from crossborder import celery as celery_module
from crossborder.celery import app
from crossborder.core import logs, mail
from crossborder.core.vocabulary import ActionType, ParticipationStatus
from crossborder.jobs import tasks
from crossborder.jobs.models import Job, JobKind, JobState
from crossborder.jobs.services import job_create, jobs_purge
from crossborder.uploads.models import ImportPreview
from participants.models import FollowUpDigest, Jobseeker, Participation
from reports.year_report import report_action_count
from tests.factories import (
    ActionFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.participants.test_imports import HEADER, csv_file, xlsx_file

pytestmark = pytest.mark.django_db

ROWS = [
    ["vdab", "V-002", "Zoë", "Vandenbroucke", "started", "2017-11-28", ""],
    ["vdab", "V-003", "Jan", "Peeters", "started", "2017-11-28", ""],
]
FILE = csv_file([HEADER, *ROWS], delimiter=";", encoding="utf-8")
PERSONAL = ("V-002", "V-003", "Zoë", "Vandenbroucke", "Jan", "Peeters")


@pytest.fixture
def action(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project, title="Jobdating Veurne")


@pytest.fixture
def import_url(action):
    return reverse("admin:actions_action_import", args=[action.pk, "participations"])


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _upload(client, url: str) -> str:
    stream = io.BytesIO(FILE)
    stream.name = "people.csv"
    response = client.post(url, {"file": stream})
    assert response.status_code == 200
    return response.context["token"]


def _no_personal_data(text: str) -> None:
    assert [word for word in PERSONAL if word in text] == []


# Imports.


def test_an_import_over_the_threshold_is_confirmed_on_the_queue(
    coordinator_client, import_url, action, coordinator, settings
):
    settings.IMPORT_TASK_ROWS = 1
    token = _upload(coordinator_client, import_url)

    response = coordinator_client.post(import_url, {"token": token, "confirm": "1"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.owner, job.kind, job.state, job.progress) == (
        coordinator,
        JobKind.IMPORT,
        JobState.DONE,
        100,
    )
    assert job.title == "Import of participations into Jobdating Veurne (2017-11-28)"
    assert job.message == "Imported. 2 rows: 2 new participations, 0 updated."
    assert job.back_url == reverse("admin:actions_action_change", args=[action.pk])
    assert Participation.objects.filter(action=action).count() == 2
    assert not ImportPreview.objects.exists()
    page = coordinator_client.get(response["Location"]).content.decode()
    assert '<progress id="job-progress" max="100" value="100">' in page
    assert "Imported. 2 rows: 2 new participations, 0 updated." in page
    _no_personal_data(job.message + job.title)


def test_an_import_at_the_threshold_is_confirmed_in_the_request(
    coordinator_client, import_url, action, settings
):
    settings.IMPORT_TASK_ROWS = 2
    token = _upload(coordinator_client, import_url)

    response = coordinator_client.post(import_url, {"token": token, "confirm": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:actions_action_change", args=[action.pk])
    assert not Job.objects.exists()
    assert Participation.objects.filter(action=action).count() == 2


def test_an_import_refused_on_the_queue_names_rows_not_people(
    coordinator_client, import_url, action, vdab, settings
):
    settings.IMPORT_TASK_ROWS = 1
    token = _upload(coordinator_client, import_url)
    # Between preview and confirm, someone adds the second row's jobseeker to the action.
    ParticipationFactory(
        action=action,
        jobseeker=JobseekerFactory(
            pes=vdab, external_ref="V-003", given_name="Jan", family_name="Peeters"
        ),
    )

    response = coordinator_client.post(import_url, {"token": token, "confirm": "1"}, follow=True)

    job = Job.objects.get()
    assert (job.state, job.message) == (
        JobState.FAILED,
        "Nothing was written. Row 3 has a problem; upload the file again to see it in the preview.",
    )
    assert Participation.objects.filter(action=action).count() == 1
    assert not ImportPreview.objects.exists()
    assert 'role="alert">Nothing was written. Row 3 has a problem' in response.content.decode()
    _no_personal_data(job.message)


@pytest.mark.parametrize(
    ("filename", "content", "rows"),
    [
        ("people.xlsx", xlsx_file([HEADER, *ROWS, ROWS[0]]), 3),
        ("people.xlsx", xlsx_file([HEADER]), 0),
        ("people.xlsx", b"not a workbook", 0),
        ("people.csv", FILE, 2),
        ("people.csv", FILE.rstrip(b"\r\n"), 2),
        ("people.csv", "\r\n".join(";".join(row) for row in [HEADER, *ROWS]).encode("utf-16"), 2),
        ("people.csv", b"", 0),
    ],
)
def test_the_rows_of_a_file_are_told_without_reading_them(
    action, coordinator, filename, content, rows
):
    preview = ImportPreview(
        user=coordinator, action=action, kind="participations", filename=filename, content=content
    )

    assert tasks.import_rows(preview) == rows


def test_an_import_whose_preview_expired_before_its_turn_fails_clearly(coordinator, action):
    job = job_create(owner=coordinator, kind=JobKind.IMPORT, title="Import", language="en")

    tasks.import_confirm.delay(job.pk, 999_999)

    job.refresh_from_db()
    assert (job.state, job.message) == (
        JobState.FAILED,
        "The previewed file has expired; upload it again.",
    )
    assert not Participation.objects.exists()


# The year report and the action list's exports.


def test_a_year_report_file_over_the_threshold_is_written_on_the_queue(
    client, demo, manager, settings
):
    client.force_login(manager)
    url = reverse("reports:year-report", args=[2017]) + "?format=csv&lang=fr"
    direct = client.get(url)
    assert direct.status_code == 200
    settings.REPORT_TASK_ACTIONS = report_action_count(year=2017) - 1

    response = client.get(url)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.state, job.result_name) == (
        JobKind.YEAR_REPORT,
        JobState.DONE,
        "answer-2017-fr.csv",
    )
    assert job.title == "Year report 2017 (csv)"
    download = client.get(reverse("jobs:file", args=[job.pk]))
    assert download.content == direct.content
    assert download["Content-Type"] == direct["Content-Type"]
    assert download["Content-Disposition"] == 'attachment; filename="answer-2017-fr.csv"'
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'href="{reverse("jobs:file", args=[job.pk])}" download>' in page
    assert f'href="{reverse("reports:year-report", args=[2017])}"' in page


def test_a_broker_that_does_not_answer_fails_the_job_with_a_message_not_a_500(
    client, demo, manager, settings, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    client.force_login(manager)
    settings.REPORT_TASK_ACTIONS = report_action_count(year=2017) - 1
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.year_report_file, "delay", refuse)
    url = reverse("reports:year-report", args=[2017]) + "?format=csv&lang=fr"
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    # Failed, not left waiting for a worker that will never get it; said in the job's language.
    assert job.state == JobState.FAILED and job.finished_at is not None
    assert job.message == (
        "De taak kon niet starten: de wachtrij voor achtergrondwerk antwoordt niet. Probeer het"
        " over enkele minuten opnieuw; blijft het duren, verwittig dan de beheerders van de site."
    )
    assert escape(job.message) in client.get(job.get_absolute_url()).content.decode()
    assert f"Job {job.pk} (year_report) not queued: the broker did not answer" in caplog.text


def test_a_year_report_file_at_the_threshold_and_the_page_are_answered_directly(
    client, demo, manager, settings
):
    client.force_login(manager)
    settings.REPORT_TASK_ACTIONS = report_action_count(year=2017)
    url = reverse("reports:year-report", args=[2017])

    assert client.get(url + "?format=xlsx")["Content-Disposition"].startswith("attachment")
    settings.REPORT_TASK_ACTIONS = 0
    assert client.get(url).status_code == 200
    assert not Job.objects.exists()


def test_a_year_report_sent_to_the_queue_checks_its_parameters_first(
    client, demo, manager, settings
):
    client.force_login(manager)
    settings.REPORT_TASK_ACTIONS = 0
    url = reverse("reports:year-report", args=[2017])

    bad_day = client.get(url + "?format=xlsx&as_of=31/02/2018")
    unknown = client.get(url + "?format=docx&project=no-such-project")

    assert bad_day.status_code == 400
    assert "as_of: “31/02/2018” is not a day" in bad_day.content.decode()
    assert unknown.status_code == 400
    assert "project: Unknown project “no-such-project”." in unknown.content.decode()
    assert not Job.objects.exists()


def test_an_action_export_over_the_threshold_is_written_on_the_queue_in_the_lists_order(
    client, demo, manager, settings
):
    client.force_login(manager)
    url = reverse("reports:action-list") + "?export=csv&sort=-date&project=grenzeloos-tewerkstellen"
    direct = client.get(url)
    rows = direct.content.decode("utf-8-sig").splitlines()
    settings.REPORT_TASK_ACTIONS = len(rows) - 2

    response = client.get(url)

    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.title == f"Export of {len(rows) - 1} actions (csv)"
    assert job.back_url == (
        reverse("reports:action-list") + "?sort=-date&project=grenzeloos-tewerkstellen"
    )
    assert client.get(reverse("jobs:file", args=[job.pk])).content == direct.content
    settings.REPORT_TASK_ACTIONS = len(rows) - 1
    assert client.get(url).content == direct.content
    assert Job.objects.count() == 1


def test_an_unexpected_error_fails_the_job_with_its_number_and_logs_no_data(
    client, demo, manager, settings, monkeypatch, caplog
):
    def broken(**_kwargs):
        # As a database error would: its message quotes the values of a record.
        raise ValueError(" ".join(PERSONAL))

    monkeypatch.setattr(tasks, "build_year_report", broken)
    client.force_login(manager)
    settings.REPORT_TASK_ACTIONS = 0

    with caplog.at_level(logging.INFO, logger="crossborder.jobs"):
        response = client.get(reverse("reports:year-report", args=[2017]) + "?format=xlsx")

    job = Job.objects.get()
    assert (job.state, job.result) == (JobState.FAILED, None)
    assert job.message == (
        "The work stopped on an unexpected error. Try again; if it fails again, give the site's "
        f"administrators the job's number, {job.pk}."
    )
    page = client.get(response["Location"])
    assert escape(job.message) in page.content.decode()
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Job {job.pk} (year_report) failed on ValueError:" in logged
    _no_personal_data(logged + job.message)


# The job's page, status and file.


@pytest.fixture
def running(manager):
    job = job_create(owner=manager, kind=JobKind.YEAR_REPORT, title="Year report", language="en")
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress=40)
    return job


def test_the_job_page_shows_the_progress_and_follows_it_with_a_static_script(
    client, manager, running, django_assert_num_queries
):
    client.force_login(manager)
    client.get(reverse("jobs:detail", args=[running.pk]))  # the session, read once

    # The session, the user, the job, and the menu's roles (base.html).
    with django_assert_num_queries(4):
        response = client.get(reverse("jobs:detail", args=[running.pk]))

    page = response.content.decode()
    assert '<progress id="job-progress" max="100" value="40">40%</progress>' in page
    assert f'data-job-status="{reverse("jobs:status", args=[running.pk])}"' in page
    assert 'data-job-finished="false"' in page
    assert '<script src="/static/js/job-progress.js" defer></script>' in page
    assert "<script>" not in page
    assert client.get(reverse("jobs:status", args=[running.pk])).json() == {
        "state": "running",
        "state_label": "running",
        "progress": 40,
        "finished": False,
    }
    assert client.get(reverse("jobs:file", args=[running.pk])).status_code == 404


def test_the_job_belongs_to_its_owner_only(client, running, partner_vdab):
    client.force_login(partner_vdab)
    for name in ("detail", "status", "file"):
        assert client.get(reverse(f"jobs:{name}", args=[running.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[999_999])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, running):
    response = client.get(reverse("jobs:detail", args=[running.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:login"))


def test_a_job_of_the_periodic_work_has_no_page(client, superuser_client_user):
    job = job_create(owner=None, kind=JobKind.RETENTION, title="Retention run", language="en")
    client.force_login(superuser_client_user)

    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404


@pytest.fixture
def superuser_client_user(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x")


# Periodic work.


def test_the_retention_run_erases_what_is_due_and_purges_old_jobs(vdab, manager, settings):
    settings.RETENTION_YEARS = 5
    old = ParticipationFactory(
        action=ActionFactory(project=ProjectFactory(ends_on=datetime.date(2018, 12, 31))),
        jobseeker=JobseekerFactory(pes=vdab),
    ).jobseeker
    stale = job_create(owner=manager, kind=JobKind.IMPORT, title="Import", language="en")
    long_ago = timezone.now() - datetime.timedelta(days=settings.JOB_RESULT_DAYS + 1)
    Job.objects.filter(pk=stale.pk).update(
        state=JobState.DONE, created_at=long_ago, finished_at=long_ago
    )
    recent = job_create(owner=manager, kind=JobKind.IMPORT, title="Import", language="en")

    tasks.retention.delay()

    run = Job.objects.get(kind=JobKind.RETENTION)
    assert (run.owner, run.state, run.progress) == (None, JobState.DONE, 100)
    assert run.message == (
        "Erased 1 jobseeker(s) whose projects ended more than 5 year(s) ago; deleted 0 read(s) "
        "of the read audit and 1 finished job(s)."
    )
    assert Jobseeker.objects.get(pk=old.pk).family_name == ""
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, run.pk}
    assert jobs_purge() == 0


@pytest.fixture
def follow_up_due(coordinator, vdab):
    """A follow-up of VDAB due, and a coordinator of VDAB with an e-mail address to be told."""
    coordinator.email = "coordinator@vdab.example"
    coordinator.save()
    left_on = timezone.localdate() - datetime.timedelta(days=10)
    return ParticipationFactory(
        action=ActionFactory(
            action_type=ActionType.TRAINING,
            start_date=left_on - datetime.timedelta(days=30),
            end_date=left_on,
        ),
        jobseeker=JobseekerFactory(pes=vdab, external_ref="VD-DIGEST-1"),
        status=ParticipationStatus.STARTED,
        started_on=left_on - datetime.timedelta(days=30),
    )


@pytest.mark.usefixtures("follow_up_due")
def test_the_follow_up_digests_go_once_a_week(mailoutbox):
    today = timezone.localdate()
    tasks.follow_up_digests.delay()
    tasks.follow_up_digests.delay()

    runs = list(Job.objects.filter(kind=JobKind.FOLLOW_UP_DIGESTS).order_by("pk"))
    week = today.isoformat()
    assert [(run.owner, run.state, run.message) for run in runs] == [
        (None, JobState.DONE, f"1 follow-up digest(s) sent for the week of {week}."),
        (None, JobState.DONE, f"0 follow-up digest(s) sent for the week of {week}."),
    ]
    assert [message.to for message in mailoutbox] == [["coordinator@vdab.example"]]


@pytest.mark.usefixtures("follow_up_due")
def test_a_site_without_a_mail_server_sends_no_digest_and_logs_none(settings, caplog, capsys):
    # Without DEBUG and EMAIL_BACKEND, a digest printed on the console (Django's default here
    # before) put every jobseeker's reference it lists in the worker's log.
    settings.EMAIL_BACKEND = "crossborder.core.mail.NotConfiguredBackend"
    with caplog.at_level(logging.INFO):
        tasks.follow_up_digests.delay()

    run = Job.objects.get(kind=JobKind.FOLLOW_UP_DIGESTS)
    assert (run.state, run.message) == (JobState.FAILED, mail.NOT_CONFIGURED)
    # Not recorded as sent: the next run once a server is set sends it.
    assert not FollowUpDigest.objects.exists()
    printed = capsys.readouterr()
    for text in (caplog.text, printed.out, printed.err):
        assert "VD-DIGEST-1" not in text and "coordinator@vdab.example" not in text
    with pytest.raises(CommandError, match="No mail is sent: the site has no mail server"):
        call_command("send_follow_up_digest")


def test_celery_beat_runs_the_retention_nightly_the_digests_weekly_and_the_rollups(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert {name: (entry["task"], str(entry["schedule"])) for name, entry in schedule.items()} == {
        "retention-nightly": ("jobs.retention", "<crontab: 30 2 * * * (m/h/dM/MY/d)>"),
        "rollups-refresh": ("jobs.rollups_refresh", "60.0"),
        "rollups-rebuild-nightly": ("jobs.rollups_rebuild", "<crontab: 0 3 * * * (m/h/dM/MY/d)>"),
        "follow-up-digests-weekly": (
            "jobs.follow_up_digests",
            "<crontab: 0 7 * * mon (m/h/dM/MY/d)>",
        ),
    }
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)


# The request id.


def test_a_task_message_carries_the_request_id_and_the_worker_logs_under_it():
    headers: dict[str, str] = {}
    token = logs.request_id.set("0123456789abcdef")
    try:
        celery_module._carry_request_id(headers=headers)
    finally:
        logs.request_id.reset(token)
    assert headers == {"request_id": "0123456789abcdef"}

    class Request:
        request_id = "0123456789abcdef"
        headers = None
        is_eager = False

    class FakeTask:
        request = Request()

    celery_module._enter_request_id(task_id="t1", task=FakeTask())
    assert logs.request_id.get() == "0123456789abcdef"
    celery_module._leave_request_id(task_id="t1")
    assert logs.request_id.get() == ""


# The operators' list.


def test_the_admin_lists_every_job_read_only_for_superusers(client, coordinator, manager):
    root = type(manager).objects.create_superuser("root", "root@example.org", "x")
    job_create(owner=None, kind=JobKind.RETENTION, title="Retention run", language="en")
    job_create(owner=manager, kind=JobKind.YEAR_REPORT, title="Year report 2017", language="en")
    changelist = reverse("admin:jobs_job_changelist")

    client.force_login(root)
    page = client.get(changelist)
    assert page.status_code == 200
    assert [job.title for job in page.context["cl"].result_list] == [
        "Year report 2017",
        "Retention run",
    ]
    assert client.get(reverse("admin:jobs_job_add")).status_code == 403
    client.force_login(coordinator)
    assert client.get(changelist).status_code == 403
