"""A job's page for the user who started it: its state, a progress bar, the file to download
when done and the message when failed. A static script (static/js/job-progress.js) asks the
status as JSON every second and reloads the page once the job has finished; without script the
page has a link that reloads it. Another user's job, and a job without owner, are 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crossborder.jobs.models import Job, JobState


def _own_job(request: HttpRequest, pk: int, *, with_file: bool = False) -> Job:
    jobs = Job.objects.filter(owner_id=request.user.pk)
    if not with_file:
        jobs = jobs.defer("result")
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "jobs/job_detail.html", {"job": job, "states": JobState})


@require_GET
@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": str(job.get_state_display()),
            "progress": job.progress,
            "finished": job.finished,
        }
    )


@require_GET
@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk, with_file=True)
    if not job.has_file or job.result is None:
        raise Http404
    response = HttpResponse(bytes(job.result), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    return response
