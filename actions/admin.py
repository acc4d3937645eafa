from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from participants.models import Participation
from projects.models import Organisation, OrganisationKind

from .models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    fields = ["metric", "pes", "value", "is_lower_bound", "note"]


class ActionEmployerInline(admin.TabularInline):
    model = ActionEmployer
    extra = 0
    autocomplete_fields = ["organisation"]


class JobOfferInline(admin.TabularInline):
    model = JobOffer
    extra = 0
    autocomplete_fields = ["employer"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = [
        "jobseeker",
        "status",
        "started_on",
        "completed_on",
        "placed_on",
        "hired_on",
        "hired_by",
        "certified_on",
    ]
    autocomplete_fields = ["jobseeker", "hired_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Participation]:
        return super().get_queryset(request).select_related("jobseeker__pes")


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
        from django.db.models import Exists, OuterRef, Q

        by_figure = Figure.objects.filter(action=OuterRef("pk"), pes__slug=self.value())
        by_record = Participation.objects.filter(
            action=OuterRef("pk"), jobseeker__pes__slug=self.value()
        )
        return queryset.filter(
            Q(Exists(by_figure)) | Q(Exists(by_record)) | Q(organisers__slug=self.value())
        ).distinct()


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["title", "project", "action_type", "status", "when", "semester", "place"]
    list_filter = ["project", "action_type", "status", SemesterFilter, PesFilter, "sector", "year"]
    search_fields = ["title_en", "title_nl", "title_fr", "place", "description_en"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["organisers", "offices", "certificates", "sector", "work_package"]
    list_select_related = ["project"]
    inlines = [FigureInline, ActionEmployerInline, JobOfferInline, ParticipationInline]
    fieldsets = [
        (None, {"fields": ["project", "work_package", "action_type", "title", "description"]}),
        (
            _("When and where"),
            {
                "fields": [
                    "status",
                    "cancellation_reason",
                    ("start_date", "end_date"),
                    ("year", "semester", "period_note"),
                    ("place", "online"),
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
                    ("capacity", "duration_days", "language_hours"),
                    "certificates",
                ]
            },
        ),
    ]


@admin.register(Figure)
class FigureAdmin(SimpleHistoryAdmin):
    list_display = ["action", "metric", "pes", "value", "is_lower_bound"]
    list_filter = ["metric", "pes", "is_lower_bound", "action__project"]
    search_fields = ["action__title_en", "action__title_nl", "action__title_fr", "note"]
    autocomplete_fields = ["action", "pes"]
    list_select_related = ["action", "pes"]


@admin.register(ActionEmployer)
class ActionEmployerAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "action", "vacancies"]
    list_filter = ["organisation__kind", "action__project"]
    search_fields = ["organisation__name", "action__title_en"]
    autocomplete_fields = ["action", "organisation"]
    list_select_related = ["action", "organisation"]


@admin.register(JobOffer)
class JobOfferAdmin(SimpleHistoryAdmin):
    list_display = ["title", "action", "employer", "positions"]
    search_fields = ["title", "action__title_en"]
    autocomplete_fields = ["action", "employer"]
    list_select_related = ["action", "employer"]


@admin.register(Sector)
class SectorAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name_en", "name_nl", "name_fr", "slug"]


@admin.register(Certificate)
class CertificateAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug", "country"]
    search_fields = ["name_en", "name_nl", "name_fr", "slug"]
