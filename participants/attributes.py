"""Who took part: the personal attributes a report may break its figures down by, declared once.

Each is read from the jobseeker (gender, education level), from the participation record (the
labour-market status at entry, which is the state at the start of that action) or derived: the
age band at entry comes from the year of birth and the year the action starts, and is never
stored. A breakdown by any of them is a breakdown by a personal attribute: its small cells are
protected (reports.protection) for every user who may not read personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import EducationLevel, EntryStatus, Gender


class AgeBand(models.TextChoices):
    """The age bands of the ESF+ common indicators."""

    UNDER_25 = "under_25", _("under 25")
    FROM_25_TO_54 = "25_54", _("25 to 54")
    FROM_55 = "55_plus", _("55 and over")


class YouthBand(models.TextChoices):
    """The ESF+ youth bands (the Youth Guarantee's): under 18, 18 to 29, and the rest."""

    UNDER_18 = "under_18", _("under 18")
    FROM_18_TO_29 = "18_29", _("18 to 29")
    FROM_30 = "30_plus", _("30 and over")


# (band, first age, last age or None): the bands of each scheme, youngest first.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    (AgeBand.UNDER_25, 0, 24),
    (AgeBand.FROM_25_TO_54, 25, 54),
    (AgeBand.FROM_55, 55, None),
)
YOUTH_BANDS: tuple[tuple[str, int, int | None], ...] = (
    (YouthBand.UNDER_18, 0, 17),
    (YouthBand.FROM_18_TO_29, 18, 29),
    (YouthBand.FROM_30, 30, None),
)


def age_at_entry(birth_year: int | None, action_year: int | None) -> int | None:
    """The age in the year the action starts: the year of birth is all that is kept (never
    the date), so this is the age the person reaches that year."""
    if birth_year is None or action_year is None:
        return None
    return action_year - birth_year


def band_of(age: int | None, bands: tuple[tuple[str, int, int | None], ...]) -> str | None:
    """The band an age falls in; None when the age is not known."""
    if age is None:
        return None
    for band, first, last in bands:
        if age >= first and (last is None or age <= last):
            return band
    return None


def band_sql(age: str, bands: tuple[tuple[str, int, int | None], ...]) -> str:
    """The band of an age as SQL (a CASE over `age`, an SQL expression that is NULL when the
    age is not known): the same rule as band_of, which a test holds it to."""
    cases = []
    for band, first, last in bands:
        if not band.replace("_", "").isalnum():
            raise ValueError(band)
        upper = f" AND {age} <= {int(last)}" if last is not None else ""
        cases.append(f"WHEN {age} >= {int(first)}{upper} THEN '{band}'")
    return f"CASE {' '.join(cases)} END"


@dataclass(frozen=True)
class PersonalDimension:
    """A personal attribute a report groups and filters by."""

    slug: str
    label: Promise
    choices: tuple[tuple[str, str | Promise], ...]
    # Where it is read: "jobseeker" or "participation" and the field, or "age" and the bands.
    source: str
    field: str = ""
    bands: tuple[tuple[str, int, int | None], ...] = ()

    def value_label(self, value: str | None) -> str:
        """How a value reads; a record that does not say it is "not recorded"."""
        if not value:
            return str(_("not recorded"))
        return str(dict(self.choices).get(value, value))


def _choices(choices: type[models.TextChoices]) -> tuple[tuple[str, str | Promise], ...]:
    # The labels stay lazy: they read in the language of the request that shows them.
    return tuple((str(value), label) for value, label in choices.choices)


# In the order the pages and files show them.
PERSONAL_DIMENSIONS: dict[str, PersonalDimension] = {
    dimension.slug: dimension
    for dimension in (
        PersonalDimension(
            "gender", _("gender"), _choices(Gender), source="jobseeker", field="gender"
        ),
        PersonalDimension("age_band", _("age band"), _choices(AgeBand), "age", bands=AGE_BANDS),
        PersonalDimension(
            "youth_band", _("youth band"), _choices(YouthBand), "age", bands=YOUTH_BANDS
        ),
        PersonalDimension(
            "entry_status",
            _("status at entry"),
            _choices(EntryStatus),
            source="participation",
            field="entry_status",
        ),
        PersonalDimension(
            "education_level",
            _("education level"),
            _choices(EducationLevel),
            source="jobseeker",
            field="education_level",
        ),
    )
}
