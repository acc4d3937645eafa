"""Every write of the jobs: started, moved on, finished with a file or a message, failed, purged.

Each write is one UPDATE of the job's row by its id, so that a page polling the job reads every
step as soon as it is written, and a task never saves fields it did not mean to change.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from crossborder.jobs.models import FINISHED, Job, JobKind, JobState


def job_create(
    *,
    owner: User | None,
    kind: JobKind,
    title: str,
    language: str,
    back_url: str = "",
) -> Job:
    return Job.objects.create(
        owner=owner,
        kind=kind,
        title=title[:200],
        language=language,
        back_url=back_url[:500],
    )


def job_start(*, job: Job) -> None:
    job.state, job.progress, job.started_at = JobState.RUNNING, 0, timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=job.state, progress=job.progress, started_at=job.started_at
    )


def job_progress(*, job: Job, percent: int) -> None:
    """How far the work has got, from 0 to 100 (clamped: a progress bar never goes past full)."""
    job.progress = max(0, min(100, percent))
    Job.objects.filter(pk=job.pk).update(progress=job.progress)


def job_done(
    *,
    job: Job,
    message: str,
    content: bytes | None = None,
    filename: str = "",
    content_type: str = "",
) -> None:
    """Finished: the message for the page and, for work that writes a file, the file."""
    job.state, job.progress, job.message = JobState.DONE, 100, message
    job.result, job.result_name, job.result_type = content, filename[:255], content_type[:100]
    job.finished_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=job.state,
        progress=job.progress,
        message=job.message,
        result=job.result,
        result_name=job.result_name,
        result_type=job.result_type,
        finished_at=job.finished_at,
    )


def job_fail(*, job: Job, message: str) -> None:
    """Failed: what went wrong, for the page; the progress stays where the work stopped."""
    job.state, job.message, job.finished_at = JobState.FAILED, message, timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=job.state, message=job.message, finished_at=job.finished_at
    )


def jobs_purge() -> int:
    """Delete every job (and its file) finished more than JOB_RESULT_DAYS ago, and any started
    that long ago and never finished (its message lost with a broker's data); the number."""
    oldest_kept = Job.oldest_kept()
    deleted, _ = Job.objects.filter(
        Q(state__in=FINISHED, finished_at__lt=oldest_kept) | Q(created_at__lt=oldest_kept)
    ).delete()
    return deleted
