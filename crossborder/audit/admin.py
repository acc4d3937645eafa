"""The read audit in the admin: read by superusers only, never added to, changed or deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ReadEvent

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices

FIELDS = (
    "at",
    "user",
    "username",
    "role",
    "organisation",
    "kind",
    "path",
    "jobseeker_count",
    "jobseeker_ids",
)


class JobseekerIdFilter(admin.SimpleListFilter):
    """The reads that showed one jobseeker, by its id (the id of its admin page and of the
    API): a box to type it in, since a list of every jobseeker would be the personal data."""

    title = _("jobseeker id")
    parameter_name = "jobseeker"
    template = "admin/audit/jobseeker_id_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, f"#{value}")] if value else []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            # Not an id: no jobseeker has it.
            return queryset.none()
        return queryset.filter(jobseekers__jobseeker_id=int(value))


@admin.register(ReadEvent)
class ReadEventAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "role", "organisation", "kind", "path", "jobseeker_count"]
    list_filter = [
        JobseekerIdFilter,
        ("user", admin.RelatedOnlyFieldListFilter),
        "kind",
        "at",
    ]
    date_hierarchy = "at"
    search_fields = ["username", "path"]
    fields = FIELDS
    readonly_fields = FIELDS
    list_select_related = False
    show_full_result_count = False
    actions = None

    @admin.display(description=_("jobseeker ids"))
    def jobseeker_ids(self, obj: ReadEvent) -> str:
        return ", ".join(
            str(pk)
            for pk in obj.jobseekers.order_by("jobseeker_id").values_list("jobseeker_id", flat=True)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    # Append-only: entries are written by the read audit's service, deleted by its retention.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
