"""Admin of actions: the coordinators' daily work of entering actions, figures and participants."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from crossborder.audit.recording import deletion_read_record, inline_read_record
from crossborder.core import tabular
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import (
    STARTED_STATUSES,
    ActionStatus,
    OrganisationKind,
    in_each_language,
)
from crossborder.core.writers import UnknownSeparator
from crossborder.jobs import tasks as jobs
from crossborder.uploads.services import preview_discard, preview_find, preview_store
from participants.models import Participation
from participants.services import participation_delete
from projects.access import (
    can_write_personal_data,
    jobseekers_for,
    own_pes,
    participations_for,
)
from projects.admin import (
    DeleteWithReasonMixin,
    ProjectScopedAdmin,
    ProjectScopedInlineMixin,
    StaleRowRefusedInlineMixin,
    StaleSaveRefusedMixin,
    TranslatedTextsInlineMixin,
    TranslatedTextsMixin,
    may_edit_project,
    translated_fields,
)
from projects.models import Organisation

from . import imports as figure_imports
from .history import inline_changes
from .models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector
from .services import DELETION_REASON_MAX_LENGTH, action_complete, action_copy, figure_delete

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _Totals(TypedDict):
        """What ActionAdmin.get_queryset annotates an action with."""

        starts_total: int
        figure_count: int


IMPORT_KINDS = ("participations", "figures")
EXPORT_FORMATS = [CSV, XLSX]


class DeletionReasonInlineForm(forms.ModelForm):
    """A row of an inline whose deletion names its reason (DeletionReasonFormSet)."""

    deletion_reason = forms.CharField(
        label=_("reason for deleting"), required=False, max_length=DELETION_REASON_MAX_LENGTH
    )


class DeletionReasonFormSet(BaseInlineFormSet):
    """Rows of an action's figures or records deleted with the page's Save: each names its
    reason, which its history keeps, as a delete on the record's own page does."""

    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk is not None and not form.cleaned_data.get("deletion_reason"):
                raise ValidationError(
                    _("Give the reason for deleting each row marked for deletion.")
                )
        for form in self.deleted_forms:
            # A figure or record of a submitted or approved reporting period stays.
            refusal = form.instance.pk is not None and form.instance.stored_period_refusal()
            if refusal:
                raise ValidationError(refusal)

    def delete_existing(self, obj: Any, commit: bool = True) -> None:
        if not commit:
            return
        reasons = {
            form.instance.pk: form.cleaned_data.get("deletion_reason", "")
            for form in self.deleted_forms
        }
        # Deleted meanwhile by someone else: gone either way. The user is the request's,
        # from the history's middleware.
        with contextlib.suppress(ObjectDoesNotExist):
            self.delete_record(obj, reasons.get(obj.pk, ""))

    def delete_record(self, obj: Any, reason: str) -> None:
        raise NotImplementedError


# What ReasonInlineMixin is mixed into, for the type checker: an inline.
if TYPE_CHECKING:
    _InlineBase = admin.options.InlineModelAdmin[Any, Any]
else:
    _InlineBase = object


class ReasonInlineMixin(_InlineBase):
    """The reason column only where the user may delete rows."""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))
        if not self.has_delete_permission(request, obj):
            fields.remove("deletion_reason")
        return fields


class FigureFormSet(DeletionReasonFormSet):
    def delete_record(self, obj: Any, reason: str) -> None:
        figure_delete(figure=obj, reason=reason, user=None)


class FigureInline(
    StaleRowRefusedInlineMixin, ReasonInlineMixin, ProjectScopedInlineMixin, admin.TabularInline
):
    model = Figure
    form = DeletionReasonInlineForm
    formset = FigureFormSet
    extra = 0
    fields = ["metric", "pes", "value", "is_lower_bound", "note", "deletion_reason"]
    autocomplete_fields = ["pes"]
    parent_project_path = "project"


class ActionEmployerInline(ProjectScopedInlineMixin, admin.TabularInline):
    model = ActionEmployer
    extra = 0
    fields = ["organisation", "vacancies", "hires", "hired_within_days"]
    autocomplete_fields = ["organisation"]
    parent_project_path = "project"


class JobOfferInline(
    TranslatedTextsInlineMixin, ProjectScopedInlineMixin, TranslationTabularInline
):
    """The jobs of the action, each titled in any one language at least."""

    model = JobOffer
    extra = 0
    autocomplete_fields = ["employer"]
    parent_project_path = "project"


class ParticipationFormSet(DeletionReasonFormSet):
    """Each record is checked by its model against the records held (Participation.clean); the
    records of one form are saved together, so the places of a guidance cohort are asked of the
    action once more for all of them. A record deleted here names its reason."""

    def delete_record(self, obj: Any, reason: str) -> None:
        participation_delete(participation=obj, reason=reason, user=None)

    def clean(self) -> None:
        super().clean()
        action = self.instance
        if action.pk is None or not action.limits_places or any(self.errors):
            return
        held_started = started = 0
        for form in self.forms:
            held = form.instance.pk is not None
            if held and form.initial.get("status") in STARTED_STATUSES:
                held_started += 1
            kept = (held or form.has_changed()) and not form.cleaned_data.get("DELETE")
            if kept and form.instance.has_started:
                started += 1
        refusal = action.places_refusal(started, taken=action.places_taken() - held_started)
        if refusal:
            raise ValidationError(refusal)


class ParticipationInline(
    StaleRowRefusedInlineMixin, ReasonInlineMixin, ProjectScopedInlineMixin, admin.TabularInline
):
    """The participants of the action that the user may see: its own PES's (all for superusers)."""

    model = Participation
    form = DeletionReasonInlineForm
    formset = ParticipationFormSet
    extra = 0
    # The follow-ups are filled in on the record's own page (ParticipationAdmin, "Follow-up").
    fields = [
        "jobseeker",
        *Participation.OUTCOME_FIELDS,
        *Participation.ENTRY_FIELDS,
        "deletion_reason",
    ]
    autocomplete_fields = ["jobseeker", "hired_by", "certificate"]
    parent_project_path = "project"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Participation]:
        return participations_for(request.user, super().get_queryset(request)).select_related(
            "jobseeker__pes", "hired_by", "certificate"
        )

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "jobseeker":
            kwargs["queryset"] = jobseekers_for(request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name == "jobseeker":
            field.error_messages["invalid_choice"] = _(
                "Choose a jobseeker of your own PES; other PES record their own jobseekers."
            )
        return field

    def _personal(self, request: HttpRequest) -> bool:
        return can_write_personal_data(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._personal(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._personal(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._personal(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._personal(request)


class MissingTranslationFilter(admin.SimpleListFilter):
    """Actions with a text written in some language and not in the one chosen (or in any)."""

    title = _("missing translations")
    parameter_name = "missing"
    ANY = "any"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [(self.ANY, _("in any language")), *settings.LANGUAGES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Action]) -> QuerySet[Action]:
        codes = [code for code, _name in settings.LANGUAGES]
        value = self.value()
        if value == self.ANY:
            wanted = codes
        elif value is not None and value in codes:
            wanted = [value]
        else:
            return queryset
        condition = Q()
        for code in wanted:
            condition |= missing_in(code, translated_fields(Action), codes)
        return queryset.filter(condition)


def missing_in(code: str, fields: list[str], codes: list[str]) -> Q:
    """Rows with a text of `fields` written in another language and empty in `code`."""

    def empty(column: str) -> Q:
        return Q(**{column: ""}) | Q(**{f"{column}__isnull": True})

    condition = Q()
    for name in fields:
        written = Q()
        for other in codes:
            if other != code:
                written |= ~empty(f"{name}_{other}")
        condition |= empty(f"{name}_{code}") & written
    return condition


class SemesterFilter(admin.SimpleListFilter):
    title = _("semester")
    parameter_name = "semester"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        semesters = (
            Action.objects.exclude(semester="")
            .order_by("-semester")
            .values_list("semester", flat=True)
            .distinct()
        )
        return [(semester, semester) for semester in semesters]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Action]) -> QuerySet[Action]:
        if self.value():
            return queryset.filter(semester=self.value())
        return queryset


class PesFilter(admin.SimpleListFilter):
    """Actions in which a PES's jobseekers are counted, by figure or by participation record."""

    title = _("PES")
    parameter_name = "pes"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        pes = Organisation.objects.filter(kind=OrganisationKind.PES).order_by("name")
        return [(org.slug, org.name) for org in pes]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Action]) -> QuerySet[Action]:
        if not self.value():
            return queryset
        by_figure = Figure.objects.filter(action=OuterRef("pk"), pes__slug=self.value())
        by_record = Participation.objects.filter(action=OuterRef("pk"), pes__slug=self.value())
        by_organiser = Action.organisers.through.objects.filter(
            action=OuterRef("pk"), organisation__slug=self.value()
        )
        return queryset.filter(
            Q(Exists(by_figure)) | Q(Exists(by_record)) | Q(Exists(by_organiser))
        )


def _subquery_total(queryset: QuerySet[Any], aggregate: Any) -> Coalesce:
    """A per-action total as a correlated subquery: no join, so no row is counted twice.

    Without its ordering: a translated model's queryset (modeltranslation) orders explicitly by
    the model's Meta.ordering, which would join the ordering's tables into the GROUP BY and
    split the total into one row per ordering value."""
    total = queryset.order_by().values("action").annotate(total=aggregate).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


class CopyForm(forms.Form):
    start_date = forms.DateField(
        label=_("new start date"),
        help_text=_("The copy keeps the action's length; year and semester follow this date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("file"), help_text=_(".xlsx or .csv (comma or semicolon, UTF-8 or Windows-1252)")
    )
    update_existing = forms.BooleanField(
        label=_("update existing records"),
        required=False,
        help_text=_(
            "Without this, a row for a record the action already holds is reported, not applied."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            tabular.check_size(upload.size)
        except tabular.FileRefused as refused:
            raise ValidationError(refused.message) from None
        return upload


class ActionAdminForm(forms.ModelForm):
    """An action's year (and semester) follow its start date (Action.clean): the year is asked
    only of an action known by its rough period, without any date. The admin gives the model
    and the fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "year" in self.fields:
            self.fields["year"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        no_date = not cleaned.get("start_date") and "start_date" not in self.errors
        if "year" in self.fields and no_date and cleaned.get("year") is None:
            self.add_error(
                "year", _("Give the year of an action without a start date, or its start date.")
            )
        return cleaned


@admin.register(Action)
class ActionAdmin(
    StaleSaveRefusedMixin,
    TranslatedTextsMixin,
    DeleteWithReasonMixin,
    ProjectScopedAdmin,
    TranslationAdmin,
):
    """Actions, with no bulk delete even for superusers: deleting an action deletes its figures
    and participation records with it, so it goes one at a time, with a reason."""

    list_display = [
        "title",
        "project",
        "action_type",
        "status",
        "when",
        "semester",
        "place",
        "starts_total",
        "figure_count",
    ]
    list_filter = [
        "project",
        "action_type",
        "status",
        SemesterFilter,
        PesFilter,
        "sector",
        "year",
        MissingTranslationFilter,
    ]
    search_fields = ["reference", *in_each_language("title"), "place", "description_en"]
    date_hierarchy = "start_date"
    autocomplete_fields = [
        "project",
        "organisers",
        "offices",
        "certificates",
        "sector",
        "work_package",
        "taught_by",
        "tested_by",
        "presenters",
    ]
    list_select_related = ["project"]
    form = ActionAdminForm
    inlines = [FigureInline, ActionEmployerInline, JobOfferInline, ParticipationInline]
    actions = ["mark_completed", "copy_to_new_date"]
    readonly_fields = ["links"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "project",
                    "work_package",
                    "reference",
                    "action_type",
                    "title",
                    "description",
                ]
            },
        ),
        # Each translated text shows its languages side by side (TranslatedTextsMixin).
        (
            _("When and where"),
            {
                "fields": [
                    "status",
                    "cancellation_reason",
                    ("start_date", "end_date"),
                    ("year", "semester", "period_month"),
                    "period_note",
                    "place",
                    "online",
                    "offices",
                ]
            },
        ),
        (
            _("Content"),
            {
                "fields": [
                    "organisers",
                    "sector",
                    "presenters",
                ]
            },
        ),
        (
            _("Format of a cohort or training"),
            {
                "fields": [
                    ("capacity", "duration_days", "workshops", "language_hours"),
                    "workshop_note",
                    "language_note",
                    "reviews",
                    "certificates",
                    ("taught_by", "tested_by"),
                ]
            },
        ),
        (
            _("Outcomes"),
            {
                "description": _(
                    "When work found cannot be measured yet, the reports say it is not yet "
                    "known, never 0."
                ),
                "fields": ["outcomes_expected_on", "outcomes_note"],
            },
        ),
        (_("Imports, exports and reports"), {"fields": ["links"]}),
    ]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The action's entry of this save in its history says what changed in the rows of its
        page (figures, records, ...), as its change reason: the rows' own entries are not on the
        action's history page."""
        removed = {id(row.instance): row.instance.pk for fs in formsets for row in fs.deleted_forms}
        super().save_related(request, form, formsets, change)
        lines = inline_changes(formsets, removed)
        if not lines:
            return
        entry = form.instance.history.order_by("-history_id").first()
        if entry is not None:
            reason = "\n".join(filter(None, [entry.history_change_reason, *lines]))
            type(entry).objects.filter(pk=entry.pk).update(history_change_reason=reason)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The participants' inline names the action's jobseekers: a read of personal data."""
        response = super().change_view(request, object_id, form_url, extra_context)
        inline_read_record(request, response, model=Participation, attribute="jobseeker_id")
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The confirmation's summary names the participation records that go with the action."""
        response = super().delete_view(request, object_id, extra_context)
        deletion_read_record(
            request,
            response,
            jobseeker_ids=Participation.objects.filter(action_id=object_id).values_list(
                "jobseeker_id", flat=True
            ),
        )
        return response

    def get_queryset(self, request: HttpRequest) -> QuerySet[Action]:
        starts_figures = _subquery_total(
            Figure.objects.filter(action=OuterRef("pk"), metric=Metric.STARTS), Sum("value")
        )
        starts_records = _subquery_total(
            Participation.objects.filter(action=OuterRef("pk"), status__in=STARTED_STATUSES),
            Count("pk"),
        )
        figure_count = _subquery_total(Figure.objects.filter(action=OuterRef("pk")), Count("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(starts_total=starts_figures + starts_records, figure_count=figure_count)
        )

    @admin.display(description=_("starts"), ordering="starts_total")
    def starts_total(self, action: WithAnnotations[Action, _Totals]) -> int:
        return action.starts_total

    @admin.display(description=_("figures"), ordering="figure_count")
    def figure_count(self, action: WithAnnotations[Action, _Totals]) -> int:
        return action.figure_count

    @admin.display(description=_("links"))
    def links(self, action: Action) -> str:
        if not action.pk:
            return "-"
        items: list[tuple[str, str | Promise]] = []
        opts = self.opts
        for kind, label in (
            ("participations", _("Import participants")),
            ("figures", _("Import figures")),
        ):
            items.append(
                (
                    reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_import", args=[action.pk, kind]
                    ),
                    label,
                )
            )
        items.append(
            (
                reverse("admin:participants_participation_export")
                + f"?action__id__exact={action.pk}",
                _("Export participants"),
            )
        )
        items.append(
            (
                reverse("admin:actions_figure_export") + f"?action__id__exact={action.pk}",
                _("Export figures"),
            )
        )
        items.append((reverse("reports:action-detail", args=[action.pk]), _("Action dashboard")))
        items.append(
            (
                reverse("reports:project-detail", args=[action.project.slug]),
                _("Project dashboard"),
            )
        )
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(items)),
            *[value for item in items for value in item],
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra_context = {**(extra_context or {}), "overview_url": reverse("reports:overview")}
        return super().changelist_view(request, extra_context)

    # Admin actions.

    @admin.action(description=_("Mark the selected actions completed"), permissions=["change"])
    def mark_completed(self, request: HttpRequest, queryset: QuerySet[Action]) -> None:
        done, refused = 0, []
        for action in queryset.select_related("project"):
            if not self.has_change_permission(request, action):
                refused.append(f"{action}: not a project of your organisation")
                continue
            if action.status == ActionStatus.COMPLETED:
                continue
            if action.status == ActionStatus.CANCELLED:
                refused.append(f"{action}: cancelled; change its status on its page first")
                continue
            try:
                action_complete(action=action)
            except ValidationError as exc:
                refused.append(f"{action}: {'; '.join(exc.messages)}")
                continue
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d action marked completed.",
                    "%(count)d actions marked completed.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        for reason in refused:
            self.message_user(request, _("Not changed: %s") % reason, messages.WARNING)

    @admin.action(description=_("Copy the selected actions to a new date"), permissions=["add"])
    def copy_to_new_date(
        self, request: HttpRequest, queryset: QuerySet[Action]
    ) -> HttpResponse | None:
        """Ask for the new start date, then copy each action as planned: its descriptive fields,
        organisers, offices and certificates; no figures, no participants, no reference."""
        form = CopyForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            copies = []
            with transaction.atomic():
                for action in queryset:
                    if not self.has_change_permission(request, action):
                        self.message_user(
                            request,
                            _("Not copied: %s is not a project of your organisation.") % action,
                            messages.WARNING,
                        )
                        continue
                    try:
                        copies.append(
                            action_copy(action=action, start_date=form.cleaned_data["start_date"])
                        )
                    except ValidationError as exc:
                        self.message_user(
                            request,
                            _("Not copied: %(action)s: %(reason)s")
                            % {"action": action, "reason": "; ".join(exc.messages)},
                            messages.ERROR,
                        )
            if copies:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d copy made, planned: %(names)s.",
                        "%(count)d copies made, planned: %(names)s.",
                        len(copies),
                    )
                    % {"count": len(copies), "names": ", ".join(str(c) for c in copies)},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/actions/action/copy_to_new_date.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Copy actions to a new date"),
                "opts": self.opts,
                "form": form,
                "actions_to_copy": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    # Imports.

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/<str:kind>/template.<str:file_format>",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "<int:object_id>/import/<str:kind>/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_template_view(
        self, request: HttpRequest, kind: str, file_format: str
    ) -> HttpResponse:
        from participants import imports as participation_imports

        if kind not in IMPORT_KINDS or file_format not in tabular.FORMATS:
            raise PermissionDenied
        module = participation_imports if kind == "participations" else figure_imports
        content_type = (
            "text/csv; charset=utf-8"
            if file_format == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        try:
            content = module.template(file_format, request.GET.get("sep"))
        except UnknownSeparator as error:
            return HttpResponseBadRequest(
                f"sep: {error}\n", content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
        return response

    def _may_import(self, request: HttpRequest, action: Action, kind: str) -> bool:
        if kind == "participations":
            return can_write_personal_data(request.user) and request.user.has_perm(
                "participants.add_participation"
            )
        return may_edit_project(request, action.project_id) and request.user.has_perm(
            "actions.add_figure"
        )

    def import_view(self, request: HttpRequest, object_id: int, kind: str) -> HttpResponse:
        """Upload, preview (nothing written), confirm (everything written, or nothing)."""
        from participants import imports as participation_imports

        if kind not in IMPORT_KINDS:
            raise PermissionDenied
        action = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self._may_import(request, action, kind):
            raise PermissionDenied
        result: Any = None
        form = ImportForm()
        # The previewed file waits in the database, for its uploader, this import only and an
        # hour at most (crossborder.uploads); an unknown or expired token finds nothing.
        preview = preview_find(
            user=request.user,
            token=request.POST.get("token", ""),
            action_id=action.pk,
            kind=kind,
        )
        token = ""
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[action.pk]
        )

        def run(data: bytes, filename: str, dry_run: bool, update: bool) -> Any:
            if kind == "participations":
                return participation_imports.import_participations(
                    action=action,
                    filename=filename,
                    data=data,
                    allowed_pes=None if request.user.is_superuser else own_pes(request.user),
                    dry_run=dry_run,
                    update_existing=update,
                    max_rows=tabular.ADMIN_MAX_ROWS,
                    user=request.user if request.user.is_authenticated else None,
                )
            return figure_imports.import_figures(
                action=action,
                filename=filename,
                data=data,
                dry_run=dry_run,
                update_existing=update,
                max_rows=tabular.ADMIN_MAX_ROWS,
            )

        if request.method == "POST" and "cancel" in request.POST:
            if preview is not None:
                preview_discard(preview=preview)
            self.message_user(request, _("Import cancelled: nothing was written."), messages.INFO)
            return HttpResponseRedirect(change_url)
        if (
            request.method == "POST"
            and "confirm" in request.POST
            and preview is not None
            and request.user.is_authenticated
            and jobs.import_is_long(preview)
        ):
            # Many rows: written on the queue (crossborder.jobs), followed on the job's page.
            return redirect(
                jobs.import_start(preview=preview, owner=request.user, back_url=change_url)
            )
        if request.method == "POST" and "confirm" in request.POST and preview is not None:
            try:
                result = run(
                    bytes(preview.content), preview.filename, False, preview.update_existing
                )
            finally:
                # Gone whatever the outcome: a confirm that fails shows its problems, and the
                # corrected file is uploaded again.
                preview_discard(preview=preview)
            if result.ok:
                self.message_user(
                    request,
                    _("Imported %(file)s: %(summary)s")
                    % {"file": preview.filename, "summary": result.summary()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        elif request.method == "POST" and "confirm" in request.POST:
            self.message_user(
                request, _("The previewed file has expired; upload it again."), messages.ERROR
            )
        elif request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                uploaded: bytes = upload.read()
                update = form.cleaned_data["update_existing"]
                result = run(uploaded, upload.name, True, update)
                if result.ok and request.user.is_authenticated:
                    token = preview_store(
                        user=request.user,
                        action_id=action.pk,
                        kind=kind,
                        pes_id=None
                        if request.user.is_superuser
                        else getattr(own_pes(request.user), "pk", None),
                        filename=upload.name,
                        update_existing=update,
                        content=uploaded,
                    ).token
        opts = self.opts
        return TemplateResponse(
            request,
            "admin/actions/action/import.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import %(kind)s into %(action)s") % {"kind": _(kind), "action": action},
                "opts": opts,
                "original": action,
                "kind": kind,
                "form": form,
                "result": result,
                "token": token,
                "templates": [
                    (
                        file_format,
                        reverse(
                            f"admin:{opts.app_label}_{opts.model_name}_import_template",
                            args=[kind, file_format],
                        ),
                    )
                    for file_format in tabular.FORMATS
                ],
                "max_size": tabular.max_bytes() // 1024,
            },
        )


@admin.register(Figure)
class FigureAdmin(StaleSaveRefusedMixin, DeleteWithReasonMixin, ExportMixin, ProjectScopedAdmin):
    list_display = ["action", "metric", "pes", "value", "is_lower_bound"]
    list_filter = ["metric", "pes", "is_lower_bound", "action__project"]
    search_fields = [
        "action__reference",
        *in_each_language("action__title"),
        "note",
    ]
    autocomplete_fields = ["action", "pes"]
    list_select_related = ["action", "pes"]
    project_path = "action__project"
    resource_classes = [figure_imports.FigureResource]
    formats = EXPORT_FORMATS
    export_form_class = ExportForm
    # With a byte-order mark Excel opens the accents right.
    to_encoding = "utf-8-sig"

    def delete_model(self, request: HttpRequest, obj: Figure) -> None:
        # Deleted meanwhile by someone else: gone either way.
        with contextlib.suppress(Figure.DoesNotExist):
            figure_delete(figure=obj, reason=self.deletion_reason(request), user=request.user)


@admin.register(ActionEmployer)
class ActionEmployerAdmin(ProjectScopedAdmin):
    list_display = ["organisation", "action", "vacancies", "hires", "hired_within_days"]
    list_filter = ["organisation__kind", "action__project"]
    search_fields = ["organisation__name", "action__title_en", "action__reference"]
    autocomplete_fields = ["action", "organisation"]
    list_select_related = ["action", "organisation"]
    project_path = "action__project"


@admin.register(JobOffer)
class JobOfferAdmin(TranslatedTextsMixin, ProjectScopedAdmin, TranslationAdmin):
    list_display = ["title", "action", "employer", "positions"]
    search_fields = [*in_each_language("title"), "action__title_en", "action__reference"]
    autocomplete_fields = ["action", "employer"]
    list_select_related = ["action", "employer"]
    project_path = "action__project"


@admin.register(Sector)
class SectorAdmin(TranslatedTextsMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = [*in_each_language("name"), "slug"]


@admin.register(Certificate)
class CertificateAdmin(TranslatedTextsMixin, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug", "country"]
    search_fields = [*in_each_language("name"), "slug"]
