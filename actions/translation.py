from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from .models import Action, Certificate, Sector


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name",)


@register(Certificate)
class CertificateTranslation(TranslationOptions):
    fields = ("name",)


@register(Action)
class ActionTranslation(TranslationOptions):
    fields = ("title", "description")
