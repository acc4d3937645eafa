from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Jobseeker, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["action", "status", "started_on", "completed_on", "placed_on", "hired_on"]
    autocomplete_fields = ["action"]


@admin.register(Jobseeker)
class JobseekerAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "pes", "external_ref", "birth_year", "education_level", "erased_at"]
    list_filter = ["pes", "education_level", "is_refugee"]
    search_fields = ["external_ref", "given_name", "family_name"]
    readonly_fields = ["pseudonym", "erased_at"]
    list_select_related = ["pes"]
    inlines = [ParticipationInline]


@admin.register(Participation)
class ParticipationAdmin(SimpleHistoryAdmin):
    list_display = ["jobseeker", "action", "status", "started_on", "placed_on", "hired_on"]
    list_filter = ["status", "jobseeker__pes", "action__project", "action__action_type"]
    search_fields = ["jobseeker__external_ref", "jobseeker__family_name", "action__title_en"]
    autocomplete_fields = ["action", "jobseeker", "hired_by", "certificate"]
    list_select_related = ["jobseeker__pes", "action"]
