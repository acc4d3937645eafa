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

from .vocabulary import STARTED_STATUSES, ActionType, OrganisationKind, ParticipationStatus


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
# The jobseekers who found work: placed after the action or hired by an employer of the action,
# a record that says both counted once; a report's measure derived from `placements` and
# `hires`, never a figure (a coordinator types those two in, and the report adds them up).
WORK_FOUND = "work_found"

# The actions after which work can be found, and so the only ones the placement rate reads:
# a cohort or a training prepares jobseekers for a job, a jobdating or a company visit puts
# selected jobseekers before employers who hire. A fair or an info session reaches visitors
# (`reached`, never `starts`), a seminar trains staff, a discovery day comes before a training:
# none of them has starts whose work found could be known.
WORK_FOUND_ACTION_TYPES: tuple[str, ...] = (
    ActionType.GUIDANCE_COHORT.value,
    ActionType.TRAINING.value,
    ActionType.JOBDATING.value,
    ActionType.COMPANY_VISIT.value,
)


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
    # A measure derived from these metrics: their figures are summed, and a participation
    # record counts once when it counts for any of them (one jobseeker placed and hired is one
    # jobseeker who found work). Never typed in as a figure of its own.
    adds: tuple[str, ...] = ()
    # What it counts, in a sentence of the documentation and the indicators' table.
    definition: Promise | str = ""

    @property
    def label(self) -> str:
        """The name in choices and filters ("starts")."""
        return str(Metric(self.slug).label) if self.slug in Metric.values else str(self.heading)

    @property
    def is_figure(self) -> bool:
        """Whether an aggregate figure may count it: everything but the actions (never typed
        in) and the distinct people (no figure can say who is counted twice)."""
        return self.counts is not Counts.ACTIONS and self.slug != PEOPLE and not self.adds


def _define(*definitions: MetricDefinition) -> dict[str, MetricDefinition]:
    return {definition.slug: definition for definition in definitions}


# In the order every table and file shows them.
REGISTRY: dict[str, MetricDefinition] = _define(
    MetricDefinition(
        Metric.ACTIONS,
        heading=_("Actions"),
        phrase=ngettext_lazy("%(text)s action", "%(text)s actions", "number"),
        counts=Counts.ACTIONS,
        definition=_("The actions themselves, each counted once."),
    ),
    MetricDefinition(
        Metric.INTERESTED,
        heading=_("Interested"),
        phrase=ngettext_lazy("%(text)s interested", "%(text)s interested", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=(ParticipationStatus.INTERESTED,)),
        definition=_(
            "Jobseekers who registered interest or were pre-selected and have not started."
        ),
    ),
    MetricDefinition(
        Metric.REACHED,
        heading=_("Reached"),
        phrase=ngettext_lazy("%(text)s jobseeker reached", "%(text)s jobseekers reached", "number"),
        counts=Counts.JOBSEEKERS,
        definition=_(
            "Jobseekers who came by an open event, a fair or an info session (“more than 200 came"
            " by”): visitors, never counted as started."
        ),
    ),
    MetricDefinition(
        Metric.STARTS,
        heading=_("Started"),
        phrase=ngettext_lazy("%(text)s started", "%(text)s started", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=STARTED_STATUSES),
        definition=_(
            "Jobseekers who started: joined a cohort or a training, or took part in a jobdating"
            " or a company visit they were selected for. One person in two actions counts twice."
        ),
    ),
    MetricDefinition(
        Metric.COMPLETIONS,
        heading=_("Completed"),
        phrase=ngettext_lazy("%(text)s completed", "%(text)s completed", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=(ParticipationStatus.COMPLETED,)),
        definition=_("Jobseekers who completed the action."),
    ),
    MetricDefinition(
        Metric.PLACEMENTS,
        heading=_("Found work"),
        phrase=ngettext_lazy("%(text)s found work", "%(text)s found work", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(dated="placed_on"),
        definition=_(
            "Jobseekers who found work after the action (those hired by an employer of the action"
            " are counted as hired)."
        ),
    ),
    MetricDefinition(
        Metric.HIRES,
        heading=_("Hired"),
        phrase=ngettext_lazy("%(text)s hired", "%(text)s hired", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(dated="hired_on"),
        definition=_("Jobseekers hired by an employer present at the action."),
    ),
    MetricDefinition(
        WORK_FOUND,
        heading=_("Work found"),
        phrase=ngettext_lazy("%(text)s found a job", "%(text)s found a job", "number"),
        counts=Counts.JOBSEEKERS,
        adds=(Metric.PLACEMENTS.value, Metric.HIRES.value),
        definition=_(
            "Jobseekers who found work: placed after the action or hired by an employer of the"
            " action; a jobseeker with a record of both counts once, figures are added up."
        ),
    ),
    MetricDefinition(
        Metric.CERTIFICATES,
        heading=_("Certificates"),
        phrase=ngettext_lazy("%(text)s certificate", "%(text)s certificates", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(dated="certified_on"),
        definition=_("Certificates obtained."),
    ),
    MetricDefinition(
        Metric.EMPLOYERS,
        heading=_("Companies"),
        phrase=ngettext_lazy("%(text)s company", "%(text)s companies", "number"),
        counts=Counts.EMPLOYERS,
        employer=EmployerRule(kind=OrganisationKind.COMPANY),
        definition=_("Companies present at the action."),
    ),
    MetricDefinition(
        Metric.AGENCIES,
        heading=_("Agencies"),
        phrase=ngettext_lazy("%(text)s agency", "%(text)s agencies", "number"),
        counts=Counts.EMPLOYERS,
        employer=EmployerRule(kind=OrganisationKind.AGENCY),
        definition=_("Temporary-work agencies present at the action."),
    ),
    MetricDefinition(
        Metric.VACANCIES,
        heading=_("Vacancies"),
        phrase=ngettext_lazy("%(text)s vacancy", "%(text)s vacancies", "number"),
        counts=Counts.EMPLOYERS,
        employer=EmployerRule(summed="vacancies"),
        definition=_("Vacancies offered by the employers present."),
    ),
    MetricDefinition(
        PEOPLE,
        heading=_("People"),
        phrase=ngettext_lazy("%(text)s person", "%(text)s people", "number"),
        counts=Counts.JOBSEEKERS,
        record=RecordRule(statuses=STARTED_STATUSES),
        definition=_("Distinct jobseekers who started, from participation records only."),
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
# Measures derived from summed metrics (`work_found`), each summed over its facts too.
DERIVED_METRICS: tuple[str, ...] = tuple(slug for slug, m in REGISTRY.items() if m.adds)
# Every measure of a report's row, in the order tables show them (the registry's).
REPORT_METRICS: tuple[str, ...] = tuple(REGISTRY)


def record_rules(slug: str) -> tuple[RecordRule, ...]:
    """How a participation record counts for a metric: its own rule, or for a derived measure
    the rules of the metrics it adds (the record counts once when any of them holds)."""
    definition = REGISTRY[slug]
    if definition.adds:
        return tuple(rule for part in definition.adds for rule in record_rules(part))
    return (definition.record,) if definition.record else ()


def heading(slug: str) -> str:
    """A metric's column heading in the active language."""
    return str(REGISTRY[slug].heading)


def phrase(slug: str, *, text: str, number: int) -> str:
    """A metric's figure in a sentence in the active language: "at least 200 started"."""
    return REGISTRY[slug].phrase % {"text": text, "number": number}
