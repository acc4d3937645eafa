"""The stories behind the figures, in prose the answer to a written question could use: what
an action was (its description, the employers and jobs, its format, who taught, tested or
presented, why it was cancelled, outcomes not known yet), where a project stands with its
partners and work packages, and the cooperation of the PES (question 5).

Every sentence is written in the active language (the year report calls these once per
language under `translation.override`). A free text not written in that language is shown in
the first language it was written in and followed by that language's code, "… (en)"
(crossborder.core.translated). Lists read as each language joins them: "A, B and C".

The facts come from the actions' own fields and the rows with_story_rows puts on them, so that
telling any number of actions' stories asks the database nothing more. A fact that is not in
the data is left out, never guessed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from actions.models import Action, ActionEmployer, Certificate, Figure, JobOffer
from crossborder.core.metrics import WORK_FOUND_ACTION_TYPES, Metric
from crossborder.core.translated import site_languages, text_in
from crossborder.core.vocabulary import (
    COHORT_MAX_MONTHS,
    REALISED_STATUSES,
    ActionStatus,
    ActionType,
    OrganisationKind,
    ParticipationStatus,
)
from participants.models import Participation
from projects.models import (
    BorderOfficePair,
    Organisation,
    PartnerRole,
    Project,
    ProjectPartner,
    WorkPackage,
)

from .filters import starts_on_or_before

_LANGUAGES = site_languages()

# What action_story reads beyond the action's own columns, put on each action as a plain list
# by with_story_rows: the employers present by name and the jobs in the order they were entered
# (the order the coordinator gives them, as the answer tells them), the certificates, and who
# taught, tested and presented, with the organisations' former names so that a PES is named as
# it was called at the time (Pôle emploi before 2024).
EMPLOYERS = "story_employers"
JOB_OFFERS = "story_job_offers"
CERTIFICATES = "story_certificates"
TAUGHT_BY = "story_taught_by"
TESTED_BY = "story_tested_by"
PRESENTERS = "story_presenters"


def with_story_rows(actions: Sequence[Action], selection: QuerySet[Action]) -> None:
    """Puts on `actions`, the actions `selection` selects, the rows their stories read: one
    query per relation and one for the organisations' former names, however many actions.

    Not prefetch_related: it sends every action's id with each relation's query and builds a
    queryset per action and relation, which cost the year report of two thousand actions about
    half a second; here each relation reads the actions through `selection` as a subquery."""
    chosen = selection.values("pk")
    employers = (
        ActionEmployer.objects.filter(action__in=chosen)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    _attach(actions, EMPLOYERS, ((row.action_id, row) for row in employers))
    jobs = JobOffer.objects.filter(action__in=chosen).select_related("employer").order_by("pk")
    _attach(actions, JOB_OFFERS, ((row.action_id, row) for row in jobs))
    # By country, so that a training recognised on both sides names the Belgian side first.
    certificates = (
        Action.certificates.through.objects.filter(action__in=chosen)
        .select_related("certificate")
        .order_by("certificate__country", "certificate__pk")
    )
    _attach(actions, CERTIFICATES, ((row.action_id, row.certificate) for row in certificates))
    organisations: list[Organisation] = []
    for name, relation in (
        (TAUGHT_BY, "taught_by"),
        (TESTED_BY, "tested_by"),
        (PRESENTERS, "presenters"),
    ):
        organisations += with_organisations(actions, chosen, relation, name)
    prefetch_related_objects(organisations, "former_names")


def with_organisations(
    actions: Sequence[Action], chosen: QuerySet[Any], relation: str, name: str
) -> list[Organisation]:
    """Puts on each of `actions` the organisations of one of its relations to organisations
    (``organisers``, ``taught_by``, ...) as the list `name`, in their order (by name); `chosen`
    gives the actions' ids as a subquery. Returns the organisations, for their former names."""
    links = (
        getattr(Action, relation)
        .through.objects.filter(action__in=chosen)
        .select_related("organisation")
        .order_by("organisation__name", "organisation__pk")
    )
    rows = [(link.action_id, link.organisation) for link in links]
    _attach(actions, name, rows)
    return [organisation for _action, organisation in rows]


def _attach(actions: Sequence[Action], name: str, rows: Iterable[tuple[int, Any]]) -> None:
    """Each action's rows as the list `name` on the action (an empty list when it has none)."""
    by_action: dict[int, list[Any]] = {action.pk: [] for action in actions}
    for action_id, row in rows:
        if action_id in by_action:
            by_action[action_id].append(row)
    for action in actions:
        setattr(action, name, by_action[action.pk])


# What project_state reads beyond the project's own columns, for prefetch_related on projects.
PROJECT_PREFETCH: tuple[str | Prefetch, ...] = (
    Prefetch(
        "memberships",
        queryset=ProjectPartner.objects.select_related("organisation")
        .prefetch_related("organisation__former_names")
        .order_by("organisation__name", "pk"),
    ),
    Prefetch(
        "work_packages",
        queryset=WorkPackage.objects.select_related("coordinator")
        .prefetch_related("coordinator__former_names")
        .order_by("code", "pk"),
    ),
    "lead_partner__former_names",
)

# The annotations with_project_facts puts on projects, which project_state reads when present.
REALISED = "story_realised"
PARTICIPANTS = "story_participants"

# The metrics of figures that say a project has jobseekers taking part (interested or started):
# the people a fair reached are no participants.
_PARTICIPANT_FIGURES = (Metric.INTERESTED, Metric.STARTS)

# A certificate with the country that issues it, as the answer names it ("the French CACES"):
# one sentence per country, as the adjective and the article agree with it in each language.
_CERTIFICATE_OF_COUNTRY = {
    "BE": lambda name: _("the Belgian %(certificate)s") % {"certificate": name},
    "FR": lambda name: _("the French %(certificate)s") % {"certificate": name},
    "NL": lambda name: _("the Dutch %(certificate)s") % {"certificate": name},
    "LU": lambda name: _("the Luxembourg %(certificate)s") % {"certificate": name},
    "DE": lambda name: _("the German %(certificate)s") % {"certificate": name},
}


def join_naturally(items: Sequence[str]) -> str:
    """Items as a sentence lists them in the active language: "A, B and C" ("A, B en C",
    "A, B et C")."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def shown(obj: Any, field_name: str) -> str:
    """A translated field's text in the active language, else in the language it was written
    in, followed by that language's code ("forklift driver (en)"); "" when there is none."""
    # Most notes are empty in every language: "" without looking up the active language, which
    # the stories of a year's actions would otherwise do some ten thousand times.
    if not any(getattr(obj, f"{field_name}_{code}", None) for code in _LANGUAGES):
        return ""
    text = text_in(obj, field_name)
    value = text.value.strip()
    if text.foreign:
        # The code goes before a closing full stop, so that the sentence still ends with one.
        return f"{value.removesuffix('.')} ({text.language})"
    return value


def sentence(text: str) -> str:
    """A text as a sentence: a capital first and a full stop last, unless it ends with its own
    punctuation."""
    text = text.strip()
    if not text:
        return ""
    if text[-1] not in ".!?":
        text += "."
    return capfirst(text)


def long_date(day: datetime.date) -> str:
    """A day as sentences write it in the active language: "1 January 2018"."""
    return date_format(day, "DATE_FORMAT")


def _names(organisations: Iterable[Organisation], day: datetime.date) -> str:
    return join_naturally([organisation.name_on(day) for organisation in organisations])


def _within(days: int) -> str:
    """How soon after the action a hire was made: "within the week", "within 2 weeks"."""
    if days == 7:
        return _("within the week")
    if days % 7 == 0:
        return ngettext("within %(count)s week", "within %(count)s weeks", days // 7) % {
            "count": days // 7
        }
    return ngettext("within %(count)s day", "within %(count)s days", days) % {"count": days}


def _employer(presence: ActionEmployer) -> str:
    """An employer present with what it does, where, and the vacancies it brought:
    "Koraton (construction, Kortrijk, 5 vacancies)"."""
    organisation = presence.organisation
    details = [shown(organisation, "activity"), organisation.city.strip()]
    if presence.vacancies:
        details.append(
            ngettext("%(count)s vacancy", "%(count)s vacancies", presence.vacancies)
            % {"count": presence.vacancies}
        )
    details = [detail for detail in details if detail]
    if not details:
        return organisation.name
    return f"{organisation.name} ({', '.join(details)})"


def _job(offer: JobOffer) -> str:
    """A job shown or offered: "line operator at Vandeputte (2 positions)"."""
    job = shown(offer, "title")
    if offer.employer is not None:
        job = _("%(job)s at %(employer)s") % {"job": job, "employer": offer.employer.name}
    if offer.positions:
        job = ngettext(
            "%(job)s (%(count)s position)", "%(job)s (%(count)s positions)", offer.positions
        ) % {
            "job": job,
            "count": offer.positions,
        }
    return job


def _hire(presence: ActionEmployer) -> str:
    """The hires at one employer: "2 hires within the week at Koraton"."""
    assert presence.hires
    name = presence.organisation.name
    if presence.hired_within_days:
        return ngettext(
            "%(count)s hire %(within)s at %(employer)s",
            "%(count)s hires %(within)s at %(employer)s",
            presence.hires,
        ) % {
            "count": presence.hires,
            "within": _within(presence.hired_within_days),
            "employer": name,
        }
    return ngettext(
        "%(count)s hire at %(employer)s", "%(count)s hires at %(employer)s", presence.hires
    ) % {"count": presence.hires, "employer": name}


def _employers_and_jobs(action: Action) -> list[str]:
    """The companies and agencies present, the jobs presented or offered and the hires per
    employer."""
    sentences = []
    employers: list[ActionEmployer] = getattr(action, EMPLOYERS)
    companies = [e for e in employers if e.organisation.kind != OrganisationKind.AGENCY]
    agencies = [e for e in employers if e.organisation.kind == OrganisationKind.AGENCY]
    if companies:
        sentences.append(
            ngettext("Company present: %(names)s.", "Companies present: %(names)s.", len(companies))
            % {"names": join_naturally([_employer(e) for e in companies])}
        )
    if agencies:
        sentences.append(
            ngettext(
                "Temporary-work agency present: %(names)s.",
                "Temporary-work agencies present: %(names)s.",
                len(agencies),
            )
            % {"names": join_naturally([_employer(e) for e in agencies])}
        )
    jobs = [_job(offer) for offer in getattr(action, JOB_OFFERS)]
    if jobs:
        # At a company visit the companies show their jobs; elsewhere they offer them.
        if action.action_type == ActionType.COMPANY_VISIT:
            line = ngettext("Job presented: %(jobs)s.", "Jobs presented: %(jobs)s.", len(jobs))
        else:
            line = ngettext("Job offered: %(jobs)s.", "Jobs offered: %(jobs)s.", len(jobs))
        sentences.append(line % {"jobs": join_naturally(jobs)})
    hires = [_hire(e) for e in employers if e.hires]
    if hires:
        sentences.append(sentence(join_naturally(hires)))
    return sentences


def _duration(days: int) -> str:
    if days % 7 == 0:
        return ngettext("%(count)s week", "%(count)s weeks", days // 7) % {"count": days // 7}
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


def _with_note(item: str, note: str) -> str:
    if item and note:
        return f"{item} ({note})"
    return item or note


def _format(action: Action) -> list[str]:
    """The format of a cohort or training: how long, for how many, its workshops, its language
    part and its review moments, as one sentence."""
    items = []
    if action.duration_days:
        items.append(_duration(action.duration_days))
    elif action.action_type == ActionType.GUIDANCE_COHORT:
        # A rule of every guidance cohort (a constraint of the model), so always true of it.
        items.append(
            ngettext("at most %(count)s month", "at most %(count)s months", COHORT_MAX_MONTHS)
            % {"count": COHORT_MAX_MONTHS}
        )
    if action.capacity:
        items.append(
            ngettext("at most %(count)s jobseeker", "at most %(count)s jobseekers", action.capacity)
            % {"count": action.capacity}
        )
    workshops = (
        ngettext("%(count)s thematic workshop", "%(count)s thematic workshops", action.workshops)
        % {"count": action.workshops}
        if action.workshops
        else ""
    )
    items.append(_with_note(workshops, shown(action, "workshop_note")))
    hours = (
        ngettext(
            "%(count)s hour of language training",
            "%(count)s hours of language training",
            action.language_hours,
        )
        % {"count": action.language_hours}
        if action.language_hours
        else ""
    )
    items.append(_with_note(hours, shown(action, "language_note")))
    items.append(shown(action, "reviews"))
    items = [item for item in items if item]
    if not items:
        return []
    return [_("Format: %(items)s.") % {"items": join_naturally(items)}]


def _certificate(certificate: Certificate) -> str:
    name = shown(certificate, "name")
    with_country = _CERTIFICATE_OF_COUNTRY.get(certificate.country.upper())
    if with_country is None:
        return _("the %(certificate)s") % {"certificate": name}
    return with_country(name)


# Who taught, tested and presented an action, translated only for the few actions that say it.
_PEOPLE = (
    (TAUGHT_BY, gettext_lazy("Taught by %(names)s.")),
    (TESTED_BY, gettext_lazy("Tested by %(names)s.")),
    (PRESENTERS, gettext_lazy("Presented by %(names)s.")),
)


def _people(action: Action) -> list[str]:
    """The certificates it leads to and who teaches, tests and presents."""
    day = action.start_date or action.sort_date
    sentences = []
    certificates = [_certificate(c) for c in getattr(action, CERTIFICATES)]
    if certificates:
        sentences.append(
            _("Leads to %(certificates)s.") % {"certificates": join_naturally(certificates)}
        )
    for relation, line in _PEOPLE:
        organisations: list[Organisation] = getattr(action, relation)
        if organisations:
            sentences.append(line % {"names": _names(organisations, day)})
    return sentences


def _outcomes(action: Action, as_of: datetime.date) -> list[str]:
    """Work found after an action whose outcomes cannot be known yet: "not yet known", with
    when they are expected, never 0; only of the actions after which work can be found. A
    planned action says so only when its outcomes are expected at a given time (the answer's
    "outflow expected early 2019"): of any other, the report tells no outcome at all."""
    if action.action_type not in WORK_FOUND_ACTION_TYPES:
        return []
    if action.status == ActionStatus.CANCELLED or not action.outcomes_pending(as_of):
        return []
    note = shown(action, "outcomes_note")
    if action.status not in REALISED_STATUSES and not (note or action.outcomes_expected_on):
        return []
    if note:
        return [_("Work found: not yet known (%(note)s).") % {"note": note}]
    if action.outcomes_expected_on is not None and action.outcomes_expected_on > as_of:
        return [
            _("Work found: not yet known (expected from %(date)s).")
            % {"date": long_date(action.outcomes_expected_on)}
        ]
    return [_("Work found: not yet known.")]


def action_story(action: Action, *, as_of: datetime.date) -> list[str]:
    """An action's story in the active language, as sentences: its description; the companies
    and agencies present with what they do and where, the jobs presented or offered and the
    hires per employer; its format (duration, capacity, workshops, language part, reviews),
    the certificates it leads to, who teaches, tests and presents; why it was cancelled; and
    its work found when it cannot be known yet on `as_of`.

    Reads the rows with_story_rows puts on the action, and asks the database nothing."""
    sentences = [sentence(shown(action, "description"))]
    sentences += _employers_and_jobs(action)
    sentences += _format(action)
    sentences += _people(action)
    if action.status == ActionStatus.CANCELLED:
        reason = shown(action, "cancellation_reason")
        if reason:
            sentences.append(_("Cancelled: %(reason)s.") % {"reason": reason.removesuffix(".")})
    sentences += _outcomes(action, as_of)
    return [line for line in sentences if line]


def with_project_facts(queryset: QuerySet[Project], *, as_of: datetime.date) -> QuerySet[Project]:
    """Projects with what project_state asks of their actions on `as_of`, in the same query:
    whether any action was realised by then, and whether any jobseeker takes part."""
    realised = Action.objects.filter(
        starts_on_or_before(as_of), project=OuterRef("pk"), status__in=REALISED_STATUSES
    )
    # Interest is registered before an action starts and has no date of its own: it counts
    # whenever the action is; starts count for actions that had started by the day.
    started = Q(action__in=Action.objects.filter(starts_on_or_before(as_of)).values("pk"))
    records = Participation.objects.filter(action__project=OuterRef("pk")).filter(
        started | Q(status=ParticipationStatus.INTERESTED)
    )
    figures = Figure.objects.filter(
        action__project=OuterRef("pk"), metric__in=_PARTICIPANT_FIGURES, value__gt=0
    ).filter(started | Q(metric=Metric.INTERESTED))
    return queryset.annotate(
        **{REALISED: Exists(realised), PARTICIPANTS: Exists(records) | Exists(figures)}
    )


def _facts(project: Project, as_of: datetime.date) -> tuple[bool, bool]:
    if hasattr(project, REALISED) and hasattr(project, PARTICIPANTS):
        return bool(getattr(project, REALISED)), bool(getattr(project, PARTICIPANTS))
    row = (
        with_project_facts(Project.objects.filter(pk=project.pk), as_of=as_of)
        .values_list(REALISED, PARTICIPANTS)
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def _partners(project: Project, as_of: datetime.date) -> list[str]:
    """The project's partners by role: "Lead partner: VDAB." "Project partners: ..."."""
    by_role: dict[str, list[Organisation]] = {role: [] for role in PartnerRole.values}
    for membership in project.memberships.all():
        by_role.setdefault(membership.role, []).append(membership.organisation)
    lead = project.lead_partner
    if lead is not None and not by_role[PartnerRole.LEAD]:
        by_role[PartnerRole.LEAD].append(lead)
    sentences = []
    for role in PartnerRole.values:
        organisations = by_role[role]
        if not organisations:
            continue
        count = len(organisations)
        if role == PartnerRole.LEAD:
            line = ngettext("Lead partner: %(names)s.", "Lead partners: %(names)s.", count)
        elif role == PartnerRole.ASSOCIATED:
            line = ngettext(
                "Associated partner: %(names)s.", "Associated partners: %(names)s.", count
            )
        else:
            line = ngettext("Project partner: %(names)s.", "Project partners: %(names)s.", count)
        sentences.append(line % {"names": _names(organisations, as_of)})
    return sentences


def _work_packages(project: Project, as_of: datetime.date) -> list[str]:
    sentences = []
    for package in project.work_packages.all():
        name = shown(package, "name")
        if package.coordinator is not None:
            sentences.append(
                _("%(coordinator)s coordinates the work package %(name)s.")
                % {"coordinator": package.coordinator.name_on(as_of), "name": name}
            )
        else:
            sentences.append(
                _("The work package %(name)s has no coordinator yet.") % {"name": name}
            )
    return sentences


def project_state(project: Project, *, as_of: datetime.date) -> list[str]:
    """Where a project stands on `as_of`, in the active language. When none of its actions was
    realised by then: when it started (or starts), its state as its coordinator wrote it, and
    "No participants yet." when no jobseeker takes part. Always: its partners by role and its
    work packages with who coordinates them.

    Asks nothing when the project comes with PROJECT_PREFETCH and with_project_facts; one
    query otherwise, besides the relations."""
    sentences: list[str] = []
    realised, participants = _facts(project, as_of)
    if not realised:
        if project.starts_on is not None:
            line = (
                _("Started on %(date)s.")
                if project.starts_on <= as_of
                else _("Starts on %(date)s.")
            )
            sentences.append(line % {"date": long_date(project.starts_on)})
        sentences.append(sentence(shown(project, "state_note")))
        if not participants:
            sentences.append(_("No participants yet."))
    sentences += _partners(project, as_of)
    sentences += _work_packages(project, as_of)
    return [line for line in sentences if line]


def _when(action: Action) -> str:
    """When an action took place, for a sentence: "9 November 2017", "13 April 2018 to 14 April
    2018", else its rough period ("autumn 2018")."""
    if action.start_date and action.end_date and action.end_date != action.start_date:
        return _("%(start)s to %(end)s") % {
            "start": long_date(action.start_date),
            "end": long_date(action.end_date),
        }
    if action.start_date:
        return long_date(action.start_date)
    note = shown(action, "period_note")
    if note:
        # A note that names the year ("in the coming weeks (spring 2018)") is not followed by it.
        return note if str(action.year) in note else f"{note} {action.year}"
    return action.semester or str(action.year)


def _pairs(projects: Sequence[Project]) -> list[str]:
    """The pairs of border offices of the projects' partners (of all when no project is
    given), the offices that share a partner office named together: "PE Halluin and PE
    Wattrelos with VDAB Kortrijk"."""
    pairs = BorderOfficePair.objects.select_related("office", "partner_office")
    if projects:
        ids = [project.pk for project in projects]
        partners = ProjectPartner.objects.filter(project__in=ids).values("organisation")
        leads = Project.objects.filter(pk__in=ids).values("lead_partner")
        pairs = pairs.filter(
            Q(office__organisation__in=partners)
            | Q(partner_office__organisation__in=partners)
            | Q(office__organisation__in=leads)
            | Q(partner_office__organisation__in=leads)
        )
    grouped: dict[int, tuple[str, list[str]]] = {}
    for pair in pairs.order_by("partner_office__name", "office__name", "pk"):
        grouped.setdefault(pair.partner_office_id, (pair.partner_office.name, []))[1].append(
            pair.office.name
        )
    if not grouped:
        return []
    items = [
        _("%(offices)s with %(partner)s") % {"offices": join_naturally(offices), "partner": partner}
        for partner, offices in grouped.values()
    ]
    return [
        ngettext(
            "The border offices work together in a pair: %(pairs)s.",
            "The border offices work together in pairs: %(pairs)s.",
            len(items),
        )
        % {"pairs": join_naturally(items)}
    ]


def _seminar(action: Action) -> str:
    """One staff seminar: when, who organised it, for whom and on what (its description), who
    presented."""
    day = action.start_date or action.sort_date
    organisers = list(action.organisers.all())
    if organisers:
        opening = _("Staff seminar of %(date)s, organised by %(organisers)s.") % {
            "date": _when(action),
            "organisers": _names(organisers, day),
        }
    else:
        opening = _("Staff seminar of %(date)s.") % {"date": _when(action)}
    parts = [opening, sentence(shown(action, "description"))]
    presenters = list(action.presenters.all())
    if presenters:
        parts.append(_("Presented by %(names)s.") % {"names": _names(presenters, day)})
    return " ".join(part for part in parts if part)


def cooperation(projects: Iterable[Project], *, year: int, as_of: datetime.date) -> list[str]:
    """Question 5, the cooperation of the PES, in the active language: the pairs of border
    offices of the projects' partners, then each staff seminar of the projects held in `year`
    or in the next year up to `as_of` (cancelled ones left out), with its date, organisers,
    audience and who presented. Without projects, those of every project. Six queries at
    most, whatever the number of seminars."""
    chosen = list(projects)
    seminars = Action.objects.filter(
        starts_on_or_before(as_of), action_type=ActionType.STAFF_SEMINAR, year__in=[year, year + 1]
    )
    if chosen:
        seminars = seminars.filter(project__in=[project.pk for project in chosen])
    seminars = (
        seminars.exclude(status=ActionStatus.CANCELLED)
        .prefetch_related("organisers__former_names", "presenters__former_names")
        .order_by("sort_date", "pk")
    )
    return _pairs(chosen) + [_seminar(action) for action in seminars]
