"""A piece of long work done on the queue (or eagerly, without a broker): what it is, how far it
has got, and its outcome, for the page that shows it to the user who started it.

The job's row is its record, not Celery's result backend: the task writes its own state, progress
and file here, so the page reads them from the database every web process shares, whichever
broker runs (or none), and nothing the page needs expires in Redis.

The file (a year report, an export) is kept in the database as bytes rather than as a file in
MEDIA: a worker may run on another machine than the web processes, and the database is the one
store both reach without a shared disk; the files are reports of some hundred kilobytes to a few
megabytes, and they are deleted JOB_RESULT_DAYS after the job finished (the nightly retention
task), so the table stays small. A job's message never names a person: it is written for the
page and may be logged.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobKind(models.TextChoices):
    IMPORT = "import", _("import")
    YEAR_REPORT = "year_report", _("year report")
    ACTION_EXPORT = "action_export", _("export of actions")
    RETENTION = "retention", _("retention run")
    FOLLOW_UP_DIGESTS = "follow_up_digests", _("follow-up digests")
    ROLLUP_REBUILD = "rollup_rebuild", _("rebuild of the reports' rollups")


class JobState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


FINISHED = (JobState.DONE, JobState.FAILED)


class Job(models.Model):
    # None for the periodic work of celery beat, which no user started: its jobs are a record
    # for the operators, listed in the admin (crossborder/jobs/admin.py), on no user's page.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    # What the page calls the job ("Year report 2018, .xlsx"), in the language it was started in.
    title = models.CharField(max_length=200)
    # The language of the page that started the job: its messages and file are written in it.
    language = models.CharField(max_length=10, default="en")
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    # Where the work came from (the year report's page, the action's import): the page's link
    # back.
    back_url = models.CharField(max_length=500, blank=True)
    result = models.BinaryField(null=True, blank=True, editable=False)
    result_name = models.CharField(max_length=255, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # A background job, not a job offered at an action (which "job" alone translates).
        verbose_name = pgettext_lazy("background job", "job")
        verbose_name_plural = pgettext_lazy("background job", "jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def has_file(self) -> bool:
        return self.state == JobState.DONE and bool(self.result_name)

    @staticmethod
    def oldest_kept(now: datetime.datetime | None = None) -> datetime.datetime:
        """The finishing time before which a job and its file are deleted."""
        now = now or timezone.now()
        return now - datetime.timedelta(days=settings.JOB_RESULT_DAYS)
