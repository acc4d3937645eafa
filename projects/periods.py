"""Reporting periods: who may see them and take each step, the steps themselves, and the rows.

- submit (open or returned -> submitted): a coordinator of the period's PES, whose organisation
  takes part in the project;
- approve (submitted -> approved), or return with a comment (submitted -> returned): a manager,
  or a coordinator of the project's lead partner (ProjectPartner with the lead role);
- reopen with a reason (submitted or approved -> open): a manager.
Superusers may take every step. The statuses each step starts from are the model's
(PERIOD_TRANSITIONS); the lock on the figures and records is the model's too
(ReportingPeriod.objects.locked_for, read by every write path).

Managers see every period, coordinators those of the projects their organisation takes part
in (access.projects_editable_by); nobody else sees any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from crossborder.core.vocabulary import OrganisationKind

from . import access
from .models import (
    PERIOD_TRANSITIONS,
    PartnerRole,
    PeriodTransition,
    ProjectPartner,
    ReportingPeriod,
    TransitionKind,
)
from .roles import MANAGER

if TYPE_CHECKING:
    from .access import User


class TransitionRefused(Exception):
    """A step the period's status does not allow (approving an open period): a conflict with
    the period as it stands, not a question of who asks."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_manager(user: User) -> bool:
    return MANAGER in access.roles_of(user)


def may_see_periods(user: User) -> bool:
    """Managers and coordinators (and superusers) see periods; partners and strangers do not."""
    return is_manager(user) or access.is_coordinator(user)


def periods_for(
    user: User, queryset: QuerySet[ReportingPeriod] | None = None
) -> QuerySet[ReportingPeriod]:
    """The periods a user may see: all for a superuser or a manager; for a coordinator, those of
    the projects its organisation takes part in; none for anyone else."""
    queryset = ReportingPeriod.objects.all() if queryset is None else queryset
    if (user.is_authenticated and user.is_superuser) or is_manager(user):
        return queryset
    if not access.is_coordinator(user):
        return queryset.none()
    return queryset.filter(project__in=access.projects_editable_by(user).values("pk"))


def _is_partner(period: ReportingPeriod, organisation_id: int, *, lead: bool = False) -> bool:
    memberships = ProjectPartner.objects.filter(
        project_id=period.project_id, organisation_id=organisation_id
    )
    if lead:
        memberships = memberships.filter(role=PartnerRole.LEAD)
    return memberships.exists()


def who_refusal(user: User, period: ReportingPeriod, kind: str) -> str | None:
    """Why this user may not take this step on this period, naming who may; None when it may.
    At most one query (the user's place in the project)."""
    if user.is_authenticated and user.is_superuser:
        return None
    organisation = access.organisation_of(user)
    if kind == TransitionKind.SUBMIT:
        if (
            access.is_coordinator(user)
            and organisation is not None
            and organisation.pk == period.pes_id
            and _is_partner(period, organisation.pk)
        ):
            return None
        return _(
            "Only a coordinator of %(pes)s who takes part in the project may submit this period."
        ) % {"pes": period.pes}
    if kind in (TransitionKind.APPROVE, TransitionKind.RETURN):
        if is_manager(user) or (
            access.is_coordinator(user)
            and organisation is not None
            and _is_partner(period, organisation.pk, lead=True)
        ):
            return None
        if kind == TransitionKind.APPROVE:
            return _(
                "Only a manager or a coordinator of the project's lead partner may approve it."
            )
        return _("Only a manager or a coordinator of the project's lead partner may return it.")
    if is_manager(user):
        return None
    return _("Only a manager may reopen a reporting period.")


def steps_for(user: User, period: ReportingPeriod) -> list[str]:
    """The steps this user may take on this period as it stands (for the buttons)."""
    return [
        kind
        for kind in TransitionKind.values
        if period.status_refusal(kind) is None and who_refusal(user, period, kind) is None
    ]


@transaction.atomic
def period_transition(
    *, period: ReportingPeriod, kind: str, user: User, comment: str = ""
) -> ReportingPeriod:
    """Take a step on a period and record who took it, when and why. Refused with
    PermissionDenied (who may take it), TransitionRefused (not from this status) or
    ValidationError (the comment, under `comment`), with nothing written.

    The period's row is locked and read again first: of two steps at once (two reviewers, or a
    submit and a reopening) the second waits, then is judged on the status the first left, so
    both cannot pass."""
    if kind not in PERIOD_TRANSITIONS:
        raise ValueError(f"not a transition: {kind}")
    held = (
        # Only the period's row: its project and PES stay free for other steps and writes.
        ReportingPeriod.objects.select_for_update(of=("self",))
        .select_related("project", "pes")
        .get(pk=period.pk)
    )
    refusal = who_refusal(user, held, kind)
    if refusal:
        raise PermissionDenied(refusal)
    refusal = held.status_refusal(kind)
    if refusal:
        raise TransitionRefused(refusal)
    refusal = held.comment_refusal(kind, comment)
    if refusal:
        raise ValidationError({"comment": refusal})
    _sources, target = PERIOD_TRANSITIONS[kind]
    author = user.pk
    assert author is not None  # who_refusal refuses an anonymous user
    held.status = target
    held.save(update_fields=["status"])
    PeriodTransition.objects.create(
        period=held, kind=kind, status=target, by_id=author, comment=comment.strip()
    )
    return held


def periods_ensure(projects: QuerySet | None = None) -> int:
    """Make sure each project's semesters with actions have a period row for each PES that takes
    part in the project; returns how many were added. Idempotent, in four queries at most.

    Why rows are made here, where periods are listed, rather than by every write: the semesters
    of a project follow its actions, which the admin, the imports, the API and the demo write,
    and its PES follow its partners, which superusers change in the admin. One place that
    derives them before each listing cannot miss a path; the lock needs no row (a period without
    one is open), so a row missing between two listings changes nothing. Concurrent listings
    insert the same rows: the unique constraint and ignore_conflicts make that harmless."""
    # The actions are a layer above: named, not imported (as access.py does).
    actions = apps.get_model("actions", "Action")._default_manager.all()
    if projects is not None:
        actions = actions.filter(project__in=projects.values("pk"))
    semesters = set(actions.order_by().values_list("project_id", "year", "semester").distinct())
    partners: dict[int, set[int]] = {}
    for project_id, pes_id in ProjectPartner.objects.filter(
        project_id__in={project_id for project_id, _year, _semester in semesters},
        organisation__kind=OrganisationKind.PES,
    ).values_list("project_id", "organisation_id"):
        partners.setdefault(project_id, set()).add(pes_id)
    wanted = [
        ReportingPeriod(project_id=project_id, year=year, semester=semester, pes_id=pes_id)
        for project_id, year, semester in semesters
        for pes_id in partners.get(project_id, ())
    ]
    if not wanted:
        return 0
    held = set(
        ReportingPeriod.objects.filter(
            project_id__in={period.project_id for period in wanted}
        ).values_list("project_id", "year", "semester", "pes_id")
    )
    missing = [
        period
        for period in wanted
        if (period.project_id, period.year, period.semester, period.pes_id) not in held
    ]
    ReportingPeriod.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
