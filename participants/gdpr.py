"""GDPR: erasure of a jobseeker's personal data, the storage limit, and the access request.

Erasure keeps the jobseeker's row, its PES and its participation records: every count a report
makes (starts per PES, placements, ...) stays exact, while nothing left identifies the person.
The pseudonymous key goes too: it is pseudonymous data, still personal under the GDPR (whoever
holds the key and a reference can link it back to the person).

The audit trail keeps every earlier version of a row, so erasure also blanks the person's data in
the history table and in the admin's log, whose entries name the person.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from crossborder.audit.services import reads_of_jobseeker
from crossborder.uploads.services import previews_discard_for_pes

from .models import Jobseeker, Participation


def _blank(name: str) -> str | None:
    """The empty value of a field of the jobseeker: None where the column takes it, the
    default where "not given" is a value of its own (gender), else ""."""
    field = Jobseeker._meta.get_field(name)
    if field.null:
        return None
    default = field.get_default() if isinstance(field, models.Field) else ""
    return default if isinstance(default, str) else ""


# Set on erasure: an empty value for everything that says who the person is.
ERASED_VALUES: dict[str, Any] = {name: _blank(name) for name in Jobseeker.PERSONAL_FIELDS}


@transaction.atomic
def jobseeker_erase(*, jobseeker: Jobseeker) -> Jobseeker:
    """Blank the jobseeker's personal data, now and in the audit trail; keep the counts."""
    for name, empty in ERASED_VALUES.items():
        setattr(jobseeker, name, empty)
    if jobseeker.erased_at is None:
        jobseeker.erased_at = timezone.now()
    jobseeker.full_clean()
    # The audit trail records that (and by whom) the data was erased, not what it was.
    jobseeker._change_reason = "erased (GDPR)"
    jobseeker.save()
    jobseeker.history.all().update(**ERASED_VALUES)
    # An import file waiting for its confirmation may name the person too.
    previews_discard_for_pes(pes_id=jobseeker.pes_id)
    erased_name = str(jobseeker)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Jobseeker), object_id=str(jobseeker.pk)
    ).update(object_repr=erased_name, change_message="")
    participation_ids = [str(pk) for pk in jobseeker.participations.values_list("pk", flat=True)]
    if participation_ids:
        # A participation's name in the log is "<jobseeker's name> - <action>".
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Participation),
            object_id__in=participation_ids,
        ).update(object_repr=f"{erased_name} - participation", change_message="")
    return jobseeker


def retention_cutoff(years: int, today: datetime.date) -> datetime.date:
    """The day `years` years before `today` (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def jobseekers_due_for_erasure(*, years: int, today: datetime.date) -> QuerySet[Jobseeker]:
    """Jobseekers not yet erased whose every project ended more than `years` years ago.

    A project without an end date has not ended, so its jobseekers are kept. A jobseeker with no
    participation at all is due once the record is that old: nothing justifies keeping it.
    """
    cutoff = retention_cutoff(years, today)
    running = Participation.objects.filter(jobseeker=OuterRef("pk")).filter(
        Q(action__project__ends_on__isnull=True) | Q(action__project__ends_on__gte=cutoff)
    )
    created_before = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=datetime.UTC)
    return (
        Jobseeker.objects.filter(erased_at__isnull=True)
        .annotate(last_project_end=Max("participations__action__project__ends_on"))
        .filter(~Exists(running))
        .filter(
            Q(last_project_end__isnull=False)
            | Q(participations__isnull=True, created_at__lt=created_before)
        )
        .order_by("pk")
    )


def jobseeker_access_report(
    *, jobseeker: Jobseeker, special_categories: bool = False
) -> dict[str, Any]:
    """Everything held about one person (GDPR article 15): the record, its participation in
    actions (with the state at entry and the follow-ups), every version in the audit trail with
    who changed it and when, and who viewed the record (the read audit, within its retention).

    The special categories (Jobseeker.SENSITIVE_FIELDS) only with `special_categories`, for a
    user who may read them (access.can_read_special_categories): the report of anyone else
    names them under `left_out`, so that the person's request is completed by a user who may."""
    fields = Jobseeker.PERSONAL_FIELDS
    if not special_categories:
        fields = tuple(name for name in fields if name not in Jobseeker.SENSITIVE_FIELDS)
    participations = jobseeker.participations.select_related(
        "action__project", "hired_by", "certificate"
    ).order_by("action__start_date", "pk")
    return {
        "generated_at": timezone.now().isoformat(),
        "jobseeker": {
            "id": jobseeker.pk,
            "pes": jobseeker.pes.name,
            **_personal_data(jobseeker, fields, displayed=True),
            "created_at": jobseeker.created_at.isoformat(),
            "erased_at": jobseeker.erased_at.isoformat() if jobseeker.erased_at else None,
        },
        "participations": [
            {
                "project": p.action.project.name,
                "action": str(p.action),
                "action_reference": p.action.reference,
                **_outcomes(p),
            }
            for p in participations
        ],
        "history": [
            {
                "date": record.history_date.isoformat(),
                "change": record.get_history_type_display(),
                "by": record.history_user.get_username() if record.history_user else "",
                "reason": record.history_change_reason or "",
                **_personal_data(record, fields, displayed=False),
            }
            for record in jobseeker.history.select_related("history_user").order_by(
                "history_date", "history_id"
            )
        ],
        "participation_history": [
            {
                "date": record.history_date.isoformat(),
                "change": record.get_history_type_display(),
                "by": record.history_user.get_username() if record.history_user else "",
                "action_id": record.action_id,
                "status": record.status,
            }
            for record in Participation.history.filter(jobseeker_id=jobseeker.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ],
        # Who viewed the record: by role and organisation, not by name. Article 15 gives the
        # person the recipients and the dates and purposes of the consultations, not the
        # identity of each employee who consulted (CJEU, C-579/21, Pankki S, 22 June 2023);
        # naming case workers to a person they may have refused would expose them in turn. A
        # superuser can tell who it was from the read audit, to answer a complaint.
        "reads": [
            {
                "date": read.at.isoformat(),
                "role": read.role,
                "organisation": read.organisation,
                "what": read.get_kind_display(),
            }
            for read in reads_of_jobseeker(jobseeker_id=jobseeker.pk).only(
                "at", "role", "organisation", "kind"
            )
        ],
        "left_out": [
            _ACCESS_NAMES.get(name, name)
            for name in Jobseeker.PERSONAL_FIELDS
            if name not in fields
        ],
    }


# The names of the access report for fields whose own names are the code's.
_ACCESS_NAMES = {
    "external_ref": "reference",
    "pseudonym": "pseudonymous_key",
    "is_refugee": "refugee",
}


def _personal_data(row: Any, fields: tuple[str, ...], *, displayed: bool) -> dict[str, Any]:
    """The personal fields of a jobseeker or of a version of it in the audit trail, read from
    Jobseeker.PERSONAL_FIELDS (`fields`: those the report may show) so that a new field is
    reported as soon as it is declared; a field with choices as it reads (`displayed`) or as it
    is stored."""
    data = {}
    for name in fields:
        value = getattr(row, name)
        field = Jobseeker._meta.get_field(name)
        if displayed and value and isinstance(field, models.Field) and field.choices:
            value = getattr(row, f"get_{name}_display")()
        data[_ACCESS_NAMES.get(name, name)] = value
    return data


def _outcomes(participation: Participation) -> dict[str, Any]:
    """What came of a participation, the state at entry and the follow-ups, read from
    Participation.WRITTEN_FIELDS: dates in ISO format, an employer or certificate by its name
    ("" when none), a choice as stored."""
    data: dict[str, Any] = {}
    for name in Participation.WRITTEN_FIELDS:
        value = getattr(participation, name)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif Participation._meta.get_field(name).is_relation:
            value = str(value) if value is not None else ""
        data[name] = value
    return data
