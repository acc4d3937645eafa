"""The fixed vocabulary of the domain brief: the API, the reports and the tests use these slugs."""

from __future__ import annotations

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


class Metric(models.TextChoices):
    ACTIONS = "actions", _("actions")
    INTERESTED = "interested", _("interested")
    STARTS = "starts", _("starts")
    COMPLETIONS = "completions", _("completions")
    PLACEMENTS = "placements", _("placements")
    HIRES = "hires", _("hires")
    CERTIFICATES = "certificates", _("certificates")
    EMPLOYERS = "employers", _("employers")
    AGENCIES = "agencies", _("agencies")
    VACANCIES = "vacancies", _("vacancies")


# Metrics about jobseekers: counted per PES, from participation records or from figures.
PARTICIPANT_METRICS: tuple[str, ...] = (
    Metric.INTERESTED,
    Metric.STARTS,
    Metric.COMPLETIONS,
    Metric.PLACEMENTS,
    Metric.HIRES,
    Metric.CERTIFICATES,
)
# Metrics about the employers present: they belong to no PES.
EMPLOYER_METRICS: tuple[str, ...] = (Metric.EMPLOYERS, Metric.AGENCIES, Metric.VACANCIES)
# What an aggregate figure may count (the number of actions is never typed in).
FIGURE_METRICS: tuple[str, ...] = PARTICIPANT_METRICS + EMPLOYER_METRICS

# Rules of the guidance cohort (domain brief): at most 12 jobseekers, at most 3 months.
COHORT_MAX_JOBSEEKERS = 12
COHORT_MAX_MONTHS = 3
