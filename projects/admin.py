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
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.translator import translator
from simple_history.admin import SimpleHistoryAdmin

from actions.models import Action
from actions.services import DELETION_REASON_MAX_LENGTH, delete_with_reason
from crossborder.core.translated import missing_languages
from crossborder.core.versions import Versioned, lock_current
from crossborder.core.vocabulary import in_each_language

from .access import actions_editable_by, projects_editable_by
from .models import (
    BorderOfficePair,
    FormerName,
    Indicator,
    Membership,
    Office,
    Organisation,
    PeriodTransition,
    Programme,
    Project,
    ProjectPartner,
    ReportingPeriod,
    Target,
    WorkPackage,
)
from .periods import may_see_periods, periods_for


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
        try:
            return super().delete_view(request, object_id, context)  # type: ignore[misc]
        except ValidationError as refused:
            # A record of a submitted or approved reporting period (the services and
            # delete_model refuse it, and the deletion's transaction is rolled back): the reason,
            # on the record's page.
            messages.error(request, " ".join(refused.messages))
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

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
            if held is None:
                return
            # An action takes its figures and records with it: not out of a locked period.
            refusal = held.deletion_refusal() if isinstance(held, Action) else None
            if refusal:
                raise ValidationError(refusal)
            delete_with_reason(held, reason=self.deletion_reason(request), user=request.user)


# The hidden field of a change form that carries the version the record had when the form was
# opened (crossborder.core.versions).
BASED_ON_VERSION = "based_on_version"


def stale_save_message(obj: Versioned) -> str:
    """Who changed a record last and when, from its history: why a save over it is refused."""
    history = getattr(obj, "history", None)
    latest = history.order_by("-history_date").first() if history is not None else None
    who = (latest.history_user if latest is not None else None) or gettext("someone else")
    when = (
        date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT")
        if latest is not None
        else gettext("meanwhile")
    )
    return gettext(
        "%(who)s changed this record (%(when)s) after you opened it. Your input is kept below: "
        "open the record in another tab to see their change, then save again to replace it "
        "with yours."
    ) % {"who": who, "when": when}


def _set_bound_value(form: forms.BaseForm, name: str, value: object) -> None:
    """Show another value in a bound form's field when it is rendered again."""
    data = QueryDict(mutable=True)
    for key in form.data:
        data.setlist(
            key, form.data.getlist(key) if isinstance(form.data, QueryDict) else [form.data[key]]
        )
    data[form.add_prefix(name)] = str(value)
    form.data = data


def versioned_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """A model form that carries the record's version in a hidden field and refuses to save over
    a newer one. Refused, the field takes the current version: a second save, made knowing
    the other change, replaces it."""

    class VersionedForm(form_class):  # type: ignore[valid-type,misc]
        based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.instance.pk is not None:
                self.fields[BASED_ON_VERSION].initial = self.instance.version

        def has_changed(self) -> bool:
            # The version alone is no change of an inline's row.
            return any(name != BASED_ON_VERSION for name in self.changed_data)

        def clean(self) -> dict[str, Any]:
            cleaned: dict[str, Any] = super().clean()
            based_on = cleaned.get(BASED_ON_VERSION)
            # A form posted without the field (not opened in the admin) is not checked.
            if self.instance.pk is None or based_on is None or not self.has_changed():
                return cleaned
            if based_on != self.instance.version:
                _set_bound_value(self, BASED_ON_VERSION, self.instance.version)
                raise ValidationError(stale_save_message(self.instance))
            return cleaned

    VersionedForm.__name__ = form_class.__name__
    return VersionedForm


def _without_version(fields: Sequence[Any]) -> list[Any]:
    return [field for field in fields if field != BASED_ON_VERSION]


class StaleSaveRefusedMixin(_ModelAdminBase):
    """The change form of a versioned record (an action, a figure, a jobseeker, a participation
    record) carries the version it was opened with; saving over a newer version is refused,
    naming who changed the record and when, and the user's input stays in the form. The row is
    locked from the moment the save reads it (the admin's change view is one transaction), so
    that the check and the save are one step."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("form", versioned_form(self.form))
        # `change` by name: modeltranslation's get_form takes no third argument.
        return super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (name, {**options, "fields": _without_version(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]
        # Only where the record can be saved: a page that only shows it would show the version
        # as a read-only field.
        if obj is not None and fieldsets and self.has_change_permission(request, obj):
            name, options = fieldsets[0]
            fields = [*options["fields"], BASED_ON_VERSION]
            fieldsets[0] = (name, {**options, "fields": fields})
        return fieldsets

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and request.method == "POST":
            try:
                lock_current(obj, None)
            except ObjectDoesNotExist:
                return None
        return obj


class StaleRowRefusedInlineMixin(_InlineBase):
    """An inline's rows of versioned records, each with the version it was shown at: a row
    changed since is refused like a stale change form (StaleSaveRefusedMixin)."""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = _without_version(super().get_fields(request, obj))
        # Only where rows can be changed (see StaleSaveRefusedMixin.get_fieldsets).
        if self.has_change_permission(request, obj):
            fields.append(BASED_ON_VERSION)
        return fields

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("form", versioned_form(self.form))
        return super().get_formset(request, obj, **kwargs)


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


# Texts in every language (modeltranslation): the coordinator writes in their own language.

# The read-only line of a change form that lists the translations still to write.
MISSING_TRANSLATIONS = "missing_translations"


def translated_fields(model: type[models.Model]) -> list[str]:
    """The model's fields kept in every language of the site, in the model's order."""
    names = translator.get_options_for_model(model).all_fields
    return [field.name for field in model._meta.fields if field.name in names]


def _model_field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def language_names(codes: Sequence[str]) -> str:
    """Languages by their names in the active language: "Dutch, French"."""
    names = dict(settings.LANGUAGES)
    return ", ".join(str(names[code]) for code in codes)


def missing_translations_text(obj: models.Model) -> str:
    """Each translated field written in some language and not in all, with the languages it
    lacks: "Title: French; Description: English, Dutch"; "none" when nothing is missing."""
    lines = []
    for name in translated_fields(type(obj)):
        missing = missing_languages(obj, name)
        if missing:
            label = capfirst(str(_model_field(type(obj), name).verbose_name))
            lines.append(f"{label}: {language_names(missing)}")
    return "; ".join(lines) or gettext("none")


def one_language_form(form_class: type[forms.BaseForm], model: type[models.Model]) -> Any:
    """A form in which a required translated text (a title, a name) may be written in any one
    language of the site: modeltranslation requires the default language's, which a Dutch or
    French coordinator may not write. Without any, the form says so, naming the field."""
    required = [name for name in translated_fields(model) if not _model_field(model, name).blank]

    class OneLanguageForm(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for name in required:
                for column in in_each_language(name):
                    if column in self.fields:
                        self.fields[column].required = False

        def clean(self) -> dict[str, Any]:
            cleaned: dict[str, Any] = super().clean() or {}
            for name in required:
                columns = [column for column in in_each_language(name) if column in self.fields]
                if columns and not any(str(cleaned.get(c) or "").strip() for c in columns):
                    label = capfirst(str(_model_field(model, name).verbose_name))
                    self.add_error(
                        None,
                        gettext("%(field)s: give it in at least one language.") % {"field": label},
                    )
            return cleaned

    OneLanguageForm.__name__ = form_class.__name__
    return OneLanguageForm


def _grouped_by_field(fields: Sequence[Any], translated: Sequence[str]) -> list[Any]:
    """A fieldset's fields with the languages of each translated field on one line, side by
    side (title en / nl / fr), where modeltranslation puts one line per language."""
    base_of = {column: name for name in translated for column in in_each_language(name)}
    grouped: list[Any] = []
    for field in fields:
        base = base_of.get(field) if isinstance(field, str) else None
        previous = grouped[-1] if grouped else None
        if (
            base is not None
            and isinstance(previous, tuple)
            and all(base_of.get(column) == base for column in previous)
        ):
            grouped[-1] = (*previous, field)
        elif base is not None:
            grouped.append((field,))
        else:
            grouped.append(field)
    return grouped


class TranslatedTextsMixin(_ModelAdminBase):
    """The change form of a model with texts in every language (a TranslationAdmin): each text
    is required in one language at least, whichever; its languages side by side; and a
    read-only line listing the translations still missing."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # `change` by name: modeltranslation's get_form takes no third argument.
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        return one_language_form(form, self.model)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and MISSING_TRANSLATIONS not in fields:
            fields.append(MISSING_TRANSLATIONS)
        return fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        translated = translated_fields(self.model)
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (
                name,
                {
                    **options,
                    "fields": _grouped_by_field(
                        [f for f in options["fields"] if f != MISSING_TRANSLATIONS], translated
                    ),
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and fieldsets:
            name, options = fieldsets[0]
            fields = [MISSING_TRANSLATIONS, *list(options["fields"])]
            fieldsets[0] = (name, {**options, "fields": fields})
        return fieldsets

    @admin.display(description=_("missing translations"))
    def missing_translations(self, obj: models.Model) -> str:
        return missing_translations_text(obj)


class TranslatedTextsInlineMixin(_InlineBase):
    """An inline's rows with texts in every language: each required text in one language at
    least, whichever (see TranslatedTextsMixin)."""

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        form = one_language_form(formset.form, self.model)
        return type(formset.__name__, (formset,), {"form": form})


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
class ProgrammeAdmin(TranslatedTextsMixin, SuperuserWritesAdmin, TranslationAdmin):
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
class OrganisationAdmin(TranslatedTextsMixin, SuperuserWritesAdmin, TranslationAdmin):
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


class WorkPackageInline(
    TranslatedTextsInlineMixin, ProjectScopedInlineMixin, TranslationTabularInline
):
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
class ProjectAdmin(TranslatedTextsMixin, SlugKeptMixin, ProjectScopedAdmin, TranslationAdmin):
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
class WorkPackageAdmin(TranslatedTextsMixin, ProjectScopedAdmin, TranslationAdmin):
    list_display = ["code", "name", "project", "coordinator"]
    list_filter = ["project"]
    search_fields = ["code", *in_each_language("name")]
    autocomplete_fields = ["coordinator"]
    list_select_related = ["project", "coordinator"]


@admin.register(Indicator)
class IndicatorAdmin(TranslatedTextsMixin, SuperuserWritesAdmin, TranslationAdmin):
    list_display = ["code", "name", "unit", "rule", "source", "action_types"]
    list_filter = ["rule", "unit", "source"]
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


class PeriodTransitionInline(admin.TabularInline):
    model = PeriodTransition
    readonly_fields = ("kind", "status", "by", "at", "comment")
    fields = readonly_fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    """Reporting periods and their steps, read only: a period moves only through its steps (its
    page on the site, or the API), which record who took each, when and why."""

    list_display = ["project", "period_label", "pes", "status"]
    list_filter = ["status", "pes", "project", "year"]
    list_select_related = ["project", "pes"]
    inlines = [PeriodTransitionInline]
    readonly_fields = ("project", "year", "semester", "pes", "status")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[ReportingPeriod]:
        return periods_for(request.user, super().get_queryset(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_periods(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_periods(request.user) or super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PeriodTransition)
class PeriodTransitionAdmin(admin.ModelAdmin):
    """Every step taken on a reporting period, read only (append-only: see the model)."""

    list_display = ["period", "kind", "status", "by", "at"]
    list_filter = ["kind", "status"]
    list_select_related = ["period__project", "period__pes", "by"]
    readonly_fields = ("period", "kind", "status", "by", "at", "comment")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[PeriodTransition]:
        periods = periods_for(request.user)
        return super().get_queryset(request).filter(period__in=periods.values("pk"))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_see_periods(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_see_periods(request.user) or super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
