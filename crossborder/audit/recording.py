"""Where reads are recorded: mixins for the admin of personal data and for the API's viewsets.

Each records after the view has answered, from what the answer shows (the page's rows, the
object of the page, the records of the API's page), so an answer refused or not found records
nothing, and the ids come from the rows already read: no query per jobseeker.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from .models import ReadKind
from .services import read_record

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.response import Response


class AdminReadAuditMixin:
    """For a ModelAdmin whose pages show jobseekers' personal data: its list (the rows of the
    page shown), the page of a record, its deletion page, its history (django-simple-history's
    pages) and the admin's autocomplete that searches it are recorded in the read audit."""

    # How a row of the model names its jobseeker: "pk" for the jobseeker itself.
    read_audit_jobseeker_attribute = "pk"

    def read_audit_jobseeker_id(self, obj: Model) -> int | None:
        value = getattr(obj, self.read_audit_jobseeker_attribute)
        return int(value) if value is not None else None

    def read_audit_record(
        self, request: HttpRequest, kind: ReadKind, rows: Iterable[Model]
    ) -> None:
        read_record(
            user=request.user,
            kind=kind,
            path=request.path,
            jobseeker_ids=[self.read_audit_jobseeker_id(row) for row in rows],
        )

    def _record_shown(
        self, request: HttpRequest, response: HttpResponse, kind: ReadKind, key: str
    ) -> None:
        """Record the object a rendered page shows under `key` of its context."""
        if response.status_code != 200 or not isinstance(response, TemplateResponse):
            return
        obj = (response.context_data or {}).get(key)
        if isinstance(obj, Model):
            self.read_audit_record(request, kind, [obj])

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> Paginator:
        """The admin's autocomplete (picking a jobseeker in a form) answers with the names of
        the jobseekers found, a page at a time, through this paginator: each page is recorded
        as a list. The changelist pages through here too, and is recorded by its view."""
        paginator: Paginator = super().get_paginator(  # type: ignore[misc]
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        admin_site = getattr(self, "admin_site", None)
        site = admin_site.name if admin_site is not None else "admin"
        if request.path != reverse(f"{site}:autocomplete"):
            return paginator
        audit = self

        class RecordingPaginator(type(paginator)):  # type: ignore[misc]
            def page(self, number: int | str) -> Page[Any]:
                page = super().page(number)
                # Read here once; the view then reads the same queryset's cache.
                audit.read_audit_record(request, ReadKind.ADMIN_LIST, page.object_list)
                return page

        return RecordingPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response: HttpResponse = super().changelist_view(  # type: ignore[misc]
            request, extra_context
        )
        if response.status_code == 200 and isinstance(response, TemplateResponse):
            changelist = (response.context_data or {}).get("cl")
            if changelist is not None:
                # The page's rows, read here once: the template then reads the same queryset's
                # cache, so the page costs no second query.
                self.read_audit_record(request, ReadKind.ADMIN_LIST, changelist.result_list)
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response: HttpResponse = super().change_view(  # type: ignore[misc]
            request, object_id, form_url, extra_context
        )
        self._record_shown(request, response, ReadKind.ADMIN_CHANGE, "original")
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response: HttpResponse = super().delete_view(  # type: ignore[misc]
            request, object_id, extra_context
        )
        self._record_shown(request, response, ReadKind.ADMIN_DELETE, "object")
        return response

    def render_history_view(
        self, request: HttpRequest, template: str, context: dict[str, Any], **kwargs: Any
    ) -> HttpResponse:
        """django-simple-history's list of versions ("object") and one version ("original")."""
        response: HttpResponse = super().render_history_view(  # type: ignore[misc]
            request, template, context, **kwargs
        )
        obj = context.get("original", context.get("object"))
        if response.status_code == 200 and isinstance(obj, Model):
            self.read_audit_record(request, ReadKind.ADMIN_HISTORY, [obj])
        return response


class ApiReadAuditMixin:
    """For a viewset of personal data: a list answered (the records of its page) and a record
    read are recorded in the read audit, whatever the format (JSON or CSV)."""

    # The field of the answer's records that holds the jobseeker's id.
    read_audit_jobseeker_field = "id"
    read_audit_kinds = {"list": ReadKind.API_LIST, "retrieve": ReadKind.API_DETAIL}

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(  # type: ignore[misc]
            request, response, *args, **kwargs
        )
        kind = self.read_audit_kinds.get(getattr(self, "action", None) or "")
        if kind is not None and response.status_code == 200 and request.method == "GET":
            data = response.data
            records = data.get("results", [data]) if isinstance(data, dict) else data
            read_record(
                user=request.user,
                kind=kind,
                path=request.path,
                jobseeker_ids=[
                    record.get(self.read_audit_jobseeker_field)
                    for record in records
                    if isinstance(record, dict)
                ],
            )
        return response


def inline_read_record(
    request: HttpRequest, response: HttpResponse, *, model: type[Model], attribute: str
) -> None:
    """Record the jobseekers that a change page's inline of `model` shows (say, the participants
    on an action's page), each named by `attribute` of its rows; the rows are those the
    formset has read for the page, so no query is added."""
    if response.status_code != 200 or not isinstance(response, TemplateResponse):
        return
    inlines = (response.context_data or {}).get("inline_admin_formsets", [])
    read_record(
        user=request.user,
        kind=ReadKind.ADMIN_CHANGE,
        path=request.path,
        jobseeker_ids=[
            getattr(form.instance, attribute)
            for inline in inlines
            if inline.formset.model is model
            for form in inline.formset.initial_forms
        ],
    )


def deletion_read_record(
    request: HttpRequest, response: HttpResponse, *, jobseeker_ids: Iterable[int | None]
) -> None:
    """Record the jobseekers named by a deletion page's summary of what goes with the object
    (say, an action's participation records). Django names the objects only when the user may
    delete them all; otherwise it names their kinds, and nothing is recorded."""
    if response.status_code != 200 or not isinstance(response, TemplateResponse):
        return
    context = response.context_data or {}
    if "deleted_objects" not in context or context.get("perms_lacking") or context.get("protected"):
        return
    read_record(
        user=request.user,
        kind=ReadKind.ADMIN_DELETE,
        path=request.path,
        jobseeker_ids=jobseeker_ids,
    )
