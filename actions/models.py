"""Actions of every type: period, status, employers, and the aggregate figures entered for them."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Func, Q, Sum
from django.db.models.sql.compiler import SQLCompiler
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.manager import MultilingualManager

from crossborder.core.metrics import (
    EMPLOYER_METRICS,
    FIGURE_METRICS,
    PARTICIPANT_METRICS,
    REGISTRY,
    Metric,
)
from crossborder.core.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    SEMESTER_ENDINGS,
    Semester,
    add_months,
    is_year,
    period_sort_date,
    semester_of,
)
from crossborder.core.versions import Versioned
from crossborder.core.vocabulary import (
    COHORT_MAX_JOBSEEKERS,
    COHORT_MAX_MONTHS,
    ActionStatus,
    ActionType,
    OrganisationKind,
)
from projects.models import Office, Organisation, Project, ReportingPeriod, WorkPackage


class AddMonths(Func):
    """A date plus a whole number of calendar months, with each database's own date function.

    Used in a CheckConstraint, so it must be built-in SQL on every backend (SQLite's date() and
    PostgreSQL's interval arithmetic), never a Python function registered on the connection.
    """

    output_field = models.DateField()

    def __init__(self, expression: F, months: int, **extra: Any) -> None:
        self.months = int(months)
        super().__init__(expression, **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler, connection, template=f"date(%(expressions)s, '+{self.months} months')"
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST((%(expressions)s + INTERVAL '{self.months} months') AS date)",
        )


class Sector(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

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
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.name


class Action(Versioned, models.Model):
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
    period_month = models.PositiveSmallIntegerField(
        _("first month of the period"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "Without a start date: the month the rough period begins (9 for autumn), so that "
            "the action sorts where its period begins."
        ),
    )
    # Where the action sorts in every list, report and the API's ordering: its start date, else
    # the first day of its rough period (month, else semester, else year). Kept by save().
    sort_date = models.DateField(_("sorts on"), editable=False, db_index=True)
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
    # The format of a cohort or training, as the report's story tells it.
    workshops = models.PositiveSmallIntegerField(
        _("workshops"), null=True, blank=True, help_text=_("The number of thematic workshops.")
    )
    workshop_note = models.CharField(
        _("about the workshops"),
        max_length=200,
        blank=True,
        help_text=_('E.g. "alternating in France and Belgium".'),
    )
    language_note = models.CharField(
        _("about the language part"),
        max_length=200,
        blank=True,
        help_text=_('E.g. "two weeks of intensive Dutch before the training".'),
    )
    reviews = models.CharField(
        _("review moments"),
        max_length=200,
        blank=True,
        help_text=_('E.g. "a mid-way and a final review".'),
    )
    taught_by = models.ManyToManyField(
        Organisation, related_name="taught_actions", verbose_name=_("taught by"), blank=True
    )
    tested_by = models.ManyToManyField(
        Organisation, related_name="tested_actions", verbose_name=_("tested by"), blank=True
    )
    presenters = models.ManyToManyField(
        Organisation,
        related_name="presented_actions",
        verbose_name=_("presented by"),
        blank=True,
        help_text=_("For seminars and info sessions: the organisations that presented."),
    )
    # Outcomes that cannot be measured yet ("outflow expected early 2019"): until this date a
    # report says they are not yet known, never 0.
    outcomes_expected_on = models.DateField(
        _("outcomes known from"),
        null=True,
        blank=True,
        help_text=_("When work found can first be measured; until then it is not yet known."),
    )
    outcomes_note = models.CharField(
        _("about the outcomes"),
        max_length=200,
        blank=True,
        help_text=_('E.g. "outflow expected early 2019".'),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    # The manager modeltranslation puts on a translated model at run time, declared so that the
    # type checker knows it too.
    objects = MultilingualManager()

    class Meta:
        ordering = ["sort_date", "pk"]
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
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="action_year_plausible",
                violation_error_message=_("Year: must lie between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(semester="")
                | Q(semester__endswith=SEMESTER_ENDINGS[0])
                | Q(semester__endswith=SEMESTER_ENDINGS[1]),
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.year is not None:
            if not self.start_date and self.period_month and not self.semester:
                self.semester = str(Semester(self.year, 1 if self.period_month <= 6 else 2))
            self.sort_date = period_sort_date(
                self.start_date, self.year, self.semester, self.period_month
            )
        if not self.reference and self.project_id is not None and self.year is not None:
            self.reference = self.generated_reference()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "sort_date", "semester", "reference"}
        super().save(*args, **kwargs)

    def outcomes_pending(self, as_of: datetime.date) -> bool:
        """Whether the work found after the action cannot be known yet on `as_of`: it has not
        ended then, or its outcomes are expected later ("outflow expected early 2019"). A report
        says "not yet known" for such an action, never 0."""
        if self.status in (ActionStatus.PLANNED, ActionStatus.ONGOING):
            return True
        if self.outcomes_expected_on is not None and self.outcomes_expected_on > as_of:
            return True
        end = self.end_date or self.start_date
        return end is not None and end > as_of

    def generated_reference(self) -> str:
        """A stable reference for an action created without one (the API and imports find it
        by it): the project, the year and a random part, never reused."""
        return f"{self.project.slug[:40]}-{self.year}-{secrets.token_hex(4)}"

    @property
    def when(self) -> str:
        """The action's dates, or its rough period when they are not known; a note that names
        the year ("in the coming weeks (spring 2018)") is not followed by it again."""
        if self.start_date and self.end_date and self.end_date != self.start_date:
            return f"{self.start_date:%Y-%m-%d} - {self.end_date:%Y-%m-%d}"
        if self.start_date:
            return f"{self.start_date:%Y-%m-%d}"
        if self.period_note and str(self.year) in self.period_note:
            return self.period_note
        period = self.semester or str(self.year)
        return f"{self.period_note} {period}".strip()

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.start_date:
            self.year = self.start_date.year
            self.semester = semester_of(self.start_date)
        if self.year is not None and not is_year(self.year):
            errors["year"] = _("Must lie between 2000 and 2100.")
        if self.period_month and self.semester and not self.start_date:
            half = 1 if self.period_month <= 6 else 2
            if not self.semester.endswith(SEMESTER_ENDINGS[half - 1]):
                errors["period_month"] = _("Must be a month of the semester %(semester)s.") % {
                    "semester": self.semester
                }
        if self.end_date and not self.start_date:
            errors["start_date"] = _("Needed when there is an end date.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("May not be before the start date.")
        # Without a year clean_fields() says it is missing; the semester is checked against it.
        if self.semester and self.year is not None:
            s1, s2 = (str(semester) for semester in Semester.both(self.year))
            if self.semester not in (s1, s2) or not self.year:
                errors["semester"] = _("Must be %(s1)s or %(s2)s, in the action's year.") % {
                    "s1": s1,
                    "s2": s2,
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
            self.work_package is not None
            and self.project_id
            and self.work_package.project_id != self.project_id
        ):
            errors["work_package"] = _("The work package belongs to another project.")
        if not errors:
            refusal = self.move_refusal()
            if refusal:
                errors[NON_FIELD_ERRORS] = refusal
        if not errors:
            refusal = self.records_window_refusal()
            if refusal:
                errors["start_date" if self.start_date else "year"] = refusal
        if errors:
            raise ValidationError(errors)

    # What places the window in which participants may start (start_window): as stored, set by
    # from_db(), so that clean() asks about the records only when one of them changes.
    WINDOW_FIELDS: tuple[str, ...] = ("start_date", "end_date", "year", "semester")
    _stored_window: tuple[Any, ...] | None

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        **kwargs: Any,
    ) -> Action:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._stored_window = tuple(instance.__dict__.get(f) for f in cls.WINDOW_FIELDS)
        return instance

    def records_window_refusal(self) -> str | None:
        """Why the action's dates or period cannot move as they are set now: participation
        records of it started outside the window they give (start_window). None when none did,
        and without a query when none of them changed."""
        current = tuple(getattr(self, f) for f in self.WINDOW_FIELDS)
        if self.pk is None or getattr(self, "_stored_window", None) == current:
            return None
        first, last = self.start_window()
        outside = Q(started_on__lt=first)
        if last is not None:
            outside |= Q(started_on__gt=last)
        count = self.participations.filter(outside).count()
        if not count:
            return None
        window = (
            _("%(first)s to %(last)s") % {"first": first.isoformat(), "last": last.isoformat()}
            if last is not None
            else _("from %(first)s") % {"first": first.isoformat()}
        )
        return ngettext(
            "%(count)s participation record started outside the period its participants may "
            "start in with these dates (%(window)s, with the preparation margin): change its "
            "start first, or keep the dates.",
            "%(count)s participation records started outside the period their participants may "
            "start in with these dates (%(window)s, with the preparation margin): change their "
            "start first, or keep the dates.",
            count,
        ) % {"count": count, "window": window}

    # The rules across the action and its records, which every write of a participation record
    # or a figure asks here: Participation.clean and Figure.clean (so every service, the API and
    # the admin's forms), the admin's participation inline for all its rows at once, the bulk
    # import of participation records once per file. They read the records through the reverse
    # relations, so this module needs none of the modules above it.

    def pes_with_records(self, among: Iterable[int] | None = None) -> set[int]:
        """The PES (ids) whose jobseekers this action counts from participation records; only
        those `among` some PES when given. One query."""
        records = self.participations.all()
        if among is not None:
            records = records.filter(pes__in=among)
        return set(records.order_by().values_list("pes_id", flat=True).distinct())

    def pes_with_figures(self, among: Iterable[int] | None = None) -> set[int]:
        """The PES (ids) whose jobseekers this action counts from aggregate figures given for
        them; only those `among` some PES when given. One query."""
        figures = self.figures.filter(pes__isnull=False, metric__in=PARTICIPANT_METRICS)
        if among is not None:
            figures = figures.filter(pes__in=among)
        return set(figures.order_by().values_list("pes_id", flat=True).distinct())

    def records_refusal(
        self, pes: Organisation, *, pes_with_figures: set[int] | None = None
    ) -> str | None:
        """Why the action takes no participation records of this PES: one form per action, PES
        and metric, and the PES gave figures. None when it takes them. `pes_with_figures`: what
        pes_with_figures() answered, for a caller that asks once for many records."""
        if pes_with_figures is None:
            pes_with_figures = self.pes_with_figures(among=[pes.pk])
        return split_figures_message(pes) if pes.pk in pes_with_figures else None

    def figures_refusal(self, pes: Organisation, metric: str) -> str | None:
        """Why the action takes no figure of this PES for this metric: one form per action, PES
        and metric, and the PES keeps participation records. None when it takes it (and for
        the metrics of employers, which no record counts)."""
        if metric not in PARTICIPANT_METRICS or pes.pk not in self.pes_with_records(among=[pes.pk]):
            return None
        return _(
            "%(pes)s keeps individual participation records for this action; its "
            "%(metric)s are counted from them. Enter the figure without PES if it "
            "counts others."
        ) % {"pes": pes, "metric": Metric(metric).label}

    # The reporting periods (projects.models.ReportingPeriod): the figures and records of a PES
    # in the actions of a project's semester belong to its period there; a submitted or approved
    # period is locked. Figure.clean, Participation.clean and Action.clean ask here, the
    # services' deletions and the bulk import (once per file) too.

    def period_refusal(self, pes_ids: Iterable[int | None]) -> str | None:
        """Why the figures or records of these PES (ids) in this action, where it lies now,
        cannot change: their reporting period is locked. None when they can. One query, which
        within a transaction holds the periods' rows until it ends (first_locked says why)."""
        if self.project_id is None or self.year is None:
            return None
        period = ReportingPeriod.objects.first_locked(
            project_id=self.project_id, year=self.year, semester=self.semester, pes_ids=pes_ids
        )
        return period.lock_message() if period is not None else None

    # What places an action in a period or changes what it counts there: a change of one moves
    # its figures and records into or out of a period, or changes them within it.
    PERIOD_FIELDS: tuple[str, ...] = (
        "project_id",
        "year",
        "semester",
        "start_date",
        "end_date",
        "status",
        "action_type",
    )

    def move_refusal(self) -> str | None:
        """Why the action's dates, status, type or project cannot change as they are set now:
        a PES with figures or records in it has a locked period where the action lies, or
        where it would lie. None when they can (and for a new action, which holds nothing).
        One query when none of them changes."""
        if self.pk is None:
            return None
        stored = Action.objects.filter(pk=self.pk).values(*self.PERIOD_FIELDS).first()
        if stored is None or all(stored[f] == getattr(self, f) for f in self.PERIOD_FIELDS):
            return None
        pes_ids = self.pes_with_records() | self.pes_with_figures()
        if not pes_ids:
            return None
        was = Action(project_id=stored["project_id"], year=stored["year"])
        was.semester = stored["semester"]
        refusal = was.period_refusal(pes_ids) or self.period_refusal(pes_ids)
        if refusal is None:
            return None
        return _(
            "The action's dates, status, type and project cannot change while it holds figures "
            "of a locked period. %(reason)s"
        ) % {"reason": refusal}

    def deletion_refusal(self) -> str | None:
        """Why the action cannot be deleted: its figures and records would go with it, and a PES
        with some has a locked period where it lies. None when it can. Three queries."""
        pes_ids = self.pes_with_records() | self.pes_with_figures()
        return self.period_refusal(pes_ids) if pes_ids else None

    @property
    def limits_places(self) -> bool:
        """Whether the action takes a limited number of jobseekers (a guidance cohort)."""
        return self.action_type == ActionType.GUIDANCE_COHORT

    def places_taken(
        self, *, besides_record: int | None = None, besides_figure: int | None = None
    ) -> int:
        """The jobseekers who started in the action: its started participation records and its
        `starts` figures, but the record or figure (by id) being changed. Two queries."""
        started = REGISTRY[Metric.STARTS].record
        assert started is not None
        records = self.participations.filter(started.condition())
        if besides_record is not None:
            records = records.exclude(pk=besides_record)
        figures = self.figures.filter(metric=Metric.STARTS)
        if besides_figure is not None:
            figures = figures.exclude(pk=besides_figure)
        return records.count() + (figures.aggregate(total=Sum("value"))["total"] or 0)

    def places_refusal(
        self,
        starts: int,
        *,
        taken: int | None = None,
        by_figure: bool = False,
        besides_record: int | None = None,
        besides_figure: int | None = None,
    ) -> str | None:
        """Why a guidance cohort refuses `starts` more jobseekers who start: it takes at most
        COHORT_MAX_JOBSEEKERS. None when they fit, and for the other types without a query.

        `taken`: places_taken() as the caller already knows it (the bulk import asks once per
        file and counts its rows); otherwise asked now, but for the record or figure being
        changed. `by_figure`: the starts are a figure's, which the message says.
        """
        if not self.limits_places:
            return None
        if taken is None:
            taken = self.places_taken(besides_record=besides_record, besides_figure=besides_figure)
        total = taken + starts
        if total <= COHORT_MAX_JOBSEEKERS:
            return None
        if by_figure:
            return _(
                "A guidance cohort takes at most 12 jobseekers; with this figure it would "
                "have %(total)s."
            ) % {"total": total}
        return cohort_full_message(total)

    # The plausibility of a participation record against the action: when it started, at what
    # age, hired by whom. Participation.clean asks them per record, the bulk import once per
    # file (start_window and employer_ids) and for each row without a query.

    def start_window(self) -> tuple[datetime.date, datetime.date | None]:
        """The first and last day a participant may start on: from the action's start, or its
        period's first day when it has no dates, less the preparation margin
        (settings.PARTICIPATION_START_MARGIN_DAYS), to its end, or its period's last day. The
        last is None for an action with a start date and no end date."""
        margin = datetime.timedelta(days=settings.PARTICIPATION_START_MARGIN_DAYS)
        if self.start_date:
            return self.start_date - margin, self.end_date
        try:
            period = Semester.parse(self.semester) if self.semester else None
        except ValidationError:
            period = None
        first = period.first_day if period else datetime.date(self.year, 1, 1)
        last = period.last_day if period else datetime.date(self.year, 12, 31)
        return first - margin, last

    def start_refusal(
        self,
        started_on: datetime.date,
        *,
        window: tuple[datetime.date, datetime.date | None] | None = None,
    ) -> str | None:
        """Why a participant may not have started in the action on this day; None when they
        may. `window`: start_window() as the caller already knows it."""
        first, last = window or self.start_window()
        if started_on < first:
            return _(
                "May not be before %(day)s: the action's start, less %(days)s days of preparation."
            ) % {"day": first.isoformat(), "days": settings.PARTICIPATION_START_MARGIN_DAYS}
        if last is not None and started_on > last:
            return _("May not be after %(day)s, the end of the action.") % {"day": last.isoformat()}
        return None

    def age_refusal(self, birth_year: int | None) -> str | None:
        """Why a jobseeker born in this year may not take part: not of working age
        (settings.WORKING_AGE_MIN to WORKING_AGE_MAX) in the action's year. None when they may."""
        if birth_year is None or self.year is None:
            return None
        age = self.year - birth_year
        if settings.WORKING_AGE_MIN <= age <= settings.WORKING_AGE_MAX:
            return None
        return _(
            "Year of birth %(birth_year)s: aged %(age)s in %(year)s, not %(min)s to %(max)s."
        ) % {
            "birth_year": birth_year,
            "age": age,
            "year": self.year,
            "min": settings.WORKING_AGE_MIN,
            "max": settings.WORKING_AGE_MAX,
        }

    def employer_ids(self) -> set[int]:
        """The organisations (ids) present at the action as employers: those who may hire a
        participant of it. One query."""
        return set(self.employers.values_list("organisation_id", flat=True))

    def hire_refusal(self, employer_id: int, *, employer_ids: set[int] | None = None) -> str | None:
        """Why this organisation cannot be the one that hired a participant: it was not an
        employer present at the action. `employer_ids`: employer_ids() as the caller knows it."""
        if employer_id in (self.employer_ids() if employer_ids is None else employer_ids):
            return None
        return str(
            _("Not an employer present at the action; add it to the action's employers first.")
        )


def split_figures_message(pes: Organisation) -> str:
    """Why a PES that gave aggregate figures for an action may not also send records to it."""
    return _(
        "%(pes)s already gave aggregate figures for this action; its jobseekers are "
        "counted from those. Delete the figures before adding individual records."
    ) % {"pes": pes}


def cohort_full_message(total: int) -> str:
    """Why a guidance cohort refuses one more start: it would hold `total` jobseekers."""
    return _("A guidance cohort takes at most 12 jobseekers; this one would have %(total)s.") % {
        "total": total
    }


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
    # The hires at this employer that the story tells ("2 hires within the week at Koraton"):
    # part of the action's hires, which the figures or records count.
    hires = models.PositiveIntegerField(
        _("hires"), null=True, blank=True, help_text=_("Jobseekers of the action it hired.")
    )
    hired_within_days = models.PositiveSmallIntegerField(
        _("hired within (days)"),
        null=True,
        blank=True,
        help_text=_("How soon after the action they were hired, in days (7: within the week)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

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
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["action", "title"]
        verbose_name = _("job offered")
        verbose_name_plural = _("jobs offered")

    def __str__(self) -> str:
        return self.title


class Figure(Versioned, models.Model):
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
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

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
        refusal = self.period_refusal()
        if refusal:
            raise ValidationError(refusal)
        errors: dict[str, str | Promise] = {}
        if self.pes_id:
            if self.metric in EMPLOYER_METRICS:
                errors["pes"] = _(
                    "Employers, agencies and vacancies belong to no PES: leave it empty."
                )
            elif self.action_id and self.pes is not None:
                refusal = self.action.figures_refusal(self.pes, self.metric)
                if refusal:
                    errors["pes"] = refusal
        if (
            not errors
            and self.metric == Metric.STARTS
            and self.action_id
            and self.value is not None
        ):
            refusal = self.action.places_refusal(self.value, by_figure=True, besides_figure=self.pk)
            if refusal:
                errors["value"] = refusal
        if errors:
            raise ValidationError(errors)

    def period_refusal(self) -> str | None:
        """Why this figure cannot be written: the reporting period it lies in is locked, or the
        one it lay in before this change (another action or PES). None when it can; an unsplit
        figure belongs to no PES's period. One query, two or three for a figure moved."""
        if self.action_id and self.pes_id:
            refusal = self.action.period_refusal([self.pes_id])
            if refusal:
                return refusal
        return self.stored_period_refusal(moved_only=True)

    def stored_period_refusal(self, *, moved_only: bool = False) -> str | None:
        """Why this figure, as stored, cannot change or go: its period is locked. `moved_only`:
        asked only when its action or PES is being changed. None for a figure not saved."""
        if self.pk is None:
            return None
        stored = Figure.objects.filter(pk=self.pk).values_list("action_id", "pes_id").first()
        if stored is None or stored[1] is None:
            return None
        if moved_only and stored == (self.action_id, self.pes_id):
            return None
        return Action.objects.get(pk=stored[0]).period_refusal([stored[1]])
