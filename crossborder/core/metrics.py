"""The metrics: one entry each, the one place that says what a metric is called, what it counts
and how a participation record, an employer present or an aggregate figure counts for it.

The reports' SQL, the serializers, the outcomes API, the dashboards, every export, the imports
and the benchmark's floor read this registry; none of them names a metric's rule itself. A new
metric is a `Metric` member and its `MetricDefinition` here, a field on the participation where
a record must say it (a migration), and the translations of its label, heading and phrase.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .vocabulary import STARTED_STATUSES, OrganisationKind, ParticipationStatus


class Metric(models.TextChoices):
    """The metrics a report sums or counts (their slugs, in the API and the files)."""

    ACTIONS = "actions", _("actions")
    INTERESTED = "interested", _("interested")
    REACHED = "reached", _("reached")
    STARTS = "starts", _("starts")
    COMPLETIONS = "completions", _("completions")
    PLACEMENTS = "placements", _("placements")
    HIRES = "hires", _("hires")
    CERTIFICATES = "certificates", _("certificates")
    EMPLOYERS = "employers", _("employers")
    AGENCIES = "agencies", _("agencies")
    VACANCIES = "vacancies", _("vacancies")


# The distinct jobseekers who started: a report's measure beside the metrics, never a figure.
PEOPLE = "people"


class Counts(enum.Enum):
    """What a metric counts, which decides where its facts come from."""

    # The actions themselves, counted distinct.
    ACTIONS = "actions"
    # Jobseekers: per PES, from participation records or from aggregate figures.
    JOBSEEKERS = "jobseekers"
    # The employers present (companies, agencies, their vacancies): they belong to no PES.
    EMPLOYERS = "employers"


@dataclass(frozen=True)
class RecordRule:
    """How one participation record counts for a metric: once when its status is one of
    `statuses`, or when its date field `dated` is filled (the date of the outcome)."""

    statuses: tuple[str, ...] = ()
    dated: str = ""

    def condition(self) -> Q:
        """The records that count, as a filter of participations."""
        if self.dated:
            return Q(**{f"{self.dated}__isnull": False})
        return Q(status__in=self.statuses)


@dataclass(frozen=True)
class EmployerRule:
    """How one employer present at an action counts: once when its organisation is of `kind`,
    or with the number in its field `summed` (the vacancies it brought)."""

    kind: str = ""
    summed: str = ""


@dataclass(frozen=True)
class MetricDefinition:
    slug: str
    # The column heading of tables and files ("Started").
    heading: Promise
    # How a figure reads in a sentence: "%(text)s" is the figure as it reads ("at least 200"),
    # "number" chooses the plural.
    phrase: Promise
    counts: Counts
    record: RecordRule | None = None
    employer: EmployerRule | None = None

    @property
    def label(self) -> str:
        """The name in choices and filters ("starts")."""
        return str(Metric(self.slug).label) if self.slug in Metric.values else str(self.heading)

    @property
    def is_figure(self) -> bool:
        """Whether an aggregate figure may count it: everything but the actions (never typed
        in) and the distinct people (no figure can say who is counted twice)."""
        return self.counts is not Counts.ACTIONS and self.slug != PEOPLE


def _define(*definitions: MetricDefinition) -> dict[str, MetricDefinition]:
    return {definition.slug: definition for definition in definitions}


# In the order every table and file shows them.
REGISTRY: dict[str, MetricDefinition] = _define(
    MetricDefinition(
        Metric.ACTIONS,
        heading=_("Actions"),
        phrase=ngettext_lazy("%(text)s action", "%(text)s actions", "number"),
        counts=Counts.ACTIONS,
    ),
    MetricDefinition(
        Metric.INTERESTED,
        heading=_("Interested"),
        phrase=ngettext_lazy("%(text)s interested", "%(text)s interested", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=(ParticipationStatus.INTERESTED,)),
    ),
    MetricDefinition(
        Metric.REACHED,
        heading=_("Reached"),
        phrase=ngettext_lazy("%(text)s jobseeker reached", "%(text)s jobseekers reached", "number"),
        counts=Counts.JOBSEEKERS,
    ),
    MetricDefinition(
        Metric.STARTS,
        heading=_("Started"),
        phrase=ngettext_lazy("%(text)s started", "%(text)s started", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=STARTED_STATUSES),
    ),
    MetricDefinition(
        Metric.COMPLETIONS,
        heading=_("Completed"),
        phrase=ngettext_lazy("%(text)s completed", "%(text)s completed", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=(ParticipationStatus.COMPLETED,)),
    ),
    MetricDefinition(
        Metric.PLACEMENTS,
        heading=_("Found work"),
        phrase=ngettext_lazy("%(text)s found work", "%(text)s found work", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(dated="placed_on"),
    ),
    MetricDefinition(
        Metric.HIRES,
        heading=_("Hired"),
        phrase=ngettext_lazy("%(text)s hired", "%(text)s hired", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(dated="hired_on"),
    ),
    MetricDefinition(
        Metric.CERTIFICATES,
        heading=_("Certificates"),
        phrase=ngettext_lazy("%(text)s certificate", "%(text)s certificates", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(dated="certified_on"),
    ),
    MetricDefinition(
        Metric.EMPLOYERS,
        heading=_("Companies"),
        phrase=ngettext_lazy("%(text)s company", "%(text)s companies", "number"),
        counts=Counts.EMPLOYERS,
        employer=EmployerRule(kind=OrganisationKind.COMPANY),
    ),
    MetricDefinition(
        Metric.AGENCIES,
        heading=_("Agencies"),
        phrase=ngettext_lazy("%(text)s agency", "%(text)s agencies", "number"),
        counts=Counts.EMPLOYERS,
        employer=EmployerRule(kind=OrganisationKind.AGENCY),
    ),
    MetricDefinition(
        Metric.VACANCIES,
        heading=_("Vacancies"),
        phrase=ngettext_lazy("%(text)s vacancy", "%(text)s vacancies", "number"),
        counts=Counts.EMPLOYERS,
        employer=EmployerRule(summed="vacancies"),
    ),
    MetricDefinition(
        PEOPLE,
        heading=_("People"),
        phrase=ngettext_lazy("%(text)s person", "%(text)s people", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=STARTED_STATUSES),
    ),
)

# Metrics about jobseekers that a figure may count: per PES, from records or from figures.
PARTICIPANT_METRICS: tuple[str, ...] = tuple(
    slug for slug, m in REGISTRY.items() if m.counts is Counts.JOBSEEKERS and m.is_figure
)
# Metrics about the employers present: they belong to no PES.
EMPLOYER_METRICS: tuple[str, ...] = tuple(
    slug for slug, m in REGISTRY.items() if m.counts is Counts.EMPLOYERS
)
# What an aggregate figure may count (the number of actions is never typed in).
FIGURE_METRICS: tuple[str, ...] = PARTICIPANT_METRICS + EMPLOYER_METRICS
# What a report sums over its facts; `actions` and `people` are counted distinct.
SUMMED_METRICS: tuple[str, ...] = FIGURE_METRICS
# Every measure of a report's row, in the order tables show them.
REPORT_METRICS: tuple[str, ...] = (Metric.ACTIONS.value, *SUMMED_METRICS, PEOPLE)


def heading(slug: str) -> str:
    """A metric's column heading in the active language."""
    return str(REGISTRY[slug].heading)


def phrase(slug: str, *, text: str, number: int) -> str:
    """A metric's figure in a sentence in the active language: "at least 200 started"."""
    return REGISTRY[slug].phrase % {"text": text, "number": number}
