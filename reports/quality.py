"""The data-quality list: what a coordinator or a manager looks at before a period's figures are
submitted. It blocks nothing; every item links to where it is fixed.

For one project and one semester (both optional), within what the user may read:
- actions past their end still planned or ongoing;
- realised actions without any figure or participation record;
- cohorts (guidance cohorts, and actions with participation records) without any outcome
  (found work, hired, certificate: the dated outcomes of the metrics' registry) more than
  settings.QUALITY_OUTCOME_MONTHS months after their end;
- figures of jobseekers whose PES is unknown (unsplit figures: the reports count them under
  "unknown PES", and no reporting period holds them);
- jobseekers without a year of birth or an education level, counted per PES;
- pseudonymous keys held at two PES or more: shown to a user who may read the jobseekers of
  every PES that holds the key, otherwise counted.

Who reads what: superusers everything; managers every project, and the jobseekers' checks as
counts over every PES (aggregates, no personal data); coordinators the projects they may change
(projects.access) and the jobseekers of their own PES only. Partners and users without a role
read none of it. A fixed number of queries whatever the data.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import Action, Figure
from crossborder.core.metrics import PARTICIPANT_METRICS, REGISTRY, Metric
from crossborder.core.periods import YEAR_MESSAGE, Semester, add_months, is_year
from crossborder.core.vocabulary import REALISED_STATUSES, ActionStatus, ActionType
from participants.models import Jobseeker, Participation
from projects.access import own_pes, projects_editable_by, roles_of
from projects.models import Project
from projects.roles import COORDINATOR, MANAGER

from .filters import ended_before
from .selectors import ReportParameterError

if TYPE_CHECKING:
    from projects.access import User

PARAMETERS = ("project", "semester")

# The sections, in the order they are shown; their codes are the API's.
OVERDUE_ACTIONS = "overdue_actions"
EMPTY_ACTIONS = "empty_actions"
MISSING_OUTCOMES = "missing_outcomes"
UNKNOWN_PES = "unknown_pes"
MISSING_BIRTH_YEAR = "missing_birth_year"
MISSING_EDUCATION_LEVEL = "missing_education_level"
SHARED_PSEUDONYMS = "shared_pseudonyms"
SECTIONS: tuple[str, ...] = (
    OVERDUE_ACTIONS,
    EMPTY_ACTIONS,
    MISSING_OUTCOMES,
    UNKNOWN_PES,
    MISSING_BIRTH_YEAR,
    MISSING_EDUCATION_LEVEL,
    SHARED_PSEUDONYMS,
)

# The metrics that say what came of a participation after the action (a dated outcome of a
# record: found work, hired, certificate), from the registry.
OUTCOME_METRICS: tuple[str, ...] = tuple(
    slug
    for slug, definition in REGISTRY.items()
    if definition.record is not None and definition.record.dated and definition.is_figure
)
OUTCOME_FIELDS: tuple[str, ...] = tuple(
    REGISTRY[slug].record.dated  # type: ignore[union-attr]
    for slug in OUTCOME_METRICS
)


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass
class QualityItem:
    """One thing to look at: an action, a PES's count or a pseudonymous key."""

    name: str
    detail: str = ""
    action: int | None = None  # the action's id
    project: str | None = None  # the project's slug
    pes: str | None = None  # the PES's slug
    count: int | None = None
    pseudonym: str | None = None  # only for a user who may read every jobseeker holding it
    # Where to fix it: the admin's change page or a filtered list (never a name or a reference
    # in the address); empty for a user who may not change it there.
    links: list[Link] = field(default_factory=list)
    # The action's page on the dashboards.
    page: str | None = None


@dataclass
class QualitySection:
    code: str
    title: str
    explanation: str
    items: list[QualityItem]
    # What there is to look at: the number of items, or of figures, jobseekers or keys.
    count: int


@dataclass
class QualityList:
    project: str | None
    semester: str | None
    outcome_months: int
    sections: list[QualitySection]
    # Why the checks of jobseekers are left out, when they are: empty when they are made.
    jobseekers_note: str = ""

    @property
    def clean(self) -> bool:
        """Nothing to look at."""
        return all(section.count == 0 for section in self.sections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "semester": self.semester,
            "outcome_months": self.outcome_months,
            "clean": self.clean,
            "jobseekers_note": self.jobseekers_note,
            "sections": [asdict(section) for section in self.sections],
        }


def may_read_quality(user: User) -> bool:
    """Coordinators and managers (and superusers) read the list; partners do not: it is about
    preparing a period's figures, not about a PES's own records."""
    return bool(roles_of(user) & {COORDINATOR, MANAGER})


def readable_projects(user: User) -> QuerySet[Project]:
    """Managers read every project's list; coordinators those of the projects they change."""
    if user.is_superuser or MANAGER in roles_of(user):
        return Project.objects.all()
    return projects_editable_by(user)


def may_read_quality_of(user: User, project: Project) -> bool:
    """Whether the user reads this project's list (a link on the project's page)."""
    if not may_read_quality(user):
        return False
    if user.is_superuser or MANAGER in roles_of(user):
        return True
    return projects_editable_by(user).filter(pk=project.pk).exists()


def _readable_pes(user: User) -> set[int] | None:
    """The PES whose jobseekers the checks count: None for every PES (managers read the counts,
    which are aggregates; superusers read everything), a coordinator its own PES only."""
    if user.is_superuser or MANAGER in roles_of(user):
        return None
    pes = own_pes(user)
    return {pes.pk} if pes is not None else set()


def _personal_pes(user: User) -> set[int] | None:
    """The PES whose jobseekers the user may read one by one (None: all of them)."""
    if user.is_superuser:
        return None
    pes = own_pes(user) if COORDINATOR in roles_of(user) else None
    return {pes.pk} if pes is not None else set()


def _parse(params: QueryDict | Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The project's slug and the semester's text asked for; ReportParameterError by name."""
    errors: dict[str, list[str]] = {
        name: [_("Unknown parameter.")] for name in sorted(set(params) - set(PARAMETERS))
    }
    values: dict[str, str | None] = {}
    for name in PARAMETERS:
        given = params.getlist(name) if isinstance(params, QueryDict) else [params.get(name)]
        given = [str(value).strip() for value in given if value is not None and str(value).strip()]
        if len(given) > 1:
            errors[name] = [_("Give one value.")]
        elif any("\x00" in value for value in given):
            # PostgreSQL refuses NUL in text, even in a lookup: a 400, not a database error.
            errors[name] = [str(ProhibitNullCharactersValidator.message)]
            given = []
        values[name] = given[0] if given else None
    semester = values["semester"]
    if semester:
        try:
            parsed = Semester.parse(semester)
        except ValidationError as error:
            errors["semester"] = list(error.messages)
        else:
            # A semester outside the years any action may have matches nothing by mistake.
            if is_year(parsed.year):
                semester = str(parsed)
            else:
                errors["semester"] = [str(YEAR_MESSAGE) % {"value": parsed.year}]
    if errors:
        raise ReportParameterError(errors)
    return values["project"], semester


def quality_from_params(
    user: User, params: QueryDict | Mapping[str, Any], *, today: datetime.date | None = None
) -> QualityList:
    """The list for request parameters (`project`, `semester`): a parameter not understood is a
    ReportParameterError naming it; a project the user may not read, PermissionDenied."""
    project, semester = _parse(params)
    return quality_list(user=user, project=project, semester=semester, today=today)


def quality_list(
    *,
    user: User,
    project: str | None = None,
    semester: str | None = None,
    today: datetime.date | None = None,
) -> QualityList:
    """What to look at in one project (a slug) and semester (`2018-S1`), both optional, within
    what the user may read. Raises PermissionDenied for a user who may not read the list or the
    project, ReportParameterError for a project that does not exist."""
    if not may_read_quality(user):
        raise PermissionDenied(_("The data-quality list is for coordinators and managers."))
    today = today or timezone.localdate()
    projects = readable_projects(user)
    if project is not None:
        found = list(Project.objects.filter(slug=project).values_list("pk", flat=True))
        if not found:
            raise ReportParameterError(
                {"project": [_("Unknown project “%(value)s”.") % {"value": project}]}
            )
        if not projects.filter(pk=found[0]).exists():
            raise PermissionDenied(
                _("The data-quality list of this project is for its coordinators and managers.")
            )
        projects = Project.objects.filter(pk=found[0])
    actions = Action.objects.filter(project__in=projects.values("pk"))
    if semester is not None:
        actions = actions.filter(semester=semester)
    staff = user.is_staff or user.is_superuser
    months = settings.QUALITY_OUTCOME_MONTHS
    sections = [
        _overdue(actions, today, staff),
        _empty(actions, staff),
        _missing_outcomes(actions, add_months(today, -months), months, staff),
        _unknown_pes(actions, staff),
    ]
    readable = _readable_pes(user)
    note = ""
    if readable == set():
        note = _("The checks of jobseekers are for coordinators of a PES and for managers.")
    else:
        jobseekers = Jobseeker.objects.filter(
            erased_at__isnull=True,
        ).filter(Exists(Participation.objects.filter(jobseeker=OuterRef("pk"), action__in=actions)))
        if readable is not None:
            jobseekers = jobseekers.filter(pes__in=readable)
        sections.extend(_incomplete(jobseekers, _personal_pes(user), staff))
        sections.append(_shared_pseudonyms(jobseekers, _personal_pes(user), staff))
    return QualityList(
        project=project,
        semester=semester,
        outcome_months=months,
        sections=sections,
        jobseekers_note=note,
    )


def _action_item(action: Action, staff: bool, detail: str = "") -> QualityItem:
    return QualityItem(
        name=str(action),
        detail=detail,
        action=action.pk,
        project=action.project.slug,
        links=[
            Link(_("Change the action"), reverse("admin:actions_action_change", args=[action.pk]))
        ]
        if staff
        else [],
        page=reverse("reports:action-detail", args=[action.pk]),
    )


def _listed(actions: QuerySet[Action]) -> list[Action]:
    """In time, as every list: by the stored sort date (Action.sort_date), where an action
    known only by a rough period sorts on the day its period begins."""
    return list(actions.select_related("project").order_by("sort_date", "pk"))


def _overdue(actions: QuerySet[Action], today: datetime.date, staff: bool) -> QualitySection:
    """Actions that ended before today and are still planned or ongoing. One query."""
    rows = _listed(
        actions.filter(status__in=[ActionStatus.PLANNED, ActionStatus.ONGOING]).filter(
            ended_before(today)
        )
    )
    items = [
        _action_item(action, staff, _("still %(status)s") % {"status": action.get_status_display()})
        for action in rows
    ]
    return QualitySection(
        code=OVERDUE_ACTIONS,
        title=_("Actions past their end still planned or ongoing"),
        explanation=_("Mark them completed, or cancelled with a reason, or correct their dates."),
        items=items,
        count=len(items),
    )


def _empty(actions: QuerySet[Action], staff: bool) -> QualitySection:
    """Realised actions without any figure or participation record. One query."""
    rows = _listed(
        actions.filter(status__in=REALISED_STATUSES)
        .exclude(Exists(Figure.objects.filter(action=OuterRef("pk"))))
        .exclude(Exists(Participation.objects.filter(action=OuterRef("pk"))))
    )
    items = [_action_item(action, staff) for action in rows]
    return QualitySection(
        code=EMPTY_ACTIONS,
        title=_("Realised actions without any figure or record"),
        explanation=_("Enter their figures or participants, or say why there are none."),
        items=items,
        count=len(items),
    )


def _missing_outcomes(
    actions: QuerySet[Action], cutoff: datetime.date, months: int, staff: bool
) -> QualitySection:
    """Realised cohorts (guidance cohorts, and actions with participation records) that ended
    before the cutoff (today less the months) without any outcome: no record with a date of
    an outcome and no figure of an outcome metric (a figure of 0 says there was none). One
    query."""
    records = Participation.objects.filter(action=OuterRef("pk"))
    dated = Q()
    for name in OUTCOME_FIELDS:
        dated |= Q(**{f"{name}__isnull": False})
    rows = _listed(
        actions.filter(status__in=REALISED_STATUSES)
        .filter(Q(action_type=ActionType.GUIDANCE_COHORT) | Q(Exists(records)))
        .filter(ended_before(cutoff))
        .exclude(Exists(records.filter(dated)))
        .exclude(Exists(Figure.objects.filter(action=OuterRef("pk"), metric__in=OUTCOME_METRICS)))
    )
    items = [_action_item(action, staff) for action in rows]
    return QualitySection(
        code=MISSING_OUTCOMES,
        title=ngettext(
            "Cohorts without any outcome %(months)s month after their end",
            "Cohorts without any outcome %(months)s months after their end",
            months,
        )
        % {"months": months},
        explanation=_(
            "Record who found work, was hired or got a certificate, or enter the figures "
            "(0 when none did)."
        ),
        items=items,
        count=len(items),
    )


def _unknown_pes(actions: QuerySet[Action], staff: bool) -> QualitySection:
    """Figures of jobseekers without a PES, per action: the reports count them under "unknown
    PES" and no period of a PES holds them. Two queries."""
    figures = list(
        Figure.objects.filter(action__in=actions, pes__isnull=True, metric__in=PARTICIPANT_METRICS)
        .order_by("action_id", "metric")
        .values_list("action_id", "metric", "value", "is_lower_bound")
    )
    by_action: dict[int, list[str]] = {}
    for action_id, metric, value, lower_bound in figures:
        text = _("at least %(value)s") % {"value": value} if lower_bound else str(value)
        by_action.setdefault(action_id, []).append(f"{Metric(metric).label} {text}")
    rows = _listed(Action.objects.filter(pk__in=list(by_action))) if by_action else []
    items = []
    for action in rows:
        item = _action_item(action, staff, ", ".join(by_action[action.pk]))
        item.count = len(by_action[action.pk])
        if staff:
            item.links.append(
                Link(
                    _("Figures without PES"),
                    reverse("admin:actions_figure_changelist")
                    + f"?action__exact={action.pk}&pes__isnull=True",
                )
            )
        items.append(item)
    return QualitySection(
        code=UNKNOWN_PES,
        title=_("Figures of jobseekers of an unknown PES"),
        explanation=_(
            "Split them per PES where the split is known: a figure without PES belongs to no "
            "reporting period and is never approved."
        ),
        items=items,
        count=len(figures),
    )


def _incomplete(
    jobseekers: QuerySet[Jobseeker], personal: set[int] | None, staff: bool
) -> list[QualitySection]:
    """Jobseekers without a year of birth, and without an education level, counted per PES.
    One query."""
    rows: list[Mapping[str, Any]] = list(
        jobseekers.values("pes_id", "pes__slug", "pes__name")
        .annotate(
            no_birth_year=Count("pk", filter=Q(birth_year__isnull=True)),
            no_education_level=Count("pk", filter=Q(education_level="")),
        )
        .filter(Q(no_birth_year__gt=0) | Q(no_education_level__gt=0))
        .order_by("pes__name")
    )
    changelist = reverse("admin:participants_jobseeker_changelist")
    sections = []
    for code, column, lookup, title, link_label in (
        (
            MISSING_BIRTH_YEAR,
            "no_birth_year",
            "birth_year__isnull=True",
            _("Jobseekers without a year of birth"),
            _("Jobseekers of this PES without a year of birth"),
        ),
        (
            MISSING_EDUCATION_LEVEL,
            "no_education_level",
            "education_level__exact=",
            _("Jobseekers without an education level"),
            _("Jobseekers of this PES without an education level"),
        ),
    ):
        items = [
            QualityItem(
                name=row["pes__name"],
                pes=row["pes__slug"],
                count=row[column],
                links=[
                    Link(
                        link_label,
                        f"{changelist}?pes__id__exact={row['pes_id']}&{lookup}"
                        "&erased_at__isnull=True",
                    )
                ]
                if staff and (personal is None or row["pes_id"] in personal)
                else [],
            )
            for row in rows
            if row[column]
        ]
        sections.append(
            QualitySection(
                code=code,
                title=title,
                explanation=_(
                    "Counted among the jobseekers of these actions; the list in the "
                    "administration shows every jobseeker of the PES that lacks it."
                ),
                items=items,
                count=sum(item.count or 0 for item in items),
            )
        )
    return sections


def _shared_pseudonyms(
    jobseekers: QuerySet[Jobseeker], personal: set[int] | None, staff: bool
) -> QualitySection:
    """Pseudonymous keys of these jobseekers held at two PES or more: one person registered at
    two PES, or two references that hash alike. A key is shown, with its jobseekers, only to a
    user who may read the jobseekers of every PES holding it; otherwise it is counted. Two
    queries."""
    keys = (
        Jobseeker.objects.filter(
            erased_at__isnull=True,
            pseudonym__in=jobseekers.exclude(pseudonym="").values("pseudonym"),
        )
        .values("pseudonym")
        .annotate(pes_count=Count("pes", distinct=True))
        .filter(pes_count__gt=1)
        .values("pseudonym")
    )
    holders = list(
        Jobseeker.objects.filter(erased_at__isnull=True, pseudonym__in=keys)
        .select_related("pes")
        .order_by("pseudonym", "pes__name", "pk")
        .only("pk", "pseudonym", "pes__slug", "pes__name")
    )
    by_key: dict[str, list[Jobseeker]] = {}
    for jobseeker in holders:
        by_key.setdefault(jobseeker.pseudonym, []).append(jobseeker)
    items = []
    for key, held in by_key.items():
        if personal is not None and not {j.pes_id for j in held} <= personal:
            continue
        items.append(
            QualityItem(
                name=", ".join(dict.fromkeys(j.pes.name for j in held)),
                pseudonym=key,
                count=len(held),
                links=[
                    Link(
                        _("Jobseeker #%(id)s of %(pes)s") % {"id": j.pk, "pes": j.pes.name},
                        reverse("admin:participants_jobseeker_change", args=[j.pk]),
                    )
                    for j in held
                ]
                if staff
                else [],
            )
        )
    return QualitySection(
        code=SHARED_PSEUDONYMS,
        title=_("The same pseudonymous key at two PES"),
        explanation=_(
            "One person registered at two PES, or a reference typed for another person. Keys "
            "are shown only to those who may read the jobseekers of both PES; otherwise they "
            "are counted."
        ),
        items=items,
        count=len(by_key),
    )
