"""The data-quality page: what to look at before a period's figures are submitted, from
reports.quality (which the API's `/api/v1/data-quality/` reads too). It blocks nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .quality import QualityList, may_read_quality, quality_from_params, readable_projects
from .selectors import ReportParameterError

TEMPLATE = "reports/quality.html"


@require_GET
@login_required
def data_quality(request: HttpRequest) -> HttpResponse:
    """`?project=<slug>&semester=2018-S1`, both optional: a parameter not understood is a 400
    naming it; a project the user may not read, a 403."""
    if not may_read_quality(request.user):
        raise PermissionDenied
    context: dict[str, Any] = {
        "projects": list(
            readable_projects(request.user).order_by("slug").values_list("slug", "name")
        ),
        "selected_project": request.GET.get("project", ""),
        "selected_semester": request.GET.get("semester", ""),
    }
    try:
        quality: QualityList = quality_from_params(request.user, request.GET)
    except ReportParameterError as error:
        context["errors"] = [
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        return render(request, TEMPLATE, context, status=400)
    context["quality"] = quality
    return render(request, TEMPLATE, context)
