"""The long work done on the queue (crossborder/celery.py): the confirmation of a large import,
the year report's and the action list's files over a size, and the periodic work of celery beat
(the retention run nightly, the follow-up digests weekly, the rollups' refresh every minute and
their rebuild nightly).

A page starts a job with one of the `*_start` functions below: it records the job (its owner, its
title, the page's language) and sends the task, which writes its progress and outcome on the
job's row (crossborder.jobs.models). With a broker (CELERY_BROKER_URL) a worker runs it and the
page sends the user to the job's page; without one, Celery runs it here and now, in the request
(task_always_eager), and the job's page shows it done. A task's arguments are ids, slugs and
options, never a person's data: the broker's messages and the worker's log lines hold none.

Below the thresholds (settings IMPORT_TASK_ROWS, REPORT_TASK_ACTIONS) the pages do the work
themselves, as they always did: a job is for work that takes seconds.
"""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from celery import Task, current_app, shared_task
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from actions import imports as figure_imports
from actions.models import Action
from crossborder.audit.services import read_events_purge
from crossborder.core import tabular
from crossborder.core.formats import CSV
from crossborder.core.tabular import Problem
from crossborder.db_router import reading_alias
from crossborder.jobs.models import Job, JobKind
from crossborder.jobs.services import (
    job_create,
    job_done,
    job_fail,
    job_progress,
    job_start,
    jobs_purge,
)
from crossborder.uploads.models import ImportPreview, PreviewKind
from crossborder.uploads.services import preview_discard
from participants import imports as participation_imports
from participants.followups import send_follow_up_digests
from participants.gdpr import jobseeker_erase, jobseekers_due_for_erasure
from reports import answers, exports, rollups
from reports.selectors import action_figures
from reports.year_report import year_report as build_year_report

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """Work that cannot be done, with the message its page shows (never a person's data)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _owner(user: User | AnonymousUser) -> User:
    """A job is its owner's: only a signed-in user starts one (the pages ask for a login)."""
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _send(task: Task, job: Job, *args: Any) -> None:
    """Send a job's task once what the page wrote is committed, so that a worker finds the job's
    row; without a broker, run it now, in the request. A broker that does not answer fails the
    job with a message its page shows, rather than the request with a 500 and a job left
    waiting for good."""
    if current_app.conf.task_always_eager:
        task.delay(job.pk, *args)
        return

    def send() -> None:
        try:
            task.delay(job.pk, *args)
        # kombu and redis raise many kinds of errors: each means the task was not queued.
        except Exception:
            logger.warning(
                "Job %s (%s) not queued: the broker did not answer", job.pk, job.kind, exc_info=True
            )
            with translation.override(job.language):
                job_fail(
                    job=job,
                    message=_(
                        "The work could not be started: the background queue is not answering. "
                        "Try again in a few minutes; if it goes on, tell the site's "
                        "administrators."
                    ),
                )

    transaction.on_commit(send)


def _run(job_id: int, work: Callable[[Job], None]) -> None:
    """Run one job's work in its language, recording its start, its end and any failure.

    A failure the work names (JobFailed) is shown as it is; any other is recorded as an
    unexpected error with the job's number, and logged with its traceback but not its message,
    which may quote a record (a database error names the values of the row it refused)."""
    job = Job.objects.defer("result").filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s no longer exists: nothing to do.", job_id)
        return
    if job.finished:
        # A message delivered twice (a worker lost before it acknowledged): done once only.
        logger.info("Job %s (%s) already finished.", job.pk, job.kind)
        return
    with translation.override(job.language):
        job_start(job=job)
        logger.info("Job %s (%s) started.", job.pk, job.kind)
        try:
            work(job)
        except JobFailed as failure:
            job_fail(job=job, message=failure.message)
            logger.warning("Job %s (%s) failed: %s", job.pk, job.kind, failure.message)
        except Exception as error:
            job_fail(
                job=job,
                message=_(
                    "The work stopped on an unexpected error. Try again; if it fails again, give "
                    "the site's administrators the job's number, %(job)s."
                )
                % {"job": job.pk},
            )
            logger.error(
                "Job %s (%s) failed on %s:\n%s",
                job.pk,
                job.kind,
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
        else:
            logger.info("Job %s (%s) done.", job.pk, job.kind)


# Imports.


def import_rows(preview: ImportPreview) -> int:
    """The number of data rows a previewed file declares, read in milliseconds: a workbook's
    from the dimension its first sheet declares, a CSV's from its lines below the header.

    Only an estimate, for choosing where the confirmation runs (reading every row of a large
    workbook again takes a second): the import itself reads and checks each row. A false
    dimension sends a small file to the queue or keeps a large one in the request, as before;
    nothing else follows from it. 0 when it cannot be told."""
    data = bytes(preview.content)
    if preview.filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True)
        except Exception:
            # Unreadable: the confirmation only repeats the preview's problem.
            return 0
        try:
            declared = workbook.worksheets[0].max_row if workbook.worksheets else None
        finally:
            workbook.close()
        return max(0, (declared or 1) - 1)
    # Each line ends with a newline byte in every encoding the imports read (UTF-16 too).
    return data.rstrip(b"\r\n\x00").count(b"\n")


def import_is_long(preview: ImportPreview) -> bool:
    return import_rows(preview) > settings.IMPORT_TASK_ROWS


def import_start(*, preview: ImportPreview, owner: User | AnonymousUser, back_url: str) -> Job:
    """Confirm a previewed import on the queue; the preview is deleted by the task."""
    job = job_create(
        owner=_owner(owner),
        kind=JobKind.IMPORT,
        title=_("Import of %(kind)s into %(action)s")
        % {"kind": PreviewKind(preview.kind).label, "action": preview.action},
        language=_language(),
        back_url=back_url,
    )
    _send(import_confirm, job, preview.pk)
    return job


def _problems_summary(problems: Sequence[Problem]) -> str:
    """What stopped an import, for the job's page: the messages about the file as a whole, and
    of the rows their numbers only (a row's message may quote a name or a reference)."""
    parts = [problem.message for problem in problems if problem.row is None]
    rows = sorted({problem.row for problem in problems if problem.row is not None})
    if rows:
        parts.append(
            ngettext(
                "Row %(rows)s has a problem; upload the file again to see it in the preview.",
                "Rows %(rows)s have problems; upload the file again to see them in the preview.",
                len(rows),
            )
            % {"rows": ", ".join(str(row) for row in rows)}
        )
    return _("Nothing was written. %(problems)s") % {"problems": " ".join(parts)}


@shared_task(name="jobs.import_confirm")
def import_confirm(job_id: int, preview_id: int) -> None:
    def work(job: Job) -> None:
        preview = ImportPreview.objects.select_related("action", "pes", "user").filter(
            pk=preview_id
        )
        found = preview.first()
        if found is None or found.has_expired():
            if found is not None:
                preview_discard(preview=found)
            raise JobFailed(_("The previewed file has expired; upload it again."))
        job_progress(job=job, percent=5)
        try:
            if found.kind == PreviewKind.PARTICIPATIONS:
                # The PES whose jobseekers the file may name was recorded with the preview:
                # the uploader's, or none for a user who imports for every PES.
                result: Any = participation_imports.import_participations(
                    action=found.action,
                    filename=found.filename,
                    data=bytes(found.content),
                    allowed_pes=found.pes,
                    dry_run=False,
                    update_existing=found.update_existing,
                    max_rows=tabular.ADMIN_MAX_ROWS,
                    user=found.user,
                )
            else:
                result = figure_imports.import_figures(
                    action=found.action,
                    filename=found.filename,
                    data=bytes(found.content),
                    dry_run=False,
                    update_existing=found.update_existing,
                    max_rows=tabular.ADMIN_MAX_ROWS,
                )
        finally:
            # Gone whatever the outcome, as a confirm in the page: a file that fails is
            # corrected and uploaded again.
            preview_discard(preview=found)
        if not result.ok:
            raise JobFailed(_problems_summary(result.problems))
        job_done(job=job, message=_("Imported. %(summary)s") % {"summary": result.summary()})

    _run(job_id, work)


# The year report's files.


def year_report_start(
    *,
    owner: User | AnonymousUser,
    year: int,
    projects: Sequence[str],
    approved: bool,
    as_of: str,
    lang: str,
    file_format: str,
    sep: str | None,
    back_url: str,
) -> Job:
    job = job_create(
        owner=_owner(owner),
        kind=JobKind.YEAR_REPORT,
        title=_("Year report %(year)s (%(format)s)") % {"year": year, "format": file_format},
        language=_language(),
        back_url=back_url,
    )
    _send(year_report_file, job, year, list(projects), approved, as_of, lang, file_format, sep)
    return job


@shared_task(name="jobs.year_report")
def year_report_file(
    job_id: int,
    year: int,
    projects: list[str],
    approved: bool,
    as_of: str,
    lang: str,
    file_format: str,
    sep: str | None,
) -> None:
    def work(job: Job) -> None:
        form, write = exports.YEAR_REPORT.get(file_format)
        report = build_year_report(
            year=year, projects=projects or None, approved=approved, as_of=as_of or None
        )
        job_progress(job=job, percent=60)
        content = exports.year_report_csv(report, lang, sep) if form == CSV else write(report, lang)
        name = form.filename(f"answer-{year}-{lang}")
        job_done(
            job=job,
            message=_("%(file)s is ready.") % {"file": name},
            content=content,
            filename=name,
            content_type=form.content_type,
        )

    _run(job_id, work)


# The action list's exports.


def action_export_start(
    *,
    owner: User | AnonymousUser,
    action_ids: Sequence[int],
    export: str,
    approved: bool,
    sep: str | None,
    back_url: str,
) -> Job:
    """Export these actions, in this order, with their figures: the list's filters and sort
    are applied by the page, and the ids are what they chose."""
    job = job_create(
        owner=_owner(owner),
        kind=JobKind.ACTION_EXPORT,
        title=ngettext(
            "Export of %(count)s action (%(format)s)",
            "Export of %(count)s actions (%(format)s)",
            len(action_ids),
        )
        % {"count": len(action_ids), "format": export},
        language=_language(),
        back_url=back_url,
    )
    _send(action_export_file, job, list(action_ids), export, approved, sep)
    return job


@shared_task(name="jobs.action_export")
def action_export_file(
    job_id: int, action_ids: list[int], export: str, approved: bool, sep: str | None
) -> None:
    def work(job: Job) -> None:
        form, write = exports.ACTION_LIST.get(export)
        chosen = Action.objects.filter(pk__in=action_ids)
        by_id = {action.pk: action for action in chosen.select_related("project", "sector")}
        # In the list's order; an action deleted since the export was asked is left out.
        actions = [by_id[pk] for pk in action_ids if pk in by_id]
        figures = action_figures(chosen, approved=approved)
        job_progress(job=job, percent=60)
        listing = exports.action_listing(actions, figures)
        lang = job.language
        content = exports.listing_csv(listing, lang, sep) if form == CSV else write(listing, lang)
        stamp = timezone.localdate().isoformat()
        name = form.filename(f"actions-{stamp}")
        job_done(
            job=job,
            message=_("%(file)s is ready.") % {"file": name},
            content=content,
            filename=name,
            content_type=form.content_type,
        )

    _run(job_id, work)


# Periodic work (CELERY_BEAT_SCHEDULE): no user starts it, so its jobs have no owner and no page;
# they are the operators' record of each run.


@shared_task(name="jobs.retention")
def retention() -> None:
    """The GDPR storage limit, as `manage.py anonymise_jobseekers` does it (RETENTION_YEARS,
    READ_AUDIT_RETENTION_DAYS), and the jobs finished more than JOB_RESULT_DAYS ago."""
    job = job_create(
        owner=None, kind=JobKind.RETENTION, title="Retention run", language=_language()
    )

    def work(job: Job) -> None:
        years = settings.RETENTION_YEARS
        due = list(jobseekers_due_for_erasure(years=years, today=timezone.localdate()))
        for number, jobseeker in enumerate(due, start=1):
            jobseeker_erase(jobseeker=jobseeker)
            percent = 90 * number // len(due)
            if percent != job.progress:
                job_progress(job=job, percent=percent)
        reads = read_events_purge(days=settings.READ_AUDIT_RETENTION_DAYS, now=timezone.now())
        purged = jobs_purge()
        job_done(
            job=job,
            message=(
                f"Erased {len(due)} jobseeker(s) whose projects ended more than {years} year(s) "
                f"ago; deleted {reads} read(s) of the read audit and {purged} finished job(s)."
            ),
        )

    _run(job.pk, work)


@shared_task(name="jobs.follow_up_digests")
def follow_up_digests() -> None:
    """The weekly digest of the follow-ups due, as `manage.py send_follow_up_digest` sends it
    (at most once per coordinator and ISO week, however often it runs)."""
    job = job_create(
        owner=None,
        kind=JobKind.FOLLOW_UP_DIGESTS,
        title="Follow-up digests",
        language=_language(),
    )

    def work(job: Job) -> None:
        as_of = timezone.localdate()
        try:
            sent = send_follow_up_digests(as_of=as_of)
        except ImproperlyConfigured as error:
            # No mail server (crossborder.core.mail): said, and sent by the next run once set.
            raise JobFailed(str(error)) from error
        job_done(
            job=job,
            message=f"{sent} follow-up digest(s) sent for the week of {as_of.isoformat()}.",
        )

    _run(job.pk, work)


@shared_task(name="jobs.rollups_refresh", ignore_result=True)
def rollups_refresh() -> None:
    """Make the rollup rows of the actions written since again (reports.rollups): sent after
    each commit that marked actions, and every minute by beat for what is left. No job row: it
    runs after every write, and lasts milliseconds."""
    refreshed = rollups.refresh_dirty()
    if refreshed:
        logger.info("rollups refreshed", extra={"actions": refreshed})
        _warm_later()


def _warm_later() -> None:
    """Send report_answers_warm after a refresh or rebuild (reports.answers.warm_claim says
    when): a little later, so that the refreshes of a burst of writes send one."""
    if not answers.warm_claim():
        return
    try:
        report_answers_warm.apply_async(countdown=settings.REPORT_WARM_DELAY_SECONDS)
    # As for the refresh: the answers are then made by their first readers, and the next
    # refresh sends the warm again.
    except Exception:
        answers.warm_release()
        logger.warning("report answers warm not sent: the broker did not answer", exc_info=True)


@shared_task(name="jobs.report_answers_warm", ignore_result=True)
def report_answers_warm() -> None:
    """Make the reports' answers asked as of today in the last hours again under the rollups'
    standing of now (reports.answers.warm), so that their readers after a write find them kept.
    No job row: it follows every refresh."""
    warmed = answers.warm(reading_alias())
    logger.info(
        "report answers made again: %d made, %d failed%s, in %.2f s",
        warmed.made,
        warmed.failed,
        ", stopped by a marked action" if warmed.stopped else "",
        warmed.seconds,
    )


@shared_task(name="jobs.rollups_rebuild")
def rollups_rebuild() -> None:
    """Make every rollup row again from the records with a new horizon, as `manage.py rollups
    --rebuild` does, then compare them with the records (`--check`): nightly by beat."""
    job = job_create(
        owner=None,
        kind=JobKind.ROLLUP_REBUILD,
        title="Rebuild of the rollups",
        language=_language(),
    )

    def work(job: Job) -> None:
        computed = rollups.rebuild()
        job_progress(job=job, percent=80)
        differences = rollups.check()
        if differences:
            raise JobFailed(
                f"The rollups were rebuilt ({len(computed.rows)} rows) but differ from the"
                f" records in {len(differences)} places."
            )
        job_done(
            job=job,
            message=f"Rollups rebuilt: {len(computed.rows)} rows, {len(computed.open)} open"
            " follow-up groups; they match the records.",
        )
        _warm_later()

    _run(job.pk, work)


def _refresh_after_commit(sender: Any, **kwargs: Any) -> None:
    """Sent after the commit of a write (reports.rollups.mark): the write is done and its
    answer given whatever happens here. A broker that does not answer leaves the marks for beat's
    next refresh, and the reports read those actions' records meanwhile."""
    try:
        rollups_refresh.delay()
    # kombu and redis raise many kinds of errors; none may fail a write that is done.
    except Exception:
        logger.warning("rollups refresh not sent: the broker did not answer", exc_info=True)


rollups.rollups_marked.connect(_refresh_after_commit, dispatch_uid="jobs-rollups-refresh")
