"""The follow-ups' worklist: the follow-ups due and overdue of the user's PES (a superuser's: of
every PES, or of one), filterable by project, action, kind and state, each filled in where it
is listed; and the same follow-ups as a spreadsheet to fill in and import back (a preview, then
a confirmation). Personal data: for the users who may read their PES's (access), the others
get 403, and a record of another PES is unknown (404). Every write goes through
participants.followups."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from actions.models import Action
from crossborder.core import tabular
from crossborder.core.formats import CSV, XLSX
from crossborder.core.versions import StaleVersion
from crossborder.core.vocabulary import OrganisationKind
from crossborder.core.writers import UnknownSeparator, separator
from participants.followup_imports import (
    FollowUpRow,
    read_file,
    record_rows,
    write_follow_ups,
)
from participants.followups import (
    OPEN_STATES,
    follow_up_record,
    follow_up_rows,
    follow_ups_due,
    situation_choices,
)
from participants.models import FollowUpKind, FollowUpSource, FollowUpState, Participation
from projects import access
from projects.models import Organisation, Project

PER_PAGE = 50
# The rows a downloaded spreadsheet holds at most: what an import reads.
DOWNLOAD_MAX_ROWS = tabular.ADMIN_MAX_ROWS
FILTERS = ("pes", "project", "action", "kind", "state")


def _check_may_follow_up(request: HttpRequest) -> None:
    """The follow-ups name jobseekers: for the users who may read their PES's personal data
    (and superusers); anyone else logged in gets 403."""
    if not access.can_read_personal_data(request.user):
        raise PermissionDenied


@dataclass
class ListFilters:
    """What the list is narrowed to; `errors`: the parameters not understood, by name."""

    pes: Organisation | None = None
    project: str = ""
    action: int | None = None
    kind: str | None = None
    states: tuple[str, ...] = OPEN_STATES
    errors: dict[str, str] | None = None

    @classmethod
    def from_params(cls, params: QueryDict, *, may_choose_pes: bool) -> ListFilters:
        filters = cls(errors={})
        assert filters.errors is not None
        pes = params.get("pes", "").strip()
        if pes and may_choose_pes:
            filters.pes = Organisation.objects.filter(kind=OrganisationKind.PES, slug=pes).first()
            if filters.pes is None:
                filters.errors["pes"] = _("“%(value)s” is no PES.") % {"value": pes}
        filters.project = params.get("project", "").strip()
        action = params.get("action", "").strip()
        if action:
            if action.isascii() and action.isdigit() and len(action) <= 18:
                filters.action = int(action)
            else:
                filters.errors["action"] = _("“%(value)s” is no action.") % {"value": action}
        kind = params.get("kind", "").strip()
        if kind:
            if kind in FollowUpKind.values:
                filters.kind = kind
            else:
                filters.errors["kind"] = _("“%(value)s” is no kind of follow-up.") % {"value": kind}
        state = params.get("state", "").strip()
        if state:
            if state in OPEN_STATES:
                filters.states = (state,)
            else:
                filters.errors["state"] = _("Give due or overdue.")
        return filters

    def participations(self, user: Any) -> QuerySet[Participation]:
        """The user's participations, narrowed to the filters."""
        records = access.participations_for(user, Participation.objects.all())
        if self.project:
            records = records.filter(action__project__slug=self.project)
        if self.action is not None:
            records = records.filter(action_id=self.action)
        return records


def _rows(request: HttpRequest, filters: ListFilters, as_of: datetime.date) -> QuerySet[Any]:
    return follow_ups_due(
        as_of=as_of,
        pes=filters.pes,
        participations=filters.participations(request.user),
        states=filters.states,
        kind=filters.kind,
    )


def _query(params: QueryDict) -> str:
    """The filters of a list as a query string, for its links and its forms' way back."""
    kept = QueryDict(mutable=True)
    for name in FILTERS:
        value = params.get(name, "").strip()
        if value:
            kept[name] = value
    return kept.urlencode()


def _list_response(
    request: HttpRequest,
    params: QueryDict,
    *,
    status: int = 200,
    error: str = "",
    failed: tuple[int, str] | None = None,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    may_choose_pes = user.is_superuser
    filters = ListFilters.from_params(params, may_choose_pes=may_choose_pes)
    query = _query(params)
    context: dict[str, Any] = {
        "today": today,
        "query": query,
        "selected": {name: params.get(name, "").strip() for name in FILTERS},
        "kinds": FollowUpKind.choices,
        "states": [(state, FollowUpState(state).label) for state in OPEN_STATES],
        "sources": FollowUpSource.choices,
        "situations": {kind: situation_choices(kind) for kind in FollowUpKind.values},
        "pes_choices": (
            list(
                Organisation.objects.filter(kind=OrganisationKind.PES)
                .order_by("name")
                .values_list("slug", "name")
            )
            if may_choose_pes
            else []
        ),
        "own_pes": access.own_pes(user),
        "error": error,
        "failed": failed,
        "grace": settings.FOLLOW_UP_GRACE_DAYS,
    }
    if filters.errors:
        context["errors"] = [f"{name}: {message}" for name, message in filters.errors.items()]
        return render(request, "reports/follow_ups.html", context, status=400)
    scope = access.participations_for(user, Participation.objects.all())
    context["projects"] = list(
        Project.objects.filter(pk__in=scope.values("action__project"))
        .order_by("slug")
        .values_list("slug", "name")
    )
    if filters.action is not None:
        context["action"] = Action.objects.filter(pk=filters.action).first()
    page = Paginator(_rows(request, filters, today), PER_PAGE).get_page(params.get("page"))
    context["page"] = page
    context["listed"] = True
    context["rows"] = follow_up_rows(page.object_list)
    return render(request, "reports/follow_ups.html", context, status=status)


@require_GET
@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """`?project=<slug>&action=<id>&kind=on_leaving&state=overdue&pes=<slug>&page=2`, each
    optional (`pes` for a superuser): a parameter not understood is a 400 naming it."""
    _check_may_follow_up(request)
    return _list_response(request, request.GET)


def _back(params: QueryDict) -> str:
    query = _query(params)
    page = params.get("page", "").strip()
    if page.isdigit():
        query = f"{query}&page={page}" if query else f"page={page}"
    url = reverse("reports:follow-ups")
    return f"{url}?{query}" if query else url


@require_POST
@login_required
def follow_up_record_view(request: HttpRequest) -> HttpResponse:
    """Record one follow-up from its row's form: `participation`, `kind`, `version` (the one
    the row showed), `situation`, `checked_on` and `source`; `next`: the list's query string.
    Back to the list with a message; a refusal shows the list again with it (400; 409 when the
    record changed since the list was shown)."""
    _check_may_follow_up(request)
    back = QueryDict(request.POST.get("next", ""))
    pk, version = request.POST.get("participation", ""), request.POST.get("version", "")
    if not (pk.isdigit() and len(pk) <= 18 and version.isdigit() and len(version) <= 9):
        return _list_response(
            request, back, status=400, error=_("The form lacks its record; reload the page.")
        )
    participation = get_object_or_404(
        access.participations_for(
            request.user, Participation.objects.select_related("action", "jobseeker__pes")
        ),
        pk=int(pk),
    )
    kind = request.POST.get("kind", "")
    failed = (participation.pk, kind)
    checked_on: datetime.date | None = None
    day = request.POST.get("checked_on", "").strip()
    try:
        checked_on = datetime.date.fromisoformat(day) if day else None
        if checked_on is None:
            raise ValidationError({"checked_on": _("Required: the day it was checked.")})
        follow_up_record(
            participation=participation,
            kind=kind,
            situation=request.POST.get("situation", ""),
            checked_on=checked_on,
            source=request.POST.get("source", ""),
            user=request.user,
            expected_version=int(version),
        )
    except ValueError:
        error = _("“%(value)s” is no day; give it as 2027-02-28.") % {"value": day}
        return _list_response(request, back, status=400, error=error, failed=failed)
    except StaleVersion:
        error = _(
            "%(who)s: someone changed this record since the list was shown; here it is as it "
            "is now. Record the follow-up again if it is still due."
        ) % {"who": participation.jobseeker.external_ref}
        return _list_response(request, back, status=409, error=error, failed=failed)
    except ValidationError as refused:
        error = "; ".join(
            f"{_field_label(name)}: {message}" if name != "__all__" else message
            for name, messages_ in refused.message_dict.items()
            for message in messages_
        )
        error = _("%(who)s not recorded. %(why)s") % {
            "who": participation.jobseeker.external_ref,
            "why": error,
        }
        return _list_response(request, back, status=400, error=error, failed=failed)
    messages.success(
        request,
        _("Recorded: %(kind)s of %(who)s in %(action)s.")
        % {
            "kind": FollowUpKind(kind).label,
            "who": participation.jobseeker.external_ref,
            "action": participation.action.reference,
        },
    )
    return redirect(_back(back))


def _field_label(name: str) -> str:
    labels = {
        "situation": _("situation"),
        "checked_on": _("checked on"),
        "source": _("source"),
        "kind": _("kind"),
    }
    return str(labels.get(name, name))


@require_GET
@login_required
def follow_up_download(request: HttpRequest) -> HttpResponse:
    """The follow-ups of the list (its filters, every page up to DOWNLOAD_MAX_ROWS) as the
    follow-up spreadsheet, to fill in and import: `?format=xlsx` (default) or `csv`, the CSV
    separated as `sep` asks (`;`, `,` or `tab`), else as the Excel of the language splits."""
    _check_may_follow_up(request)
    file_format = {"xlsx": XLSX, "csv": CSV}.get(request.GET.get("format", "xlsx"))
    filters = ListFilters.from_params(request.GET, may_choose_pes=request.user.is_superuser)
    if file_format is None or filters.errors:
        return HttpResponse(
            _("Give format=xlsx or format=csv, and filters the list understands."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    sep = request.GET.get("sep")
    try:
        # Checked before the follow-ups are read: a wrong `sep` costs no query.
        separator(sep, get_language() or settings.LANGUAGE_CODE)
    except UnknownSeparator as error:
        return HttpResponse(f"sep: {error}\n", status=400, content_type="text/plain; charset=utf-8")
    rows = follow_up_rows(_rows(request, filters, timezone.localdate())[:DOWNLOAD_MAX_ROWS])
    content = write_follow_ups(rows, file_format.name, sep)
    response = HttpResponse(content, content_type=file_format.content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{file_format.filename(f"follow-ups-{stamp}")}"'
    )
    return response


def _signer(request: HttpRequest) -> signing.TimestampSigner:
    """What signs a preview's rows for its confirmation. The other imports keep the uploaded
    file for it (crossborder.uploads.ImportPreview), which belongs to one action; a follow-up
    file spans actions, so the preview sends back the rows it checked instead: a few values
    each (no name), signed so that they cannot be changed, salted with the user so that a
    confirmation is only ever theirs, and valid for IMPORT_PREVIEW_LIFETIME minutes. The
    confirmation checks every row again (scope and rules) before it writes."""
    return signing.TimestampSigner(salt=f"follow-up-import:{request.user.pk}")


def _preview_response(
    request: HttpRequest,
    *,
    rows: list[FollowUpRow],
    problems: list[tabular.Problem],
    status: int = 200,
    refusal: str = "",
) -> HttpResponse:
    context: dict[str, Any] = {
        "rows": rows,
        "problems": [str(problem) for problem in problems],
        "refusal": refusal,
        "pes_slugs": dict(
            Organisation.objects.filter(kind=OrganisationKind.PES).values_list("pk", "slug")
        ),
    }
    if rows and not problems and not refusal:
        context["payload"] = _signer(request).sign_object(
            [row.as_list() for row in rows], compress=True
        )
    return render(request, "reports/follow_ups_import.html", context, status=status)


@require_POST
@login_required
def follow_up_import(request: HttpRequest) -> HttpResponse:
    """A filled-in follow-up spreadsheet: `file` (upload) checks it and shows what it would
    record, writing nothing (the same checks and writes as the import, rolled back); `rows`
    (the preview's confirmation) records it, all or nothing. A row refused names its row and
    column, and nothing is written."""
    _check_may_follow_up(request)
    scope = access.participations_for(request.user, Participation.objects.all())
    if "rows" in request.POST:
        try:
            values = _signer(request).unsign_object(
                request.POST["rows"], max_age=settings.IMPORT_PREVIEW_LIFETIME * 60
            )
            rows = [FollowUpRow.from_list(item) for item in values]
        except (signing.BadSignature, TypeError, ValueError):
            refusal = _("This preview has expired or is not yours: upload the file again.")
            return _preview_response(request, rows=[], problems=[], status=400, refusal=refusal)
        result = record_rows(rows, participations=scope, user=request.user, dry_run=False)
        if not result.ok:
            return _preview_response(request, rows=rows, problems=result.problems, status=400)
        messages.success(
            request,
            ngettext(
                "Recorded %(count)s follow-up from the file.",
                "Recorded %(count)s follow-ups from the file.",
                len(rows),
            )
            % {"count": len(rows)},
        )
        return redirect("reports:follow-ups")
    upload = request.FILES.get("file")
    if upload is None:
        refusal = _("Choose the filled-in follow-up spreadsheet (.xlsx or .csv).")
        return _preview_response(request, rows=[], problems=[], status=400, refusal=refusal)
    try:
        tabular.check_size(upload.size or 0)
        rows, problems = read_file(upload.name or "", upload.read())
    except tabular.FileRefused as refused:
        return _preview_response(request, rows=[], problems=[], status=400, refusal=refused.message)
    if not problems:
        problems = record_rows(rows, participations=scope, user=request.user, dry_run=True).problems
    if not rows and not problems:
        refusal = _("The file records no follow-up: fill in the situation, date and source.")
        return _preview_response(request, rows=[], problems=[], status=400, refusal=refusal)
    return _preview_response(request, rows=rows, problems=problems, status=400 if problems else 200)
