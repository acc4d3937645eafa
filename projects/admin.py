from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

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


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class FormerNameInline(admin.TabularInline):
    model = FormerName
    extra = 0


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    fields = ["name", "slug", "city"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "kind", "country", "territory", "city"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "former_names__name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormerNameInline, OfficeInline]


@admin.register(FormerName)
class FormerNameAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "used_until"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(ProjectPartner)
class ProjectPartnerAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "project", "role"]
    list_filter = ["project", "role"]
    search_fields = ["organisation__name", "project__name_en"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation", "project"]


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "city"]
    list_filter = ["organisation"]
    search_fields = ["name", "city", "slug"]
    autocomplete_fields = ["organisation"]


@admin.register(BorderOfficePair)
class BorderOfficePairAdmin(SimpleHistoryAdmin):
    list_display = ["office", "partner_office"]
    list_filter = ["office__organisation"]
    search_fields = ["office__name", "partner_office__name"]
    autocomplete_fields = ["office", "partner_office"]


class ProjectPartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0
    autocomplete_fields = ["organisation"]


class WorkPackageInline(TranslationTabularInline):
    model = WorkPackage
    extra = 0
    autocomplete_fields = ["coordinator"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug", "programme", "lead_partner", "starts_on", "ends_on"]
    list_filter = ["programme"]
    search_fields = ["name_en", "name_nl", "name_fr", "slug"]
    autocomplete_fields = ["lead_partner"]
    list_select_related = ["programme", "lead_partner"]
    inlines = [ProjectPartnerInline, WorkPackageInline, TargetInline]


@admin.register(WorkPackage)
class WorkPackageAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["code", "name", "project", "coordinator"]
    list_filter = ["project"]
    search_fields = ["code", "name_en", "name_nl", "name_fr"]
    autocomplete_fields = ["coordinator"]
    list_select_related = ["project", "coordinator"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["code", "name", "unit", "source", "action_types"]
    list_filter = ["unit", "source"]
    search_fields = ["code", "name_en", "name_nl", "name_fr"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
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
