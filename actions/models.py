"""Actions of every type: period, status, employers, and the aggregate figures entered for them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Sum
from django.utils.translation import gettext_lazy as _

from crossborder.core.metrics import EMPLOYER_METRICS, FIGURE_METRICS, PARTICIPANT_METRICS, Metric
from crossborder.core.periods import add_months, semester_of
from crossborder.core.vocabulary import (
    COHORT_MAX_JOBSEEKERS,
    COHORT_MAX_MONTHS,
    ActionStatus,
    ActionType,
    OrganisationKind,
)
from projects.models import Office, Organisation, Project, WorkPackage


class AddMonths(Func):
    """A date plus a whole number of calendar months, with each database's own date function.

    Used in a CheckConstraint, so it must be built-in SQL on every backend (SQLite's date() and
    PostgreSQL's interval arithmetic), never a Python function registered on the connection.
    """

    output_field = models.DateField()

    def __init__(self, expression: F, months: int, **extra: object) -> None:
        self.months = int(months)
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return self.as_sql(
            compiler, connection, template=f"date(%(expressions)s, '+{self.months} months')"
        )

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST((%(expressions)s + INTERVAL '{self.months} months') AS date)",
        )


class Sector(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """A certificate a training leads to, e.g. the French CACES or the European welder one."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.name


class ActionQuerySet(models.QuerySet["Action"]):
    def realised(self) -> ActionQuerySet:
        """Actions that took place or are taking place."""
        return self.filter(status__in=[ActionStatus.ONGOING, ActionStatus.COMPLETED])


class Action(models.Model):
    """A guidance cohort, jobdating, company visit, fair, training, ... of a project.

    An action is placed in time by its exact dates when they are known, and otherwise by a rough
    period: a year, and a semester when known ("2nd semester 2018"), with a note ("autumn").
    ``year`` and ``semester`` are kept in columns because every report groups and filters on them.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="actions", verbose_name=_("project")
    )
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name=_("work package"),
        null=True,
        blank=True,
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        blank=True,
        help_text=_(
            "A stable code for the action, unique when given (used by imports and the API)."
        ),
    )
    action_type = models.CharField(_("type"), max_length=20, choices=ActionType.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("Taken from the start date when there is one.")
    )
    semester = models.CharField(
        _("semester"),
        max_length=7,
        blank=True,
        help_text=_("2017-S1 or 2017-S2; taken from the start date when there is one."),
    )
    period_note = models.CharField(
        _("period"), max_length=100, blank=True, help_text=_('A rough period, e.g. "autumn".')
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    offices = models.ManyToManyField(
        Office, related_name="actions", verbose_name=_("offices"), blank=True
    )
    organisers = models.ManyToManyField(
        Organisation, related_name="organised_actions", verbose_name=_("organisers"), blank=True
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("sector"),
        null=True,
        blank=True,
    )
    language_hours = models.PositiveSmallIntegerField(
        _("language part (hours)"), null=True, blank=True
    )
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"), null=True, blank=True)
    certificates = models.ManyToManyField(
        Certificate, related_name="actions", verbose_name=_("certificates"), blank=True
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Most jobseekers the action can take.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["year", "semester", "start_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["year", "semester"], name="action_period"),
            models.Index(fields=["project", "year"], name="action_project_year"),
            models.Index(fields=["action_type", "status"], name="action_type_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="action_reference_unique",
                violation_error_message=_("Reference: another action already has it."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="action_end_not_before_start",
                violation_error_message=_("End date: may not be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=False),
                name="action_end_needs_start",
                violation_error_message=_("Start date: needed when there is an end date."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.CANCELLED) | ~Q(cancellation_reason=""),
                name="action_cancelled_has_reason",
                violation_error_message=_(
                    "Reason for cancellation: required for a cancelled action."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="action_year_plausible",
                violation_error_message=_("Year: must lie between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(semester="")
                | Q(semester__endswith="-S1")
                | Q(semester__endswith="-S2"),
                name="action_semester_format",
                violation_error_message=_("Semester: must read like 2017-S1 or 2017-S2."),
            ),
            models.CheckConstraint(
                condition=~Q(action_type=ActionType.GUIDANCE_COHORT)
                | Q(capacity__isnull=True)
                | Q(capacity__lte=COHORT_MAX_JOBSEEKERS),
                name="action_cohort_capacity",
                violation_error_message=_(
                    "Capacity: a guidance cohort takes at most 12 jobseekers."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(action_type=ActionType.GUIDANCE_COHORT)
                | Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__lte=AddMonths(F("start_date"), COHORT_MAX_MONTHS)),
                name="action_cohort_duration",
                violation_error_message=_("End date: a guidance cohort lasts at most 3 months."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.when})"

    @property
    def when(self) -> str:
        """The action's dates, or its rough period when they are not known."""
        if self.start_date and self.end_date and self.end_date != self.start_date:
            return f"{self.start_date:%Y-%m-%d} - {self.end_date:%Y-%m-%d}"
        if self.start_date:
            return f"{self.start_date:%Y-%m-%d}"
        period = self.semester or str(self.year)
        return f"{self.period_note} {period}".strip()

    @property
    def is_realised(self) -> bool:
        return self.status in (ActionStatus.ONGOING, ActionStatus.COMPLETED)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date:
            self.year = self.start_date.year
            self.semester = semester_of(self.start_date)
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = _("Must lie between 2000 and 2100.")
        if self.end_date and not self.start_date:
            errors["start_date"] = _("Needed when there is an end date.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("May not be before the start date.")
        if self.semester and (
            not self.year or self.semester not in (f"{self.year}-S1", f"{self.year}-S2")
        ):
            errors["semester"] = _("Must be %(s1)s or %(s2)s, in the action's year.") % {
                "s1": f"{self.year}-S1",
                "s2": f"{self.year}-S2",
            }
        if self.status == ActionStatus.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = _("Required for a cancelled action: say why.")
        if self.action_type == ActionType.GUIDANCE_COHORT:
            if self.capacity is not None and self.capacity > COHORT_MAX_JOBSEEKERS:
                errors["capacity"] = _("A guidance cohort takes at most 12 jobseekers.")
            if (
                self.start_date
                and self.end_date
                and self.end_date > add_months(self.start_date, COHORT_MAX_MONTHS)
            ):
                errors["end_date"] = _(
                    "A guidance cohort lasts at most 3 months: end on %(last)s at the latest."
                ) % {"last": add_months(self.start_date, COHORT_MAX_MONTHS).isoformat()}
        if (
            self.work_package_id
            and self.project_id
            and self.work_package.project_id != self.project_id
        ):
            errors["work_package"] = _("The work package belongs to another project.")
        if errors:
            raise ValidationError(errors)


class ActionEmployer(models.Model):
    """A company or temporary-work agency present at an action, with the vacancies it brought."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="employers", verbose_name=_("action")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="action_presences",
        limit_choices_to={"kind__in": [OrganisationKind.COMPANY, OrganisationKind.AGENCY]},
        error_messages={"invalid": _("Must be an existing company or temporary-work agency.")},
        verbose_name=_("company or agency"),
    )
    vacancies = models.PositiveIntegerField(_("vacancies"), null=True, blank=True)

    class Meta:
        ordering = ["action", "organisation__name"]
        verbose_name = _("employer present")
        verbose_name_plural = _("employers present")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "organisation"],
                name="action_employer_unique",
                violation_error_message=_("This employer is already listed for the action."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class JobOffer(models.Model):
    """A job shown or offered at an action (e.g. line operator), by one employer or the action."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="job_offers", verbose_name=_("action")
    )
    title = models.CharField(_("job"), max_length=200)
    employer = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="job_offers",
        verbose_name=_("employer"),
        null=True,
        blank=True,
    )
    positions = models.PositiveIntegerField(_("positions"), null=True, blank=True)

    class Meta:
        ordering = ["action", "title"]
        verbose_name = _("job offered")
        verbose_name_plural = _("jobs offered")

    def __str__(self) -> str:
        return self.title


class Figure(models.Model):
    """An aggregate count entered for an action: per PES, or unsplit when the PES is unknown.

    For one action, one PES and one jobseeker metric the count comes either from participation
    records or from a figure, never both. An unsplit figure (no PES) is a remainder: it counts the
    jobseekers not counted per PES, so it is added once beside the split figures and records.
    For employers, agencies and vacancies the unsplit figure counts those not listed by name.
    """

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="figures", verbose_name=_("action")
    )
    metric = models.CharField(
        _("metric"),
        max_length=16,
        choices=[(m.value, m.label) for m in Metric if m.value in FIGURE_METRICS],
    )
    pes = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="figures",
        limit_choices_to={"kind": OrganisationKind.PES},
        error_messages={"invalid": _("Must be an existing public employment service.")},
        verbose_name=_("PES"),
        null=True,
        blank=True,
        help_text=_("Empty when the split per PES is not known."),
    )
    value = models.PositiveIntegerField(_("value"))
    is_lower_bound = models.BooleanField(
        _("lower bound"),
        default=False,
        help_text=_('Tick for "more than": the value is a minimum.'),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["action", "metric", "pes__name"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        indexes = [models.Index(fields=["metric", "pes"], name="figure_metric_pes")]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "metric", "pes"],
                condition=Q(pes__isnull=False),
                name="figure_unique_per_pes",
                violation_error_message=_("This action already has this figure for this PES."),
            ),
            models.UniqueConstraint(
                fields=["action", "metric"],
                condition=Q(pes__isnull=True),
                name="figure_unique_unsplit",
                violation_error_message=_(
                    "This action already has an unsplit figure for this metric."
                ),
            ),
            models.CheckConstraint(
                condition=Q(metric__in=FIGURE_METRICS),
                name="figure_metric_known",
                violation_error_message=_("Metric: not a metric a figure can count."),
            ),
            models.CheckConstraint(
                condition=Q(pes__isnull=True) | Q(metric__in=PARTICIPANT_METRICS),
                name="figure_employer_metric_without_pes",
                violation_error_message=_(
                    "PES: employers, agencies and vacancies belong to no PES."
                ),
            ),
        ]

    def __str__(self) -> str:
        prefix = "≥ " if self.is_lower_bound else ""
        return f"{self.get_metric_display()} {self.pes or '?'}: {prefix}{self.value}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.pes_id:
            if self.metric in EMPLOYER_METRICS:
                errors["pes"] = _(
                    "Employers, agencies and vacancies belong to no PES: leave it empty."
                )
            elif self.action_id and self.metric in PARTICIPANT_METRICS:
                from participants.models import Participation

                if Participation.objects.filter(
                    action_id=self.action_id, pes_id=self.pes_id
                ).exists():
                    errors["pes"] = _(
                        "%(pes)s keeps individual participation records for this action; its "
                        "%(metric)s are counted from them. Enter the figure without PES if it "
                        "counts others."
                    ) % {"pes": self.pes, "metric": self.get_metric_display()}
        if (
            not errors
            and self.metric == Metric.STARTS
            and self.action_id
            and self.action.action_type == ActionType.GUIDANCE_COHORT
            and self.value is not None
        ):
            others = self.action.figures.filter(metric=Metric.STARTS).exclude(pk=self.pk)
            total = (others.aggregate(total=Sum("value"))["total"] or 0) + self.value
            total += self.action.participations.started().count()
            if total > COHORT_MAX_JOBSEEKERS:
                errors["value"] = _(
                    "A guidance cohort takes at most 12 jobseekers; with this figure it would "
                    "have %(total)s."
                ) % {"total": total}
        if errors:
            raise ValidationError(errors)
