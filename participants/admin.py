"""Admin of jobseekers and their participation: personal data, so only of the user's own PES."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from crossborder.audit.models import ReadKind
from crossborder.audit.recording import AdminReadAuditMixin
from crossborder.audit.services import read_record
from projects.access import (
    can_read_special_categories,
    can_write_personal_data,
    jobseekers_for,
    own_pes,
    participations_for,
)
from projects.admin import (
    DeleteWithReasonMixin,
    StaleRowRefusedInlineMixin,
    StaleSaveRefusedMixin,
)
from projects.models import Organisation

from .gdpr import jobseeker_access_report, jobseeker_erase
from .imports import ParticipationResource
from .models import Jobseeker, Participation
from .services import participation_delete


class PersonalDataAdmin(AdminReadAuditMixin, SimpleHistoryAdmin):
    """Only users who may hold personal data get past the group permission, and only for their
    own PES's jobseekers. The object check matters beyond the scoped lists: the audit trail's
    pages find old versions without going through get_queryset. Every page showing a jobseeker
    is recorded in the read audit (AdminReadAuditMixin)."""

    # A filtered list says "12 results" without also counting every record of the table
    # ("of 1,000,000 total"): a second COUNT(*) over a million rows on each page.
    show_full_result_count = False

    def _personal(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not can_write_personal_data(request.user):
            return False
        if obj is None or request.user.is_superuser:
            return True
        jobseeker = obj if isinstance(obj, Jobseeker) else getattr(obj, "jobseeker", None)
        pes = own_pes(request.user)
        return jobseeker is not None and pes is not None and jobseeker.pes_id == pes.pk

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_view_permission(request, obj) and self._personal(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self._personal(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._personal(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._personal(request, obj)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if not request.user.is_superuser:
            if db_field.name == "pes" and db_field.model is Jobseeker:
                pes = own_pes(request.user)
                kwargs["queryset"] = (
                    Organisation.objects.filter(pk=pes.pk) if pes else Organisation.objects.none()
                )
            elif db_field.name == "jobseeker":
                kwargs["queryset"] = jobseekers_for(request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name == "pes" and db_field.model is Jobseeker:
            field.error_messages["invalid_choice"] = _(
                "Choose your own PES: other PES record their own jobseekers."
            )
        if field is not None and db_field.name == "jobseeker":
            field.error_messages["invalid_choice"] = _(
                "Choose a jobseeker of your own PES; other PES record their own jobseekers."
            )
        return field


# The sections of a participation's form: what came of it, who took part at entry, and the
# follow-ups on leaving and six months on.
PARTICIPATION_FIELDSETS: list[Any] = [
    (None, {"fields": ["action", "jobseeker", *Participation.OUTCOME_FIELDS]}),
    (_("At entry"), {"fields": list(Participation.ENTRY_FIELDS)}),
    (_("Follow-up"), {"fields": list(Participation.FOLLOW_UP_COLUMNS)}),
]


class ParticipationInline(StaleRowRefusedInlineMixin, admin.TabularInline):
    """A jobseeker's participations, a row each: the follow-ups are filled in on the record's
    own page (ParticipationAdmin), where they have a section of their own."""

    model = Participation
    extra = 0
    fields = ["action", *Participation.OUTCOME_FIELDS, *Participation.ENTRY_FIELDS]
    autocomplete_fields = ["action", "hired_by", "certificate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Participation]:
        return super().get_queryset(request).select_related("action", "hired_by", "certificate")


@admin.register(Jobseeker)
class JobseekerAdmin(StaleSaveRefusedMixin, DeleteWithReasonMixin, PersonalDataAdmin):
    list_display = [
        "__str__",
        "pes",
        "external_ref",
        "birth_year",
        "gender",
        "education_level",
        "erased_at",
    ]
    list_filter = [
        "pes",
        "gender",
        "education_level",
        "is_refugee",
        ("erased_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["external_ref", "given_name", "family_name", "pseudonym"]
    readonly_fields = ["pseudonym", "erased_at"]
    list_select_related = ["pes"]
    autocomplete_fields = ["pes"]
    inlines = [ParticipationInline]
    actions = ["erase", "access_request"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Jobseeker]:
        return jobseekers_for(request.user, super().get_queryset(request))

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "pes",
                    *Jobseeker.IDENTIFYING_FIELDS,
                    *Jobseeker.DESCRIBING_FIELDS,
                    "erased_at",
                ]
            },
        ),
        (
            _("Special categories of personal data"),
            {
                "fields": list(Jobseeker.SENSITIVE_FIELDS),
                "description": _(
                    "Kept only with the person's consent; shown only to users who hold the "
                    "permission to read them."
                ),
            },
        ),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list[Any]:
        """The special categories only for a user who may read them
        (access.can_read_special_categories): for anyone else they are not on the page, nor in
        the form, so they can be neither read nor written."""
        fieldsets = list(super().get_fieldsets(request, obj))
        if can_read_special_categories(request.user):
            return fieldsets
        sensitive = set(Jobseeker.SENSITIVE_FIELDS)
        return [
            (name, options) for name, options in fieldsets if not sensitive & set(options["fields"])
        ]

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        """The changes between two versions in the audit trail, without the special categories
        for a user who may not read them."""
        excluded = (
            [] if can_read_special_categories(request.user) else list(Jobseeker.SENSITIVE_FIELDS)
        )
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    @admin.action(
        description=_("Erase the personal data of the selected jobseekers (GDPR)"),
        permissions=["delete"],
    )
    def erase(self, request: HttpRequest, queryset: QuerySet[Jobseeker]) -> HttpResponse | None:
        """Irreversible, so it asks first."""
        if "confirm" not in request.POST:
            # The page names each person: read once, recorded, then shown.
            shown = list(queryset.select_related("pes"))
            self.read_audit_record(request, ReadKind.ADMIN_ERASE, shown)
            return TemplateResponse(
                request,
                "admin/participants/jobseeker/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Erase personal data"),
                    "opts": self.opts,
                    "jobseekers": shown,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        erased = 0
        for jobseeker in queryset:
            jobseeker_erase(jobseeker=jobseeker)
            erased += 1
        self.message_user(
            request,
            ngettext(
                "Erased the personal data of %(count)d jobseeker; the participation records and "
                "every figure stay.",
                "Erased the personal data of %(count)d jobseekers; the participation records "
                "and every figure stay.",
                erased,
            )
            % {"count": erased},
            messages.SUCCESS,
        )
        return None

    @admin.action(
        description=_("Export everything held about the selected jobseeker (access request)"),
        permissions=["view"],
    )
    def access_request(
        self, request: HttpRequest, queryset: QuerySet[Jobseeker]
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Select exactly one jobseeker: an access request is about one person."),
                messages.ERROR,
            )
            return None
        jobseeker = queryset.select_related("pes").get()
        report = jobseeker_access_report(
            jobseeker=jobseeker, special_categories=can_read_special_categories(request.user)
        )
        # Recorded after the report is built, so the report lists the reads before this one.
        self.read_audit_record(request, ReadKind.ACCESS_EXPORT, [jobseeker])
        response = HttpResponse(
            json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="access-request-jobseeker-{jobseeker.pk}.json"'
        )
        return response


@admin.register(Participation)
class ParticipationAdmin(
    StaleSaveRefusedMixin, DeleteWithReasonMixin, ExportMixin, PersonalDataAdmin
):
    list_display = [
        "jobseeker",
        "action",
        "status",
        "entry_status",
        "started_on",
        "placed_on",
        "hired_on",
    ]
    list_filter = ["status", "entry_status", "pes", "action__project", "action__action_type"]
    fieldsets = PARTICIPATION_FIELDSETS
    search_fields = [
        "jobseeker__external_ref",
        "jobseeker__family_name",
        "action__reference",
        "action__title_en",
    ]
    autocomplete_fields = ["action", "jobseeker", "hired_by", "certificate"]
    list_select_related = ["jobseeker__pes", "action"]
    resource_classes = [ParticipationResource]
    formats = [CSV, XLSX]
    export_form_class = ExportForm
    # With a byte-order mark Excel opens the accents right.
    to_encoding = "utf-8-sig"
    read_audit_jobseeker_attribute = "jobseeker_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Participation]:
        return participations_for(request.user, super().get_queryset(request))

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        # The special categories only for a user who may read them.
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "special_categories": can_read_special_categories(request.user),
        }

    def get_data_for_export(
        self, request: HttpRequest, queryset: QuerySet[Participation], **kwargs: Any
    ) -> Any:
        """The export holds names, birth years and refugee status: its jobseekers are recorded
        in the read audit, their ids read in one query (the export streams its own rows)."""
        data = super().get_data_for_export(request, queryset, **kwargs)
        read_record(
            user=request.user,
            kind=ReadKind.ADMIN_EXPORT,
            path=request.path,
            jobseeker_ids=queryset.order_by().values_list("jobseeker_id", flat=True).distinct(),
        )
        return data

    def delete_model(self, request: HttpRequest, obj: Participation) -> None:
        # Deleted meanwhile by someone else: gone either way.
        with contextlib.suppress(Participation.DoesNotExist):
            participation_delete(
                participation=obj, reason=self.deletion_reason(request), user=request.user
            )
