"""Admin of programmes, projects and organisations, and the role rules every admin applies.

Who gets in: only staff users (the demo makes the coordinator staff). Managers read dashboards
and partners use the API, so they are not staff; should one be made staff, the rules below and
the group permissions (projects/roles.py) still hold: a manager only reads, a partner only
touches its own PES's jobseekers.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from actions.services import DELETION_REASON_MAX_LENGTH, delete_with_reason
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


# Where delete_view leaves the reason for delete_model, on the request.
DELETION_REASON_KEY = "_crossborder_deletion_reason"


def may_edit_project(request: HttpRequest, project_id: int | None) -> bool:
    editable = _editable_project_ids(request)
    return editable is None or project_id in editable


# What the mixins below are mixed into, for the type checker: a model admin, an inline.
if TYPE_CHECKING:
    from django.template.response import _TemplateForResponseT

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


DJANGO_DELETE_TEXTS = {
    "question": (
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the '
        "following related items will be deleted:"
    ),
    "objects": "Objects",
    "confirm": "Yes, I\u2019m sure",
    "cancel": "No, take me back",
}


class DeletionReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=DELETION_REASON_MAX_LENGTH,
        help_text=_("Why the record is deleted: kept in its history."),
    )


class DeleteWithReasonMixin(_ModelAdminBase):
    """Records the reports count (jobseekers, participation records, figures, actions): no bulk
    delete, which would change the figures unseen, and a single delete names its reason, which
    the record's history keeps with the deletion."""

    delete_confirmation_template: ClassVar[_TemplateForResponseT | None] = (
        "admin/delete_with_reason.html"
    )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        form = DeletionReasonForm(request.POST if request.method == "POST" else None)
        if form.is_bound and not form.is_valid():
            # Django deletes on any POST: without a reason the page is shown again, as on a
            # GET, with the form's message, and nothing is deleted.
            request = copy.copy(request)
            request.method = "GET"
            request.POST = QueryDict()
        elif form.is_bound:
            request.__dict__[DELETION_REASON_KEY] = form.cleaned_data["reason"]
        context = {**(extra_context or {}), "reason_form": form}
        return super().delete_view(request, object_id, context)  # type: ignore[misc]

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        # Django's own sentences of its confirmation page, looked up in Django's catalogue (a
        # name, not a literal, so they are not copied into ours).
        texts = {key: gettext(message) for key, message in DJANGO_DELETE_TEXTS.items()}
        texts["question"] %= {
            "object_name": context["object_name"],
            "escaped_object": context["object"],
        }
        context = {**context, "texts": texts}
        return super().render_delete_form(request, context)  # type: ignore[misc]

    def deletion_reason(self, request: HttpRequest) -> str:
        """The reason given on the confirmation page (delete_view checked it)."""
        reason: str = request.__dict__[DELETION_REASON_KEY]
        return reason

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            held = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
            if held is not None:
                delete_with_reason(held, reason=self.deletion_reason(request), user=request.user)


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
