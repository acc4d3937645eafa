from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from .models import Indicator, Programme, Project, WorkPackage


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("name",)


@register(Project)
class ProjectTranslation(TranslationOptions):
    fields = ("name", "summary")


@register(WorkPackage)
class WorkPackageTranslation(TranslationOptions):
    fields = ("name",)


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name",)
