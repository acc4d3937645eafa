"""Every job, the periodic work's too (the retention run, the digests), for the operators: read
only, as the tasks alone write them. The files are not shown: their owners download them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from crossborder.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "title",
        "owner",
        "state",
        "progress",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "state"]
    list_select_related = ["owner"]
    exclude = ["result"]
    readonly_fields = [
        "owner",
        "kind",
        "title",
        "language",
        "state",
        "progress",
        "message",
        "back_url",
        "result_name",
        "result_type",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return super().get_queryset(request).defer("result")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
