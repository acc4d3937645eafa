"""The fixed vocabulary of the domain brief: the API, the reports and the tests use these slugs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionType(models.TextChoices):
    GUIDANCE_COHORT = "guidance_cohort", _("guidance cohort")
    JOBDATING = "jobdating", _("jobdating")
    COMPANY_VISIT = "company_visit", _("company visit")
    JOB_FAIR = "job_fair", _("job fair")
    TRAINING = "training", _("training")
    DISCOVERY_DAY = "discovery_day", _("discovery day")
    INFO_SESSION = "info_session", _("info session")
    STAFF_SEMINAR = "staff_seminar", _("staff seminar")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


# An action that took place or is taking place.
REALISED_STATUSES: tuple[str, ...] = (ActionStatus.ONGOING, ActionStatus.COMPLETED)


class ParticipationStatus(models.TextChoices):
    INTERESTED = "interested", _("interested")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    DROPPED_OUT = "dropped_out", _("dropped out")


# Statuses of a jobseeker who started (and is counted in `starts`).
STARTED_STATUSES: tuple[str, ...] = (
    ParticipationStatus.STARTED,
    ParticipationStatus.COMPLETED,
    ParticipationStatus.DROPPED_OUT,
)


class OrganisationKind(models.TextChoices):
    PES = "pes", _("public employment service")
    PARTNER = "partner", _("partner")
    COMPANY = "company", _("company")
    AGENCY = "agency", _("temporary-work agency")


# Rules of the guidance cohort (domain brief): at most 12 jobseekers, at most 3 months.
COHORT_MAX_JOBSEEKERS = 12
COHORT_MAX_MONTHS = 3


def in_each_language(field: str) -> list[str]:
    """The columns modeltranslation gives a translated field, one per language of
    settings.LANGUAGES in their order: title_en, title_nl, title_fr."""
    return [f"{field}_{code}" for code, _name in settings.LANGUAGES]
