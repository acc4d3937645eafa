"""Programmes, projects, organisations (PES, partners, employers), offices and indicators."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crossborder.core.metrics import WORK_FOUND_ACTION_TYPES, Metric
from crossborder.core.periods import FIRST_YEAR, LAST_YEAR, SEMESTER_ENDINGS
from crossborder.core.vocabulary import ActionType, OrganisationKind


def check_slug_kept(obj: models.Model, slug: str) -> None:
    """A slug in use never changes: the pages' and the API's URLs, the exports and the partners'
    own systems name the record by it. Only a record not saved yet takes a new one."""
    if obj._state.adding or obj.pk is None:
        return
    saved = type(obj)._default_manager.filter(pk=obj.pk).values_list("slug", flat=True).first()
    if saved is not None and saved != slug:
        message = _("A slug in use cannot change: links and other systems name the record by it.")
        raise ValidationError({"slug": message})


class Programme(models.Model):
    """An Interreg programme, e.g. Interreg V France-Wallonie-Vlaanderen 2014-2020."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["starts_on", "slug"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message=_("The end date may not be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_slug_kept(self, self.slug)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("May not be before the start date.")})


class Country(models.TextChoices):
    BE = "BE", _("Belgium")
    FR = "FR", _("France")
    NL = "NL", _("Netherlands")
    LU = "LU", _("Luxembourg")
    DE = "DE", _("Germany")


class Organisation(models.Model):
    """A public employment service, a project partner, a company or a temporary-work agency."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, blank=True)
    territory = models.CharField(
        _("territory"), max_length=120, blank=True, help_text=_("For a PES: the region it serves.")
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    activity = models.CharField(
        _("activity"), max_length=200, blank=True, help_text=_("What the organisation does.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "name"], name="organisation_kind_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_slug_kept(self, self.slug)

    @property
    def is_pes(self) -> bool:
        return self.kind == OrganisationKind.PES

    def name_on(self, day: datetime.date) -> str:
        """The name borne on a day (Pôle emploi before 2024, France Travail since)."""
        for former in self.former_names.all():
            if day <= former.used_until:
                return former.name
        return self.name


class FormerName(models.Model):
    """A name an organisation bore until a date."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="former_names"
    )
    name = models.CharField(_("name"), max_length=200)
    used_until = models.DateField(_("used until"))

    class Meta:
        ordering = ["organisation", "used_until"]
        verbose_name = _("former name")
        verbose_name_plural = _("former names")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="former_name_unique_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (-{self.used_until:%Y-%m-%d})"


class Office(models.Model):
    """A local office of a PES, e.g. VDAB Kortrijk or Pôle emploi Halluin."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="offices",
        limit_choices_to={"kind": OrganisationKind.PES},
        error_messages={"invalid": _("Must be an existing public employment service.")},
        verbose_name=_("PES"),
    )
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=120)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["organisation__name", "city"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


class BorderOfficePair(models.Model):
    """Two offices either side of the border that work together (PE Dunkerque, VDAB Veurne)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("office")
    )
    partner_office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        related_name="partner_pairs",
        verbose_name=_("partner office"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["office__name", "partner_office__name"]
        verbose_name = _("pair of border offices")
        verbose_name_plural = _("pairs of border offices")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "partner_office"], name="border_office_pair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(office=models.F("partner_office")),
                name="border_office_pair_two_offices",
                violation_error_message=_("An office cannot be paired with itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} - {self.partner_office}"


class Project(models.Model):
    """An Interreg project such as Grenzeloos Tewerkstellen."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="projects", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    lead_partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("lead partner"),
        null=True,
        blank=True,
    )
    partners = models.ManyToManyField(
        Organisation,
        through="ProjectPartner",
        related_name="projects",
        verbose_name=_("partners"),
    )
    state_note = models.TextField(
        _("state"),
        blank=True,
        help_text=_(
            "Where the project stands when it has nothing realised yet to report (e.g. "
            '"no French jobseekers have started yet; focus on personal services").'
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["starts_on", "slug"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
                violation_error_message=_("The end date may not be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_slug_kept(self, self.slug)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("May not be before the start date.")})


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("lead partner")
    PARTNER = "partner", _("project partner")
    ASSOCIATED = "associated", _("associated partner")


class ProjectPartner(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="project_memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=PartnerRole.choices, default=PartnerRole.PARTNER
    )

    class Meta:
        ordering = ["project", "role", "organisation__name"]
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="project_partner_unique"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(role="lead"),
                name="project_single_lead_partner",
                violation_error_message=_("A project has only one lead partner."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class WorkPackage(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="work_packages", verbose_name=_("project")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    coordinator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="coordinated_work_packages",
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="work_package_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorUnit(models.TextChoices):
    PARTICIPATIONS = "participations", _("participations")
    PARTICIPANTS = "participants", _("participants")
    EVENTS = "events", _("events")
    ORGANISATIONS = "organisations", _("organisations")


class IndicatorSource(models.TextChoices):
    """What an indicator counts: a metric over actions, the organisations cooperating, or the
    follow-ups of the participants (the ESF+ results)."""

    ACTIONS = Metric.ACTIONS.value, Metric.ACTIONS.label
    STARTS = Metric.STARTS.value, Metric.STARTS.label
    COMPLETIONS = Metric.COMPLETIONS.value, Metric.COMPLETIONS.label
    PLACEMENTS = Metric.PLACEMENTS.value, Metric.PLACEMENTS.label
    HIRES = Metric.HIRES.value, Metric.HIRES.label
    CERTIFICATES = Metric.CERTIFICATES.value, Metric.CERTIFICATES.label
    PARTNERS = "partners", _("partner organisations")
    FOLLOW_UPS = "follow_ups", _("follow-ups of participants")


class IndicatorRule(models.TextChoices):
    """The definition an indicator is computed by (reports/indicators.py), as the programme
    defines it (Interreg 2021-2027 common indicators; ESF+, Regulation (EU) 2021/1057, Annex I).
    `metric` adds up its `source` over its `action_types`, for an indicator of the programme's
    own that no definition here names."""

    METRIC = "metric", _("a metric over its action types")
    JOINT_ACTION_PARTICIPATIONS = (
        "joint_action_participations",
        _("participations in joint actions across borders"),
    )
    TRAINING_PARTICIPATIONS = "training_participations", _("participations in joint trainings")
    PUBLIC_EVENTS = "public_events", _("public events jointly organised")
    CROSS_BORDER_ORGANISATIONS = (
        "cross_border_organisations",
        _("organisations cooperating across borders"),
    )
    TRAINING_COMPLETIONS = "training_completions", _("completions of joint trainings")
    PARTICIPATIONS_AFTER_PROJECT = (
        "participations_after_project",
        _("participations after the project's end"),
    )
    EMPLOYED_ON_LEAVING = "employed_on_leaving", _("participants in employment on leaving")
    EMPLOYED_SIX_MONTHS = (
        "employed_six_months",
        _("participants in employment six months after leaving"),
    )
    BETTER_SITUATION_SIX_MONTHS = (
        "better_situation_six_months",
        _("participants in a better situation six months after leaving"),
    )


# The action types in which jobseekers take part (a record or a starts figure per person): every
# type but the staff seminar, which trains PES staff. A fair's or an info session's visitors are
# `reached`, never starts, so these types add only the people selected to take part.
PARTICIPATION_ACTION_TYPES: tuple[str, ...] = tuple(
    t for t in ActionType.values if t != ActionType.STAFF_SEMINAR
)
# The public events: open to anyone who comes by (a fair, an info session). A jobdating or a
# company visit takes jobseekers selected for it (domain brief: `starts`), a discovery day those
# of a training, a seminar the PES's staff: none of them is public.
PUBLIC_EVENT_TYPES: tuple[str, ...] = (ActionType.JOB_FAIR.value, ActionType.INFO_SESSION.value)
# The rules that follow the participants up, and the follow-up each reads.
FOLLOW_UP_RULES: tuple[str, ...] = (
    IndicatorRule.EMPLOYED_ON_LEAVING,
    IndicatorRule.EMPLOYED_SIX_MONTHS,
    IndicatorRule.BETTER_SITUATION_SIX_MONTHS,
)
# What each rule (but `metric` and the organisations) adds up, and over which action types:
# its `source` and `action_types`, which Indicator.clean() writes from it. The follow-ups exist
# only after the actions after which work can be found (participants.models.Participation.left_on).
RULE_COUNTS: dict[str, tuple[str, tuple[str, ...]]] = {
    IndicatorRule.JOINT_ACTION_PARTICIPATIONS: (Metric.STARTS, PARTICIPATION_ACTION_TYPES),
    IndicatorRule.TRAINING_PARTICIPATIONS: (Metric.STARTS, (ActionType.TRAINING.value,)),
    IndicatorRule.PUBLIC_EVENTS: (Metric.ACTIONS, PUBLIC_EVENT_TYPES),
    IndicatorRule.CROSS_BORDER_ORGANISATIONS: (IndicatorSource.PARTNERS, ()),
    IndicatorRule.TRAINING_COMPLETIONS: (Metric.COMPLETIONS, (ActionType.TRAINING.value,)),
    IndicatorRule.PARTICIPATIONS_AFTER_PROJECT: (Metric.STARTS, PARTICIPATION_ACTION_TYPES),
    **{rule: (IndicatorSource.FOLLOW_UPS, WORK_FOUND_ACTION_TYPES) for rule in FOLLOW_UP_RULES},
}


class Indicator(models.Model):
    """An Interreg or ESF+ common indicator (RCO81, RCR81, EECR04, ...) and the definition it is
    computed by from the records (`rule`)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=20, choices=IndicatorUnit.choices)
    rule = models.CharField(
        _("computed as"),
        max_length=32,
        choices=IndicatorRule.choices,
        default=IndicatorRule.METRIC,
        help_text=_(
            "The definition the indicator is computed by; a definition other than a metric "
            "sets what it counts and the action types itself."
        ),
    )
    source = models.CharField(
        _("counts"), max_length=20, choices=IndicatorSource.choices, default=IndicatorSource.STARTS
    )
    action_types = models.JSONField(
        _("action types"),
        default=list,
        blank=True,
        help_text=_("Slugs of the action types counted; empty counts every type."),
    )
    definition = models.TextField(
        _("definition"),
        blank=True,
        help_text=_("What the indicator counts, as the programme defines it."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def follows_up(self) -> bool:
        """Whether it reads the participants' follow-ups (the ESF+ results): a follow-up not
        known yet is "not yet known", never 0."""
        return self.rule in FOLLOW_UP_RULES

    def counted_metrics(self) -> tuple[str, ...]:
        """The metrics of the registry (crossborder.core.metrics) this indicator adds up over
        the realised actions of its types: RCO81, RCO85 and RCR85 `starts`, RCO115 `actions`,
        RCR81 `completions`; none for the organisations (RCO87) and the follow-ups (the ESF+
        results). Never `reached`: the visitors of a fair took part in no joint action, and
        IndicatorSource offers no such choice."""
        source = RULE_COUNTS[self.rule][0] if self.rule in RULE_COUNTS else self.source
        if source in (IndicatorSource.PARTNERS, IndicatorSource.FOLLOW_UPS):
            return ()
        return (str(source),)

    def counted_action_types(self) -> tuple[str, ...]:
        """The action types whose actions it adds up, in the vocabulary's order: its rule's, or
        those it names, or every type when it names none."""
        if self.rule in RULE_COUNTS:
            return RULE_COUNTS[self.rule][1]
        named = set(self.action_types or ())
        return tuple(slug for slug in ActionType.values if not named or slug in named)

    def counts_text(self) -> str:
        """What the indicator adds up, in the active language: "starts of: training"."""
        types = ", ".join(str(ActionType(t).label) for t in self.counted_action_types())
        texts: dict[str, Promise] = {
            IndicatorRule.CROSS_BORDER_ORGANISATIONS: _(
                "distinct partner and organising organisations, when of at least two countries"
            ),
            IndicatorRule.TRAINING_COMPLETIONS: _(
                "participants who completed a training, each once per training"
            ),
            IndicatorRule.PARTICIPATIONS_AFTER_PROJECT: _(
                "starts of: %(types)s, in actions starting after the project's end"
            ),
            IndicatorRule.EMPLOYED_ON_LEAVING: _(
                "participants in work or self-employed on leaving (follow-up on leaving) of: "
                "%(types)s"
            ),
            IndicatorRule.EMPLOYED_SIX_MONTHS: _(
                "participants in work or self-employed six months after leaving of: %(types)s"
            ),
            IndicatorRule.BETTER_SITUATION_SIX_MONTHS: _(
                "participants in a better labour-market situation six months after leaving "
                "of: %(types)s"
            ),
        }
        if self.rule in texts:
            return str(texts[self.rule]) % {"types": types}
        if not self.counted_metrics():
            return str(_("the partner organisations of the project"))
        return str(
            _("%(metrics)s of: %(types)s")
            % {
                "metrics": ", ".join(str(Metric(m).label) for m in self.counted_metrics()),
                "types": types,
            }
        )

    def clean(self) -> None:
        if self.rule in RULE_COUNTS:
            # What the rule counts, written where the API and the admin show it.
            source, types = RULE_COUNTS[self.rule]
            self.source = str(source)
            self.action_types = list(types)
            return
        if self.source == IndicatorSource.FOLLOW_UPS:
            raise ValidationError(
                {"source": _("Follow-ups are counted by an ESF+ definition: choose it.")}
            )
        unknown = sorted(set(self.action_types or []) - set(ActionType.values))
        if unknown:
            raise ValidationError(
                {
                    "action_types": _("Unknown action types: %(types)s.")
                    % {"types": ", ".join(unknown)}
                }
            )


class TargetKind(models.TextChoices):
    MILESTONE = "milestone", _("milestone")
    FINAL = "final", _("final target")


class Target(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="targets", verbose_name=_("project")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TargetKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["project", "indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "indicator", "kind", "year"], name="target_unique"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="target_year_plausible",
                violation_error_message=_("The year must lie between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.indicator.code} {self.get_kind_display()} {self.year}"


class Membership(models.Model):
    """The organisation a user works for: it scopes what a partner or coordinator may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class PeriodStatus(models.TextChoices):
    """Where a reporting period stands: a PES's figures for a project and a semester."""

    OPEN = "open", _("open")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


# The statuses in which the period's figures and records cannot change.
LOCKED_STATUSES: tuple[str, ...] = (PeriodStatus.SUBMITTED, PeriodStatus.APPROVED)


class TransitionKind(models.TextChoices):
    SUBMIT = "submit", _("submit")
    APPROVE = "approve", _("approve")
    RETURN = "return", _("return")
    REOPEN = "reopen", _("reopen")


# Each transition: the statuses it may start from, and the status it leads to.
PERIOD_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    TransitionKind.SUBMIT: ((PeriodStatus.OPEN, PeriodStatus.RETURNED), PeriodStatus.SUBMITTED),
    TransitionKind.APPROVE: ((PeriodStatus.SUBMITTED,), PeriodStatus.APPROVED),
    TransitionKind.RETURN: ((PeriodStatus.SUBMITTED,), PeriodStatus.RETURNED),
    TransitionKind.REOPEN: (LOCKED_STATUSES, PeriodStatus.OPEN),
}
# The transitions that say why: a return tells the PES what to correct, a reopening why approved
# (or submitted) figures may move again.
COMMENT_REQUIRED: tuple[str, ...] = (TransitionKind.RETURN, TransitionKind.REOPEN)
COMMENT_MAX_LENGTH = 2000


class ReportingPeriodQuerySet(models.QuerySet["ReportingPeriod"]):
    def locked(self) -> ReportingPeriodQuerySet:
        """The periods whose figures and records cannot change: submitted or approved."""
        return self.filter(status__in=LOCKED_STATUSES)

    def locked_for(
        self,
        *,
        project_id: int,
        year: int,
        semester: str,
        pes_ids: Iterable[int | None],
    ) -> ReportingPeriodQuerySet:
        """The locked periods of these PES in a project's semester (`year` and `semester` as an
        action holds them): what a write of their figures or records there runs into. A period
        without a row is open, so it is never found here."""
        return self.locked().filter(
            project_id=project_id,
            year=year,
            semester=semester,
            pes_id__in=[pes_id for pes_id in pes_ids if pes_id is not None],
        )

    def first_locked(
        self,
        *,
        project_id: int,
        year: int,
        semester: str,
        pes_ids: Iterable[int | None],
    ) -> ReportingPeriod | None:
        """The first locked period of these PES in a project's semester, or None: what a write of
        their figures or records there runs into.

        Within a transaction the rows of these periods, locked or not, stay locked until it ends
        (FOR UPDATE, as period_transition locks a period's row): a step taken on one of them at
        the same moment waits for the write that asked, or the write for the step, and the
        answer is the status the step left. Without this a figure checked against an open
        period could be saved just after the period was submitted. Outside a transaction (a
        form checked on its own) it is a plain read."""
        rows = self.filter(
            project_id=project_id,
            year=year,
            semester=semester,
            pes_id__in=[pes_id for pes_id in pes_ids if pes_id is not None],
        )
        if transaction.get_connection(self.db).in_atomic_block:
            rows = rows.select_for_update(of=("self",))
        for period in rows.select_related("project", "pes").order_by("pk"):
            if period.is_locked:
                return period
        return None


class ReportingPeriod(models.Model):
    """A PES's figures and participation records for a project's semester, as it reports them:
    open, submitted by a coordinator of the PES, then approved (or returned) by a reviewer.

    The figures and records of PES p in the actions of project P whose `year` and `semester` are
    y and s belong to the period (P, y, s, p); an action known only by its year has the semester
    "". Submitted and approved periods are locked: no write may change what they hold."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="reporting_periods",
        verbose_name=_("project"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.CharField(
        _("semester"),
        max_length=7,
        blank=True,
        help_text=_("2017-S1 or 2017-S2; empty for the actions known only by their year."),
    )
    pes = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reporting_periods",
        limit_choices_to={"kind": OrganisationKind.PES},
        verbose_name=_("PES"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "year", "semester", "pes_id"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "semester", "pes"],
                name="reporting_period_unique",
                violation_error_message=_("This PES already has this project's period."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="reporting_period_year_plausible",
                violation_error_message=_("Year: must lie between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(semester="")
                | Q(semester__endswith=SEMESTER_ENDINGS[0])
                | Q(semester__endswith=SEMESTER_ENDINGS[1]),
                name="reporting_period_semester_format",
                violation_error_message=_("Semester: must read like 2017-S1 or 2017-S2."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PeriodStatus.values),
                name="reporting_period_status_known",
                violation_error_message=_("Status: not a status of a reporting period."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}, {self.period_label}, {self.pes}"

    @property
    def period_label(self) -> str:
        """The semester, or the year for the actions known only by their year."""
        return self.semester or str(self.year)

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    def lock_message(self) -> str:
        """Why a write of this period's figures or records is refused, and who may undo it."""
        values = {"period": str(self)}
        if self.status == PeriodStatus.SUBMITTED:
            return (
                _(
                    "The reporting period %(period)s is submitted: its figures and participation "
                    "records cannot change. A manager or a coordinator of the lead partner may "
                    "return it; a manager may reopen it."
                )
                % values
            )
        return (
            _(
                "The reporting period %(period)s is approved: its figures and participation "
                "records cannot change. Only a manager may reopen it."
            )
            % values
        )

    def status_refusal(self, kind: str) -> str | None:
        """Why the period cannot take this transition from its status; None when it can."""
        sources, _target = PERIOD_TRANSITIONS[kind]
        if self.status in sources:
            return None
        return str(STATUS_RULES[kind]) % {"status": PeriodStatus(self.status).label}

    def comment_refusal(self, kind: str, comment: str) -> str | None:
        """Why the comment will not do for this transition; None when it will."""
        if kind in COMMENT_REQUIRED and not comment.strip():
            if kind == TransitionKind.REOPEN:
                return str(_("Give the reason for reopening the period."))
            return str(_("Say what the PES should correct before it submits again."))
        if len(comment) > COMMENT_MAX_LENGTH:
            return _("At most %(max)s characters; this one has %(length)s.") % {
                "max": COMMENT_MAX_LENGTH,
                "length": len(comment),
            }
        if "\x00" in comment:
            return str(_("Null characters are not allowed."))
        return None


# Why a transition is refused from the period's status (PERIOD_TRANSITIONS in words).
STATUS_RULES: dict[str, str | Promise] = {
    TransitionKind.SUBMIT: _(
        "The period is %(status)s: only an open or returned period can be submitted."
    ),
    TransitionKind.APPROVE: _("The period is %(status)s: only a submitted period can be approved."),
    TransitionKind.RETURN: _("The period is %(status)s: only a submitted period can be returned."),
    TransitionKind.REOPEN: _(
        "The period is %(status)s: only a submitted or approved period can be reopened."
    ),
}


class PeriodTransition(models.Model):
    """A step in a reporting period's life: who took it, when, and why. Append-only: written by
    the transition service (projects/periods.py) and never changed, so the trail of an approved
    figure stays whole; the admin shows it read-only."""

    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("reporting period"),
    )
    kind = models.CharField(_("transition"), max_length=10, choices=TransitionKind.choices)
    status = models.CharField(_("status after it"), max_length=12, choices=PeriodStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="period_transitions",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True, max_length=COMMENT_MAX_LENGTH)

    class Meta:
        ordering = ["period", "at", "pk"]
        verbose_name = _("period transition")
        verbose_name_plural = _("period transitions")

    def __str__(self) -> str:
        return f"{self.period}: {self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"
