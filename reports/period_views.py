"""The reporting periods' pages: the list of every project, semester and PES with its status and
what is missing, and a period's page with its actions, its steps and the buttons of the steps
the user may take (projects.periods decides who may; the service takes the step)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from crossborder.core.vocabulary import OrganisationKind
from projects import access
from projects.models import (
    COMMENT_MAX_LENGTH,
    COMMENT_REQUIRED,
    Organisation,
    PeriodStatus,
    Project,
    TransitionKind,
)
from projects.periods import (
    TransitionRefused,
    is_manager,
    may_see_periods,
    period_transition,
    periods_for,
    steps_for,
)

from .periods import PeriodFilters, period_actions, period_rows
from .selectors import ReportParameterError

# The label of each step's button.
STEP_LABELS: dict[str, str | Promise] = {
    TransitionKind.SUBMIT: gettext_lazy("Submit"),
    TransitionKind.APPROVE: gettext_lazy("Approve"),
    TransitionKind.RETURN: gettext_lazy("Return to the PES"),
    TransitionKind.REOPEN: gettext_lazy("Reopen"),
}


def _check_may_see(request: HttpRequest) -> None:
    """Managers and coordinators (and superusers); anyone else logged in gets 403."""
    if not may_see_periods(request.user):
        raise PermissionDenied


@require_GET
@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    """`?project=<slug>&semester=2018-S1&pes=<slug>&status=submitted`, each optional: a
    parameter not understood is a 400 naming it."""
    _check_may_see(request)
    user = request.user
    # The projects to choose from: those whose periods the user sees.
    projects = (
        Project.objects.all()
        if user.is_superuser or is_manager(user)
        else access.projects_editable_by(user)
    )
    context: dict[str, Any] = {
        "projects": list(projects.order_by("slug").values_list("slug", "name")),
        "pes_choices": list(
            Organisation.objects.filter(kind=OrganisationKind.PES)
            .order_by("name")
            .values_list("slug", "name")
        ),
        "statuses": PeriodStatus.choices,
        "selected": {name: request.GET.get(name, "") for name in ("project", "semester", "pes")},
        "selected_status": request.GET.get("status", ""),
    }
    try:
        filters = PeriodFilters.from_params(request.GET)
    except ReportParameterError as error:
        context["errors"] = [
            f"{name}: {message}"
            for name, messages_ in error.message_dict.items()
            for message in messages_
        ]
        return render(request, "reports/periods.html", context, status=400)
    context["periods"] = list(period_rows(user, filters))
    return render(request, "reports/periods.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A period's actions with its PES's figures, its steps (who, when, why) and the buttons of
    the steps the user may take. A POST takes one: `step` and `comment`."""
    _check_may_see(request)
    period = get_object_or_404(periods_for(request.user).select_related("project", "pes"), pk=pk)
    status = 200
    error = ""
    if request.method == "POST":
        kind = request.POST.get("step", "")
        if kind not in TransitionKind.values:
            error, status = _("Not a step of a reporting period."), 400
        else:
            try:
                taken = period_transition(
                    period=period,
                    kind=kind,
                    user=request.user,
                    comment=request.POST.get("comment", ""),
                )
            except PermissionDenied as refused:
                error, status = str(refused), 403
            except TransitionRefused as refused:
                error, status = refused.message, 409
            except ValidationError as refused:
                error, status = " ".join(refused.messages), 400
            else:
                messages.success(
                    request,
                    _("Done: the period is %(status)s.")
                    % {"status": PeriodStatus(taken.status).label},
                )
                return redirect("reports:period-detail", pk=pk)
        period.refresh_from_db()
    context = {
        "period": period,
        "actions": period_actions(period),
        "transitions": list(period.transitions.select_related("by").order_by("at", "pk")),
        "steps": [
            {
                "kind": kind,
                "label": STEP_LABELS[kind],
                "comment_required": kind in COMMENT_REQUIRED,
            }
            for kind in steps_for(request.user, period)
        ],
        "comment_max_length": COMMENT_MAX_LENGTH,
        "error": error,
        "comment": request.POST.get("comment", "") if error else "",
    }
    return render(request, "reports/period_detail.html", context, status=status)
