"""Admin of programmes, projects and organisations, and the role rules every admin applies.

Who gets in: only staff users (the demo makes the coordinator staff). Managers read dashboards
and partners use the API, so they are not staff; should one be made staff, the rules below and
the group permissions (projects/roles.py) still hold: a manager only reads, a partner only
touches its own PES's jobseekers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from crossborder.core.vocabulary import in_each_language

from .access import actions_editable_by, projects_editable_by
from .models import (
    BorderOfficePair,
    FormerName,
    Indicator,
    Membership,
    Office,
    Organisation,
    Programme,
    Project,
    ProjectPartner,
    Target,
    WorkPackage,
)


def _editable_project_ids(request: HttpRequest) -> set[int] | None:
    """The projects the user may change (None: all), once per request."""
    if request.user.is_superuser:
        return None
    cached: set[int] | None = request.__dict__.get("_crossborder_editable_projects")
    if cached is None:
        cached = set(projects_editable_by(request.user).values_list("pk", flat=True))
        request.__dict__["_crossborder_editable_projects"] = cached
    return cached


def _project_id(obj: models.Model, path: str) -> int | None:
    """The id of the project an object belongs to, along a path like "action__project"."""
    if not path:
        return obj.pk
    *parents, last = path.split("__")
    parent: models.Model | None = obj
    for name in parents:
        parent = getattr(parent, name, None)
        if parent is None:
            return None
    return getattr(parent, f"{last}_id", None)


def may_edit_project(request: HttpRequest, project_id: int | None) -> bool:
    editable = _editable_project_ids(request)
    return editable is None or project_id in editable


# What the mixins below are mixed into, for the type checker: a model admin, an inline.
if TYPE_CHECKING:
    _ModelAdminBase = admin.options.BaseModelAdmin[Any]
    _InlineBase = admin.options.InlineModelAdmin[Any, Any]
else:
    _ModelAdminBase = _InlineBase = object


class ScopedForeignKeysMixin(_ModelAdminBase):
    """Choices of a project or an action limited to those the user may change, with a message
    that says why another one is refused."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        from actions.models import Action

        if not request.user.is_superuser:
            if db_field.related_model is Project:
                kwargs["queryset"] = projects_editable_by(request.user)
            elif db_field.related_model is Action:
                kwargs["queryset"] = actions_editable_by(request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Project:
            field.error_messages["invalid_choice"] = _(
                "Choose a project your organisation takes part in; ask its coordinator for others."
            )
        elif field is not None and db_field.related_model is Action:
            field.error_messages["invalid_choice"] = _(
                "Choose an action of a project your organisation takes part in."
            )
        return field


class ProjectScopedAdmin(ScopedForeignKeysMixin, SimpleHistoryAdmin):
    """Programme data of one project: everyone with a role reads it (the group permissions); a
    coordinator changes and deletes it only in the projects its organisation takes part in, and
    sees the others read-only."""

    # From the model to its project; "" when the model is the project.
    project_path = "project"

    def may_edit(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return obj is None or may_edit_project(request, _project_id(obj, self.project_path))

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Bulk deletion checks no object: coordinators delete one object at a time, on its page.
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions


class ProjectScopedInlineMixin(_InlineBase):
    """An inline of a project's or an action's page: editable only where the parent is."""

    # From the parent object to its project; "" when the parent is the project.
    parent_project_path = ""

    def _may_edit(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return obj is None or may_edit_project(request, _project_id(obj, self.parent_project_path))

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class SlugKeptMixin(_ModelAdminBase):
    """A slug in use never changes (projects.models.check_slug_kept): read-only once saved,
    and no longer filled in from the name."""

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        has_slug = any(field.name == "slug" for field in self.opts.fields)
        if has_slug and obj is not None and obj.pk is not None and "slug" not in fields:
            fields.append("slug")
        return fields

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> dict[str, Sequence[str]]:
        if obj is not None and obj.pk is not None:
            return {}
        return dict(super().get_prepopulated_fields(request, obj))


class SuperuserWritesAdmin(SlugKeptMixin, SimpleHistoryAdmin):
    """Master data (programmes, organisations, indicators and targets, a project's partners):
    read by every role, written by superusers only (projects/roles.py says why)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser


class SuperuserWritesInlineMixin(_InlineBase):
    """Master data shown on another page (a project's partners and targets, an organisation's
    offices and former names): read-only but for superusers."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Programme)
class ProgrammeAdmin(SuperuserWritesAdmin, TranslationAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class FormerNameInline(SuperuserWritesInlineMixin, admin.TabularInline):
    model = FormerName
    extra = 0


class OfficeInline(SuperuserWritesInlineMixin, admin.TabularInline):
    model = Office
    extra = 0
    fields = ["name", "slug", "city"]


@admin.register(Organisation)
class OrganisationAdmin(SuperuserWritesAdmin):
    list_display = ["name", "slug", "kind", "country", "territory", "city"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "former_names__name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormerNameInline, OfficeInline]


@admin.register(FormerName)
class FormerNameAdmin(SuperuserWritesAdmin):
    list_display = ["name", "organisation", "used_until"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(ProjectPartner)
class ProjectPartnerAdmin(SuperuserWritesAdmin):
    list_display = ["organisation", "project", "role"]
    list_filter = ["project", "role"]
    search_fields = ["organisation__name", "project__name_en"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "project"]


@admin.register(Office)
class OfficeAdmin(SuperuserWritesAdmin):
    list_display = ["name", "organisation", "city"]
    list_filter = ["organisation"]
    search_fields = ["name", "city", "slug"]
    autocomplete_fields = ["organisation"]


@admin.register(BorderOfficePair)
class BorderOfficePairAdmin(SuperuserWritesAdmin):
    list_display = ["office", "partner_office"]
    list_filter = ["office__organisation"]
    search_fields = ["office__name", "partner_office__name"]
    autocomplete_fields = ["office", "partner_office"]


class ProjectPartnerInline(SuperuserWritesInlineMixin, admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class WorkPackageInline(ProjectScopedInlineMixin, TranslationTabularInline):
    model = WorkPackage
    extra = 0
    autocomplete_fields = ["coordinator"]


class TargetInline(SuperuserWritesInlineMixin, admin.TabularInline):
    model = Target
    extra = 0


# A project's identity: what names it and places it in the programme. Superusers change it;
# a coordinator changes the rest (summary, work packages) of the projects it takes part in.
PROJECT_IDENTITY_FIELDS = (
    "slug",
    *in_each_language("name"),
    "programme",
    "lead_partner",
    "starts_on",
    "ends_on",
)


@admin.register(Project)
class ProjectAdmin(SlugKeptMixin, ProjectScopedAdmin, TranslationAdmin):
    project_path = ""
    list_display = [
        "name",
        "slug",
        "programme",
        "lead_partner",
        "starts_on",
        "ends_on",
        "dashboard",
    ]
    list_filter = ["programme"]
    search_fields = [*in_each_language("name"), "slug"]
    autocomplete_fields = ["lead_partner"]
    list_select_related = ["programme", "lead_partner"]
    inlines = [ProjectPartnerInline, WorkPackageInline, TargetInline]
    readonly_fields = ["dashboard"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in PROJECT_IDENTITY_FIELDS if name not in fields]
        return fields

    @admin.display(description=_("dashboard"))
    def dashboard(self, project: Project) -> str:
        if not project.pk:
            return "-"
        url = reverse("reports:project-detail", args=[project.slug])
        return format_html('<a href="{}">{}</a>', url, _("Project dashboard"))


@admin.register(WorkPackage)
class WorkPackageAdmin(ProjectScopedAdmin, TranslationAdmin):
    list_display = ["code", "name", "project", "coordinator"]
    list_filter = ["project"]
    search_fields = ["code", *in_each_language("name")]
    autocomplete_fields = ["coordinator"]
    list_select_related = ["project", "coordinator"]


@admin.register(Indicator)
class IndicatorAdmin(SuperuserWritesAdmin, TranslationAdmin):
    list_display = ["code", "name", "unit", "source", "action_types"]
    list_filter = ["unit", "source"]
    search_fields = ["code", *in_each_language("name")]


@admin.register(Target)
class TargetAdmin(SuperuserWritesAdmin):
    list_display = ["project", "indicator", "kind", "year", "value"]
    list_filter = ["project", "indicator", "kind", "year"]
    search_fields = ["indicator__code", "project__name_en"]
    list_select_related = ["project", "indicator"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


admin.site.site_header = _("Crossborder administration")
admin.site.site_title = _("Crossborder")
admin.site.index_title = _("Programmes, actions and participants")
