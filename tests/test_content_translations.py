"""The translation check of content: every text of the demo (each field registered with
modeltranslation, on every model) is written in Dutch, French and English, and no Dutch or
French text is its English one copied, unless it is a name the three languages write alike.

A failure lists each text to write, by model, object and field, so the list is the work to do.
"""

from __future__ import annotations

import pytest
from django.db import models
from modeltranslation.translator import translator

from actions.models import Action, JobOffer
from crossborder.core.translated import missing_languages, site_languages

pytestmark = pytest.mark.django_db

# Texts a Dutch or French field may share with the English one, each with why: names that the
# three languages write alike, and the one word French spells as English does. Any other Dutch
# or French text equal to its English is English left untranslated.
SAME_AS_ENGLISH: dict[str, str] = {
    "LKT": "the answer's name for where the first cohort of 2017 met, written alike everywhere",
    "Act'emploi": "the project's name, French in every language (the answer's Dutch keeps it)",
    "AB Réfugiés": "the project's name, French in every language (the answer's Dutch keeps it)",
    "Jobdating Veurne": "the event's name in Dutch and English; the French one says Furnes",
    "Veurne": "the town's own (Dutch) name, which English uses too; French says Furnes",
    "VDAB Ieper": "the office's name in Dutch and English; the French adds Ypres",
    "PTI Kortrijk": "the school's name, the same in every language",
    "Ghyvelde": "the French town's name, the same in every language",
    "Dunkerque": "the town's French name, which the answer's English uses too; Dutch: Duinkerke",
    "online": "the Dutch word for it is the English one; French says en ligne",
    "construction": "the French word is spelt as the English one (a sector, Koraton's activity)",
}


def translated_texts() -> list[tuple[type[models.Model], models.Model, str]]:
    """Every object of a model registered with modeltranslation, with each translated field."""
    return [
        (model, obj, name)
        for model in translator.get_registered_models()
        for obj in model._default_manager.order_by("pk")
        for name in sorted(translator.get_options_for_model(model).get_field_names())
    ]


def text(obj: models.Model, name: str, language: str) -> str:
    return (getattr(obj, f"{name}_{language}", "") or "").strip()


def untranslated() -> list[str]:
    """The texts written in one language of the site and missing in another."""
    return [
        f"{model.__name__} {obj.pk} ({obj}): {name} missing in {', '.join(missing)}"
        for model, obj, name in translated_texts()
        if (missing := missing_languages(obj, name))
    ]


def copied_from_english() -> list[str]:
    """The Dutch and French texts equal to their English one that are not a name of
    SAME_AS_ENGLISH: English left in a Dutch or French field."""
    found = []
    for model, obj, name in translated_texts():
        english = text(obj, name, "en")
        for language in ("nl", "fr"):
            if english and text(obj, name, language) == english and english not in SAME_AS_ENGLISH:
                found.append(f"{model.__name__} {obj.pk} ({obj}): {name}_{language} = {english!r}")
    return found


def test_every_text_of_the_demo_is_written_in_every_language(demo):
    assert set(site_languages()) == {"nl", "fr", "en"}
    # Every model with translated texts is looked at.
    assert {model.__name__ for model, _obj, _name in translated_texts()} == {
        "Programme",
        "Project",
        "WorkPackage",
        "Indicator",
        "Organisation",
        "Sector",
        "Certificate",
        "Action",
        "JobOffer",
        "Figure",
    }
    problems = untranslated()
    assert problems == [], "\n".join(["Content translations missing:", *problems])


def test_no_dutch_or_french_text_of_the_demo_is_its_english_copied(demo):
    problems = copied_from_english()
    assert problems == [], "\n".join(["English text in a Dutch or French field:", *problems])


def test_every_name_allowed_to_equal_the_english_is_used_by_the_demo(demo):
    """The allow-list holds no name the demo no longer needs: each one is a Dutch or French text
    of the demo equal to its English."""
    shared = {
        text(obj, name, "en")
        for _model, obj, name in translated_texts()
        for language in ("nl", "fr")
        if text(obj, name, "en") and text(obj, name, language) == text(obj, name, "en")
    }
    assert sorted(set(SAME_AS_ENGLISH) - shared) == []


def test_the_check_names_a_text_missing_in_one_language(demo):
    welder = Action.objects.get(reference="gt-2017-training-welder-ieper")
    Action.objects.filter(pk=welder.pk).update(cancellation_reason_fr="")
    job = JobOffer.objects.get(action__reference="gt-2017-jobdating-veurne", title_en="packer")
    JobOffer.objects.filter(pk=job.pk).update(title_nl="", title_fr="")
    assert untranslated() == [
        f"Action {welder.pk} ({welder}): cancellation_reason missing in fr",
        f"JobOffer {job.pk} (packer): title missing in nl, fr",
    ]


def test_the_check_names_english_copied_but_not_an_allowed_name(demo):
    fair = Action.objects.get(reference="gt-2018-online-job-fair")
    assert (fair.place_nl, fair.place_en) == ("online", "online")  # allowed: a Dutch word
    Action.objects.filter(pk=fair.pk).update(title_fr="Online job fair")
    assert copied_from_english() == [
        f"Action {fair.pk} ({fair}): title_fr = 'Online job fair'",
    ]


def test_a_text_written_in_no_language_is_not_missing(demo):
    """An empty text (a figure without a note) has nothing to translate."""
    cohort = Action.objects.get(reference="gt-2017-cohort-lkt")
    assert (cohort.outcomes_note_en, cohort.outcomes_note_nl, cohort.outcomes_note_fr) == ("",) * 3
    assert missing_languages(cohort, "outcomes_note") == []
