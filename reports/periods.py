"""The reporting periods as the pages list them: each project, semester and PES with its status
and what is missing before it is submitted, and a period's actions with that PES's figures.

What is missing, per period:
- realised actions (ongoing or completed) of the period with neither a figure nor a
  participation record of its PES: either the PES had nobody there, or its figures are missing;
- actions of the period past their end (or past their day, for a one-day action) still planned
  or ongoing: their status, and so what they count, is not final.
Actions known only by a semester or a year have no end to be past.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action, Figure
from crossborder.core.periods import Semester
from crossborder.core.vocabulary import REALISED_STATUSES, ActionStatus
from participants.models import Participation
from projects import access
from projects.models import PeriodStatus, ReportingPeriod
from projects.periods import is_manager, periods_ensure, periods_for

from .selectors import ReportParameterError

if TYPE_CHECKING:
    from projects.access import User

# The statuses of an action whose outcome is not known yet.
UNFINISHED_STATUSES: tuple[str, ...] = (ActionStatus.PLANNED, ActionStatus.ONGOING)
# The query parameters of the list.
FILTERS: tuple[str, ...] = ("project", "semester", "pes", "status")


@dataclass(frozen=True)
class PeriodFilters:
    """What the list is limited to; empty strings for no limit."""

    project: str = ""
    semester: str = ""
    pes: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params: QueryDict) -> PeriodFilters:
        """The filters of a request; ReportParameterError naming each parameter not understood
        (a semester that is not like 2018-S1, an unknown status, a NUL character)."""
        values = {name: params.get(name, "").strip() for name in FILTERS}
        errors: dict[str, list[str]] = {}
        for name, value in values.items():
            if "\x00" in value:
                errors[name] = [_("Null characters are not allowed.")]
        if values["semester"] and "semester" not in errors:
            try:
                Semester.parse(values["semester"])
            except ValidationError as error:
                errors["semester"] = list(error.messages)
        if values["status"] and values["status"] not in PeriodStatus.values:
            errors["status"] = [
                _("“%(value)s” is not a status; use %(statuses)s.")
                % {"value": values["status"], "statuses": ", ".join(PeriodStatus.values)}
            ]
        if errors:
            raise ReportParameterError(errors)
        return cls(**values)


def _count(actions: QuerySet[Action]) -> Coalesce:
    """How many of these actions (correlated to the outer period), as a subquery."""
    counted = (
        actions.order_by().values("project_id").annotate(count=Count("pk")).values("count")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _period_actions() -> QuerySet[Action]:
    """The actions of the outer period: its project, year and semester."""
    return Action.objects.filter(
        project_id=OuterRef("project_id"), year=OuterRef("year"), semester=OuterRef("semester")
    )


def _overdue(today: datetime.date) -> Q:
    """An action past its end (or its day) still planned or ongoing."""
    return Q(status__in=UNFINISHED_STATUSES) & (
        Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today)
    )


def period_rows(
    user: User, filters: PeriodFilters, *, today: datetime.date | None = None
) -> QuerySet[ReportingPeriod]:
    """The periods the user may see, limited by the filters, each annotated with its number of
    actions (`action_count`), realised actions without a figure or record of its PES
    (`silent_count`) and actions past their end still planned or ongoing (`overdue_count`).

    The rows of the user's projects are made first (periods_ensure says why). Five queries at
    most, whatever the number of periods."""
    today = today or timezone.localdate()
    scope = None if user.is_superuser or is_manager(user) else access.projects_editable_by(user)
    periods_ensure(scope)
    realised = _period_actions().filter(status__in=REALISED_STATUSES)
    pes = OuterRef(OuterRef("pes_id"))
    silent = realised.exclude(
        Exists(Figure.objects.filter(action_id=OuterRef("pk"), pes_id=pes))
    ).exclude(Exists(Participation.objects.filter(action_id=OuterRef("pk"), pes_id=pes)))
    rows = periods_for(user).select_related("project", "pes")
    if filters.project:
        rows = rows.filter(project__slug=filters.project)
    if filters.semester:
        rows = rows.filter(semester=filters.semester)
    if filters.pes:
        rows = rows.filter(pes__slug=filters.pes)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.annotate(
        action_count=_count(_period_actions()),
        silent_count=_count(silent),
        overdue_count=_count(_period_actions().filter(_overdue(today))),
    ).order_by("project__slug", "year", "semester", "pes__name")


@dataclass
class PeriodAction:
    """An action of a period, with what its PES gave for it."""

    action: Action
    figures: list[Figure]
    records: int
    silent: bool
    overdue: bool


def period_actions(
    period: ReportingPeriod, *, today: datetime.date | None = None
) -> list[PeriodAction]:
    """The actions of a period in date order, each with the figures of the period's PES, its
    number of participation records of that PES and whether it is missing something (see the
    module's docstring). Two queries."""
    today = today or timezone.localdate()
    records = (
        Participation.objects.filter(action_id=OuterRef("pk"), pes_id=period.pes_id)
        .order_by()
        .values("action_id")
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    actions = (
        Action.objects.filter(
            project_id=period.project_id, year=period.year, semester=period.semester
        )
        .annotate(
            records=Coalesce(Subquery(records, output_field=IntegerField()), 0),
            overdue=ExpressionWrapper(_overdue(today), output_field=BooleanField()),
        )
        .prefetch_related(
            Prefetch(
                "figures",
                queryset=Figure.objects.filter(pes_id=period.pes_id).order_by("metric"),
                to_attr="pes_figures",
            )
        )
        .order_by("start_date", "pk")
    )
    return [
        PeriodAction(
            action=action,
            figures=action.pes_figures,
            records=action.records,
            silent=action.status in REALISED_STATUSES
            and not action.pes_figures
            and not action.records,
            overdue=action.overdue,
        )
        for action in actions
    ]
