"""Jobseekers (personal data, kept to what the work needs) and their participation in actions."""

from __future__ import annotations

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
from crossborder.core.periods import (
    FIRST_BIRTH_YEAR,
    FIRST_DAY,
    LAST_BIRTH_YEAR,
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
        "education_level",
        "is_refugee",
    )
    # The personal data: blanked by erasure (participants.gdpr), now and in the audit trail.
    PERSONAL_FIELDS: tuple[str, ...] = IDENTIFYING_FIELDS + DESCRIBING_FIELDS
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
    is_refugee = models.BooleanField(_("refugee"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        # By PES and name, read along jobseeker_by_name: ordering by the PES itself would
        # sort every jobseeker by the organisation's name for each page of a list.
        ordering = ["pes_id", "family_name", "given_name", "pk"]
        verbose_name = _("jobseeker")
        verbose_name_plural = _("jobseekers")
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
        return errors

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
