"""Jobseekers (personal data, kept to what the work needs) and their participation in actions."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Trim, Upper
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from actions.models import Action, Certificate
from crossborder.core.metrics import WORK_FOUND_ACTION_TYPES
from crossborder.core.periods import (
    FIRST_BIRTH_YEAR,
    FIRST_DAY,
    LAST_BIRTH_YEAR,
    add_months,
    last_plausible_day,
)
from crossborder.core.versions import Versioned
from crossborder.core.vocabulary import STARTED_STATUSES, OrganisationKind, ParticipationStatus
from projects.models import Organisation

if TYPE_CHECKING:
    from simple_history.manager import HistoryManager


def normalise_ref(external_ref: str) -> str:
    """A PES reference as it is stored and compared: without surrounding spaces, in upper case
    (`vd-001 ` is `VD-001`). Upper case because the pseudonym always hashed the upper-cased
    reference: the two agree on which references are one person's."""
    return external_ref.strip().upper()


def pseudonym_for(external_ref: str) -> str:
    """A keyed hash of a reference: the same person gets the same key at every PES that knows the
    reference (a national number, or the reference another PES gave), so one person can be
    recognised across PES without the reference itself being shared or stored elsewhere."""
    message = normalise_ref(external_ref).encode()
    return hmac.new(settings.PSEUDONYM_KEY.encode(), message, hashlib.sha256).hexdigest()


class EducationLevel(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("lower secondary or less (ISCED 0-2)")
    ISCED_3_4 = "isced_3_4", _("upper secondary (ISCED 3-4)")
    ISCED_5_8 = "isced_5_8", _("tertiary (ISCED 5-8)")


class Gender(models.TextChoices):
    WOMAN = "woman", _("woman")
    MAN = "man", _("man")
    NON_BINARY = "non_binary", _("non-binary")
    NOT_GIVEN = "not_given", _("not given")


class EntryStatus(models.TextChoices):
    """The labour-market status at entry into an action (the ESF+ breakdowns): long-term
    unemployed is unemployed for 12 months or more (6 under 25), as the PES registers it."""

    UNEMPLOYED = "unemployed", _("unemployed")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("long-term unemployed")
    INACTIVE = "inactive", _("inactive")
    EMPLOYED = "employed", _("employed")


class UnemploymentDuration(models.TextChoices):
    UNDER_6_MONTHS = "under_6_months", _("less than 6 months")
    FROM_6_TO_12_MONTHS = "6_to_12_months", _("6 to 12 months")
    FROM_12_TO_24_MONTHS = "12_to_24_months", _("12 to 24 months")
    OVER_24_MONTHS = "24_months_or_more", _("24 months or more")


class LeavingSituation(models.TextChoices):
    """The situation on leaving an action (within four weeks of its end: the ESF+ immediate
    result indicators)."""

    EMPLOYED = "employed", _("in employment")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    EDUCATION = "education", _("in education or training")
    JOB_SEEKING = "job_seeking", _("job-seeking")
    INACTIVE = "inactive", _("inactive")


class SixMonthSituation(models.TextChoices):
    """The situation six months after leaving (the ESF+ longer-term result indicators)."""

    EMPLOYED = "employed", _("in employment")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    BETTER_SITUATION = "better_situation", _("in a better labour-market situation")
    NO_IMPROVEMENT = "no_improvement", _("not in work, no better situation")


class FollowUpSource(models.TextChoices):
    PES_REGISTER = "pes_register", _("PES register")
    EMPLOYER = "employer", _("employer")
    SURVEY = "survey", _("survey")
    SELF_DECLARED = "self_declared", _("self-declared")


# The situations that are work: the one definition of "in work" for both follow-ups, for the
# ESF+ result indicators and for "found work" (Participation.clean keeps them consistent).
IN_WORK_SITUATIONS: tuple[str, ...] = (LeavingSituation.EMPLOYED, LeavingSituation.SELF_EMPLOYED)


class FollowUpKind(models.TextChoices):
    ON_LEAVING = "on_leaving", _("on leaving")
    SIX_MONTHS = "six_months", _("six months after leaving")


class FollowUpState(models.TextChoices):
    """Where a follow-up stands on a day. A report counts one not yet due or due as "not yet
    known" (never 0) and one overdue as "unknown"."""

    DONE = "done", _("done")
    NOT_DUE = "not_due", _("not yet due")
    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")


class Jobseeker(Versioned, models.Model):
    """A jobseeker registered at one PES.

    Held: the PES reference (to match the PES's own records), a name for the coordinators' lists,
    and the ESF+ breakdowns (birth year, not birth date; education level; refugee status, which is
    sensitive). Erasure blanks all of it but the PES, so every count stays exact.
    """

    # Each field in one of these lists, so that none is missed (tests/participants/test_gdpr.py).
    # Who the person is at their PES: the reference and its pseudonymous key (computed by clean()).
    IDENTIFYING_FIELDS: tuple[str, ...] = ("external_ref", "pseudonym")
    # What describes the person: written by the services, the API, the imports and the admin.
    DESCRIBING_FIELDS: tuple[str, ...] = (
        "given_name",
        "family_name",
        "birth_year",
        "gender",
        "education_level",
        "is_refugee",
    )
    # Special categories of personal data (GDPR article 9): kept only when the setting
    # SPECIAL_CATEGORY_DATA is on, and shown, exported or sent only to a user who holds the
    # permission `participants.view_special_categories`.
    SENSITIVE_FIELDS: tuple[str, ...] = ("has_disability", "foreign_background")
    # The personal data: blanked by erasure (participants.gdpr), now and in the audit trail.
    PERSONAL_FIELDS: tuple[str, ...] = IDENTIFYING_FIELDS + DESCRIBING_FIELDS + SENSITIVE_FIELDS
    # What erasure keeps: the PES, so that every count stays exact, the record's own dates, and
    # its version (which erasure moves, like every change).
    KEPT_FIELDS: tuple[str, ...] = ("id", "pes", "erased_at", "created_at", "updated_at", "version")

    pes = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="jobseekers",
        limit_choices_to={"kind": OrganisationKind.PES},
        error_messages={"invalid": _("Must be an existing public employment service.")},
        verbose_name=_("PES"),
    )
    external_ref = models.CharField(
        _("PES reference"),
        max_length=64,
        blank=True,
        help_text=_("The jobseeker's reference in the PES's own system."),
    )
    pseudonym = models.CharField(_("pseudonymous key"), max_length=64, blank=True, editable=False)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    education_level = models.CharField(
        _("education level"), max_length=12, choices=EducationLevel.choices, blank=True
    )
    gender = models.CharField(
        _("gender"), max_length=12, choices=Gender.choices, default=Gender.NOT_GIVEN
    )
    is_refugee = models.BooleanField(_("refugee"), null=True, blank=True)
    has_disability = models.BooleanField(
        _("disability"),
        null=True,
        blank=True,
        help_text=_("Sensitive: kept only when the setting allows it, with the person's consent."),
    )
    foreign_background = models.BooleanField(
        _("foreign background"),
        null=True,
        blank=True,
        help_text=_("Sensitive: kept only when the setting allows it, with the person's consent."),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        # By PES and name, read along jobseeker_by_name: ordering by the PES itself would
        # sort every jobseeker by the organisation's name for each page of a list.
        ordering = ["pes_id", "family_name", "given_name", "pk"]
        verbose_name = _("jobseeker")
        verbose_name_plural = _("jobseekers")
        permissions = [
            (
                "view_special_categories",
                _("Can read special categories of personal data (disability, foreign background)"),
            )
        ]
        indexes = [
            models.Index(fields=["pseudonym"], name="jobseeker_pseudonym"),
            models.Index(
                fields=["pes", "family_name", "given_name", "id"], name="jobseeker_by_name"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["pes", "external_ref"],
                condition=~Q(external_ref=""),
                name="jobseeker_ref_unique_per_pes",
                violation_error_message=_("This PES already has a jobseeker with this reference."),
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | (Q(birth_year__gte=FIRST_BIRTH_YEAR) & Q(birth_year__lte=LAST_BIRTH_YEAR)),
                name="jobseeker_birth_year_plausible",
                violation_error_message=_("Year of birth: must lie between 1900 and 2100."),
            ),
            # Stored as normalise_ref() writes it, so that the uniqueness above ignores case.
            models.CheckConstraint(
                condition=Q(external_ref=Upper(Trim("external_ref"))),
                name="jobseeker_ref_normalised",
                violation_error_message=_(
                    "PES reference: must be in upper case, without surrounding spaces."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.erased_at:
            return _("erased jobseeker #%(pk)s") % {"pk": self.pk}
        name = f"{self.given_name} {self.family_name}".strip()
        return f"{name or self.external_ref or self.pk} ({self.pes})"

    # Added by simple_history (participants/history.py): the audit trail, and the reason the next
    # save() gives its entry.
    history: ClassVar[HistoryManager]
    _change_reason: str
    # The PES and the year of birth as stored, set by from_db().
    _stored_pes_id: int | None
    _stored_birth_year: int | None

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        **kwargs: Any,
    ) -> Jobseeker:
        instance = super().from_db(db, field_names, values, **kwargs)
        # The PES as stored: clean() asks the database about the records only when it changes.
        instance._stored_pes_id = instance.__dict__.get("pes_id")
        # And the year of birth: clean() checks the ages in their actions only when it changes.
        instance._stored_birth_year = instance.__dict__.get("birth_year")
        return instance

    def clean(self) -> None:
        self.external_ref = normalise_ref(self.external_ref or "")
        if self.pes_id and self.external_ref:
            self.pseudonym = pseudonym_for(self.external_ref)
        if self.birth_year is not None:
            refusal = self.birth_year_refusal()
            if refusal:
                raise ValidationError({"birth_year": refusal})
        pes_changed = self.pes_id != getattr(self, "_stored_pes_id", None)
        if (
            self.pk is not None
            and self.pes_id
            and pes_changed
            and Participation.objects.filter(jobseeker_id=self.pk)
            .exclude(pes_id=self.pes_id)
            .exists()
        ):
            raise ValidationError(
                {
                    "pes": _(
                        "This jobseeker already takes part in actions of their PES, which "
                        "counted them; register them at the other PES as a new jobseeker."
                    )
                }
            )

    def birth_year_refusal(self) -> str | None:
        """Why the year of birth is implausible: the jobseeker would be younger than working age
        (settings.WORKING_AGE_MIN) this year, or, when it changes, in an action they take part
        in (Action.age_refusal). None when it is plausible."""
        assert self.birth_year is not None
        latest = timezone.localdate().year - settings.WORKING_AGE_MIN
        if self.birth_year > latest:
            return _("May not be after %(year)s: younger than %(min)s this year.") % {
                "year": latest,
                "min": settings.WORKING_AGE_MIN,
            }
        if self.pk is None or self.birth_year == getattr(self, "_stored_birth_year", None):
            return None
        for action in Action.objects.filter(participations__jobseeker_id=self.pk).distinct():
            refusal = action.age_refusal(self.birth_year)
            if refusal:
                return refusal
        return None


class Participation(Versioned, models.Model):
    """One jobseeker in one action, with what came of it."""

    # What came of it: the fields a write of the record sets (the services, the API, the
    # imports, the admin); the action and the jobseeker name the record.
    OUTCOME_FIELDS: tuple[str, ...] = (
        "status",
        "started_on",
        "completed_on",
        "placed_on",
        "hired_on",
        "hired_by",
        "certified_on",
        "certificate",
    )
    # Who took part, at entry into this action (the ESF+ breakdowns): the state at its start,
    # which may differ between two actions of one person.
    ENTRY_FIELDS: tuple[str, ...] = ("entry_status", "unemployment_duration")
    # The follow-ups on leaving and six months on: each a situation, its date and its source.
    FOLLOW_UP_FIELDS: dict[str, tuple[str, str, str]] = {
        FollowUpKind.ON_LEAVING: ("leaving_situation", "leaving_checked_on", "leaving_source"),
        FollowUpKind.SIX_MONTHS: (
            "six_month_situation",
            "six_month_checked_on",
            "six_month_source",
        ),
    }
    # The same six fields in one list, in that order.
    FOLLOW_UP_COLUMNS: tuple[str, ...] = tuple(
        name for names in FOLLOW_UP_FIELDS.values() for name in names
    )
    # Every field a write of the record sets: read by the services, the API, the imports, the
    # admin and the access export, so that a field added to a list above is missed by none.
    WRITTEN_FIELDS: tuple[str, ...] = OUTCOME_FIELDS + ENTRY_FIELDS + FOLLOW_UP_COLUMNS

    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("action"),
        # Indexed by participation_facts below (and led by participation_unique).
        db_index=False,
    )
    jobseeker = models.ForeignKey(
        Jobseeker,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("jobseeker"),
    )
    # The jobseeker's PES, copied by save() (and by the bulk paths) because every report and
    # every partner's scope counts participations by PES: reading it here spares joining a
    # million participations to the jobseekers (docs/performance.md). It cannot drift: a
    # jobseeker who takes part in an action keeps their PES (Jobseeker.clean). Blank for forms
    # and full_clean() only, which run before save() fills it; the column is never empty.
    pes = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.PES},
        editable=False,
        blank=True,
        verbose_name=_("PES"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ParticipationStatus.choices,
        default=ParticipationStatus.STARTED,
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    placed_on = models.DateField(
        _("found work on"), null=True, blank=True, help_text=_("Found work after the action.")
    )
    hired_on = models.DateField(
        _("hired on"), null=True, blank=True, help_text=_("Hired by an employer of the action.")
    )
    hired_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hires",
        verbose_name=_("hired by"),
        null=True,
        blank=True,
    )
    certified_on = models.DateField(_("certificate obtained on"), null=True, blank=True)
    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        related_name="holders",
        verbose_name=_("certificate"),
        null=True,
        blank=True,
    )
    entry_status = models.CharField(
        _("labour-market status at entry"),
        max_length=24,
        choices=EntryStatus.choices,
        blank=True,
    )
    unemployment_duration = models.CharField(
        _("unemployed for, at entry"),
        max_length=20,
        choices=UnemploymentDuration.choices,
        blank=True,
    )
    leaving_situation = models.CharField(
        _("situation on leaving"), max_length=16, choices=LeavingSituation.choices, blank=True
    )
    leaving_checked_on = models.DateField(
        _("situation on leaving checked on"), null=True, blank=True
    )
    leaving_source = models.CharField(
        _("source of the situation on leaving"),
        max_length=16,
        choices=FollowUpSource.choices,
        blank=True,
    )
    six_month_situation = models.CharField(
        _("situation six months after leaving"),
        max_length=16,
        choices=SixMonthSituation.choices,
        blank=True,
    )
    six_month_checked_on = models.DateField(
        _("situation six months on checked on"), null=True, blank=True
    )
    six_month_source = models.CharField(
        _("source of the situation six months on"),
        max_length=16,
        choices=FollowUpSource.choices,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        # By the ids, in the order of participation_unique's index: a page of a partner's list
        # (or of the admin's) reads 100 entries of the index. By the action's and jobseeker's
        # own orderings it sorted a third of a million joined rows for every page (0.15 to
        # 0.25 s at a million participations).
        ordering = ["action_id", "jobseeker_id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        indexes = [
            # The records of some actions with every column the reports count (PostgreSQL keeps
            # them in the index): a report of one project and one year reads them from the index
            # alone instead of visiting thousands of table pages, or the whole table when the
            # planner fears that. Other databases index the action only.
            models.Index(
                fields=["action"],
                include=[
                    "pes",
                    "status",
                    "jobseeker",
                    "placed_on",
                    "hired_on",
                    "certified_on",
                    # The result measures' columns (reports.selectors._follow_up_codes).
                    "completed_on",
                    "leaving_situation",
                    "leaving_checked_on",
                    "six_month_situation",
                    "six_month_checked_on",
                ],
                name="participation_facts",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "jobseeker"],
                name="participation_unique",
                violation_error_message=_("This jobseeker already takes part in this action."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=ParticipationStatus.COMPLETED),
                name="participation_completed_on_needs_completed",
                violation_error_message=_("Completed on: only for a completed participation."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ParticipationStatus.INTERESTED)
                | (
                    Q(placed_on__isnull=True)
                    & Q(hired_on__isnull=True)
                    & Q(certified_on__isnull=True)
                    & Q(started_on__isnull=True)
                ),
                name="participation_outcomes_need_start",
                violation_error_message=_("Status: outcomes need a jobseeker who started."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=models.F("started_on")),
                name="participation_completed_after_start",
                violation_error_message=_("Completed on: may not be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(hired_by__isnull=True) | Q(hired_on__isnull=False),
                name="participation_hired_by_needs_date",
                violation_error_message=_("Hired on: needed when the employer is given."),
            ),
            models.CheckConstraint(
                condition=Q(placed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(placed_on__gte=F("started_on")),
                name="participation_placed_after_start",
                violation_error_message=_("Found work on: may not be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(hired_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(hired_on__gte=F("started_on")),
                name="participation_hired_after_start",
                violation_error_message=_("Hired on: may not be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(certified_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(certified_on__gte=F("started_on")),
                name="participation_certified_after_start",
                violation_error_message=_("Certificate obtained on: may not be before the start."),
            ),
            # No record is dated before the first year an action may lie in (FIRST_DAY).
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=FIRST_DAY),
                name="participation_started_from_2000",
                violation_error_message=_("Started on: may not be before 2000-01-01."),
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=FIRST_DAY),
                name="participation_completed_from_2000",
                violation_error_message=_("Completed on: may not be before 2000-01-01."),
            ),
            models.CheckConstraint(
                condition=Q(placed_on__isnull=True) | Q(placed_on__gte=FIRST_DAY),
                name="participation_placed_from_2000",
                violation_error_message=_("Found work on: may not be before 2000-01-01."),
            ),
            models.CheckConstraint(
                condition=Q(hired_on__isnull=True) | Q(hired_on__gte=FIRST_DAY),
                name="participation_hired_from_2000",
                violation_error_message=_("Hired on: may not be before 2000-01-01."),
            ),
            models.CheckConstraint(
                condition=Q(certified_on__isnull=True) | Q(certified_on__gte=FIRST_DAY),
                name="participation_certified_from_2000",
                violation_error_message=_("Certificate obtained on: may not be before 2000-01-01."),
            ),
        ]

    # Added by simple_history (participants/history.py).
    history: ClassVar[HistoryManager]

    def __str__(self) -> str:
        return f"{self.jobseeker} - {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.jobseeker_id is not None:
            self.pes_id = self.jobseeker.pes_id
        super().save(*args, **kwargs)

    @property
    def has_started(self) -> bool:
        return self.status in STARTED_STATUSES

    def clean(self) -> None:
        refusal = self.period_refusal()
        if refusal:
            raise ValidationError(refusal)
        errors = self.rule_errors()
        if not errors and self.action_id and self.jobseeker_id:
            errors.update(self.action_errors())
        if errors:
            raise ValidationError(errors)

    def period_refusal(self) -> str | None:
        """Why this record cannot be written: the reporting period of its jobseeker's PES in the
        action is locked, or the one it lay in before this change (another action). None when
        it can. One query, two or three for a record moved."""
        if self.action_id and self.jobseeker_id:
            refusal = self.action.period_refusal([self.jobseeker.pes_id])
            if refusal:
                return refusal
        return self.stored_period_refusal(moved_only=True)

    def stored_period_refusal(self, *, moved_only: bool = False) -> str | None:
        """Why this record, as stored, cannot change or go: its period is locked. `moved_only`:
        asked only when its action or jobseeker is being changed. None for a record not saved."""
        if self.pk is None:
            return None
        stored = (
            Participation.objects.filter(pk=self.pk)
            .values_list("action_id", "jobseeker_id", "pes_id")
            .first()
        )
        if stored is None:
            return None
        if moved_only and stored[:2] == (self.action_id, self.jobseeker_id):
            return None
        return Action.objects.get(pk=stored[0]).period_refusal([stored[2]])

    # The dates of a record, each checked against FIRST_DAY and a year ahead of today; and those
    # of what came of it, which may not be before the start.
    DATE_FIELDS: tuple[str, ...] = (
        "started_on",
        "completed_on",
        "placed_on",
        "hired_on",
        "certified_on",
        "leaving_checked_on",
        "six_month_checked_on",
    )
    OUTCOME_DATE_FIELDS: tuple[str, ...] = DATE_FIELDS[1:]

    def rule_errors(self) -> dict[str, str | Promise]:
        """The rules on this record's own values, without a query: the bulk import checks the
        rules of the action (Action.records_refusal, Action.places_refusal, start_refusal,
        age_refusal, hire_refusal) once for a file."""
        errors: dict[str, str | Promise] = {}
        latest = last_plausible_day(timezone.localdate())
        for field in self.DATE_FIELDS:
            day = getattr(self, field)
            if day is None:
                continue
            if day < FIRST_DAY:
                errors[field] = _("May not be before %(day)s.") % {"day": FIRST_DAY.isoformat()}
            elif day > latest:
                errors[field] = _("May not be more than a year ahead: %(day)s at the latest.") % {
                    "day": latest.isoformat()
                }
            elif field != "started_on" and self.started_on and day < self.started_on:
                errors[field] = _("May not be before the start.")
        if self.status == ParticipationStatus.INTERESTED:
            for field in ("started_on", "placed_on", "hired_on", "certified_on"):
                if getattr(self, field):
                    errors[field] = _("Only for a jobseeker who started: change the status first.")
        if self.completed_on and self.status != ParticipationStatus.COMPLETED:
            errors["completed_on"] = _("Only for a completed participation.")
        if self.hired_by_id and not self.hired_on:
            errors["hired_on"] = _("Needed when the employer who hired is given.")
        errors.update(self.follow_up_errors())
        return errors

    def follow_up_errors(self) -> dict[str, str | Promise]:
        """The follow-ups' own rules: only for a jobseeker who started; a situation with its
        date and its source, a date or source only with a situation; and "in work" one
        definition with "found work" (a situation on leaving that is no work while the record
        says the person found work by then contradicts it)."""
        errors: dict[str, str | Promise] = {}
        for situation, checked_on, source in self.FOLLOW_UP_FIELDS.values():
            if not getattr(self, situation):
                for name in (checked_on, source):
                    if getattr(self, name):
                        errors[name] = _("Only with the situation it records.")
                continue
            if self.status == ParticipationStatus.INTERESTED:
                errors[situation] = _("Only for a jobseeker who started: change the status first.")
                continue
            for name in (checked_on, source):
                if not getattr(self, name):
                    errors[name] = _("Needed with the situation: when and by what it was known.")
        worked = [day for day in (self.placed_on, self.hired_on) if day is not None]
        if (
            self.leaving_situation
            and self.leaving_situation not in IN_WORK_SITUATIONS
            and self.leaving_checked_on
            and worked
            and min(worked) <= self.leaving_checked_on
        ):
            errors["leaving_situation"] = _(
                "Contradicts the record: found work on %(day)s, before this check. Give the"
                " situation in work, or correct the date of work found."
            ) % {"day": min(worked).isoformat()}
        if (
            self.six_month_checked_on
            and self.leaving_checked_on
            and self.six_month_checked_on < self.leaving_checked_on
        ):
            errors["six_month_checked_on"] = _("May not be before the check on leaving.")
        return errors

    @property
    def in_work_on_leaving(self) -> bool:
        return self.leaving_situation in IN_WORK_SITUATIONS

    @property
    def in_work_six_months_on(self) -> bool:
        return self.six_month_situation in IN_WORK_SITUATIONS

    def left_on(self) -> datetime.date | None:
        """When the jobseeker left the action, the day the follow-ups count from: the day they
        completed it, else the action's end (or its only day). None for a jobseeker who did not
        start, for an action after which no work can be found (WORK_FOUND_ACTION_TYPES: a fair,
        a seminar), and for an action whose dates are not known yet."""
        if not self.has_started or self.action.action_type not in WORK_FOUND_ACTION_TYPES:
            return None
        return self.completed_on or self.action.end_date or self.action.start_date

    def follow_up_due_on(self, kind: str) -> datetime.date | None:
        """The day a follow-up falls due: on leaving, the day they left; six months on, six
        calendar months later. It is overdue settings.FOLLOW_UP_GRACE_DAYS after that."""
        left_on = self.left_on()
        if left_on is None:
            return None
        return left_on if kind == FollowUpKind.ON_LEAVING else add_months(left_on, 6)

    def follow_up_state(self, kind: str, as_of: datetime.date) -> str | None:
        """Where a follow-up stands on `as_of` (FollowUpState); None when none is needed. One
        checked after `as_of` was not done yet on that day: a report as of an earlier day reads
        what was known then."""
        situation, checked_on = self.FOLLOW_UP_FIELDS[kind][:2]
        checked = getattr(self, checked_on)
        if getattr(self, situation) and (checked is None or checked <= as_of):
            return FollowUpState.DONE
        due_on = self.follow_up_due_on(kind)
        if due_on is None:
            return None
        if as_of < due_on:
            return FollowUpState.NOT_DUE
        if as_of > due_on + datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS):
            return FollowUpState.OVERDUE
        return FollowUpState.DUE

    def action_errors(self) -> dict[str, str | Promise]:
        """The action's rules for this record: its PES counted by records, not figures; a start
        in the action's period; a jobseeker of working age; a hire by an employer present; a
        place in a guidance cohort for a jobseeker who started."""
        refusal = self.action.records_refusal(self.jobseeker.pes)
        if refusal:
            return {"jobseeker": refusal}
        errors: dict[str, str | Promise] = {}
        if self.started_on:
            refusal = self.action.start_refusal(self.started_on)
            if refusal:
                errors["started_on"] = refusal
        refusal = self.action.age_refusal(self.jobseeker.birth_year)
        if refusal:
            errors["jobseeker"] = refusal
        if self.hired_by_id:
            refusal = self.action.hire_refusal(self.hired_by_id)
            if refusal:
                errors["hired_by"] = refusal
        if errors:
            return errors
        if self.has_started:
            refusal = self.action.places_refusal(1, besides_record=self.pk)
            if refusal:
                return {"action": refusal}
        return {}


class FollowUpDigest(models.Model):
    """A weekly digest of follow-ups sent to a coordinator (participants.followups): one row per
    coordinator and ISO week, written in the transaction that sends the mail, so that a second
    run in the same week, even one at the same moment, finds the row (or waits on it and hits
    the unique constraint) and sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follow_up_digests",
        verbose_name=_("user"),
    )
    # The ISO week, as 2026-W48.
    week = models.CharField(_("week"), max_length=8)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    count = models.PositiveIntegerField(_("follow-ups listed"))

    class Meta:
        verbose_name = _("follow-up digest")
        verbose_name_plural = _("follow-up digests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week"],
                name="follow_up_digest_once_a_week",
                violation_error_message=_("This user had the digest of this week already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.week}"
