from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from .models import Indicator, Organisation, Programme, Project, WorkPackage


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("name",)


@register(Project)
class ProjectTranslation(TranslationOptions):
    fields = ("name", "summary", "state_note")


@register(WorkPackage)
class WorkPackageTranslation(TranslationOptions):
    fields = ("name",)


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "definition")


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("activity",)
