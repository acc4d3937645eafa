from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from .models import Action, Certificate, Figure, JobOffer, Sector


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name",)


@register(Certificate)
class CertificateTranslation(TranslationOptions):
    fields = ("name",)


@register(Action)
class ActionTranslation(TranslationOptions):
    fields = (
        "title",
        "description",
        "place",
        "period_note",
        "cancellation_reason",
        "workshop_note",
        "language_note",
        "reviews",
        "outcomes_note",
    )


@register(JobOffer)
class JobOfferTranslation(TranslationOptions):
    fields = ("title",)


@register(Figure)
class FigureTranslation(TranslationOptions):
    fields = ("note",)
