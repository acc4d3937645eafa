"""The follow-ups of participations: which are due on a day (a selector, in SQL), recording one
(the one write of a follow-up, and its bulk form for the import and the API), and the weekly
digest that reminds each coordinator of those due.

A follow-up is a participation and a kind (FollowUpKind): on leaving, due the day the jobseeker
left the action (Participation.left_on); six months on, due six calendar months later. It is
overdue settings.FOLLOW_UP_GRACE_DAYS after that. Participation.follow_up_state says where one
stands; `follow_ups_due` asks the same of the database for many at once, and a test holds the
two to the same answer on every boundary.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import (
    CharField,
    IntegerField,
    Q,
    QuerySet,
    TextChoices,
    Value,
)
from django.db.models.expressions import Case, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from actions.models import Action
from actions.services import ItemProblem, PushRefused, PushRules, bulk_write, same_items_problems
from crossborder.core.dataversion import bump_data_version
from crossborder.core.metrics import WORK_FOUND_ACTION_TYPES
from crossborder.core.periods import add_months
from crossborder.core.versions import lock_current
from crossborder.core.vocabulary import STARTED_STATUSES, OrganisationKind
from projects.models import Organisation
from projects.roles import COORDINATOR

from .models import (
    IN_WORK_SITUATIONS,
    FollowUpDigest,
    FollowUpKind,
    FollowUpState,
    LeavingSituation,
    Participation,
    SixMonthSituation,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The states a worklist shows: the follow-ups to do now.
OPEN_STATES: tuple[str, ...] = (FollowUpState.DUE, FollowUpState.OVERDUE)
# The order of a list: the overdue first, then those due, then the others.
STATE_RANK: dict[str, int] = {
    FollowUpState.OVERDUE: 0,
    FollowUpState.DUE: 1,
    FollowUpState.NOT_DUE: 2,
    FollowUpState.DONE: 3,
}
# The parts of a follow-up, by the names the page, the import and the API give them.
PARTS: tuple[str, ...] = ("situation", "checked_on", "source")


def part_field(kind: str, part: str) -> str:
    """The participation's field of one part of a follow-up (`leaving_source`)."""
    return Participation.FOLLOW_UP_FIELDS[kind][PARTS.index(part)]


# The situations each kind records.
SITUATIONS: dict[str, type[TextChoices]] = {
    FollowUpKind.ON_LEAVING: LeavingSituation,
    FollowUpKind.SIX_MONTHS: SixMonthSituation,
}


def situation_choices(kind: str) -> list[tuple[str, str]]:
    """The situations a follow-up of this kind may record, with their labels."""
    return [(str(value), str(label)) for value, label in SITUATIONS[kind].choices]


# Selecting ------------------------------------------------------------------------------------


def latest_left_on(kind: str, day: datetime.date) -> datetime.date:
    """The last day a jobseeker may have left for a follow-up of this kind to be due by `day`
    (its due day on or before `day`). On leaving, `day` itself. Six months on, six months
    before, where add_months clamps to the end of a shorter month: on 28 February 2027 the
    check of someone who left on 29, 30 or 31 August 2026 is due, so the end of a month maps
    to the end of the month six months before; elsewhere add_months(day, -6) (on 29 August
    2026, 28 February 2026: who left on 1 March is due on 1 September)."""
    if kind == FollowUpKind.ON_LEAVING:
        return day
    next_day = day + datetime.timedelta(days=1)
    if next_day.day == 1:
        return add_months(next_day, -6) - datetime.timedelta(days=1)
    return add_months(day, -6)


def state_conditions(kind: str, as_of: datetime.date) -> dict[str, Q]:
    """Each FollowUpState of this kind on `as_of` as a condition on a participation annotated
    with `left_day` (with_left_day): the database compares dates with cutoffs computed here, and
    needs no date arithmetic of its own. Participation.follow_up_state in SQL: done when the
    situation is recorded, checked on `as_of` or before; else, for a jobseeker who started an
    action after which work can be found and whose leaving day is known, not due before the
    due day, due until FOLLOW_UP_GRACE_DAYS after it, then overdue."""
    situation, checked_on = part_field(kind, "situation"), part_field(kind, "checked_on")
    # A follow-up checked after as_of was not done yet on that day.
    done = ~Q(**{situation: ""}) & (
        Q(**{f"{checked_on}__isnull": True}) | Q(**{f"{checked_on}__lte": as_of})
    )
    followable = (
        Q(status__in=STARTED_STATUSES)
        & Q(action__action_type__in=WORK_FOUND_ACTION_TYPES)
        & Q(left_day__isnull=False)
        & ~done
    )
    due_by = latest_left_on(kind, as_of)
    # Overdue: due before as_of minus the grace days.
    grace = datetime.timedelta(days=settings.FOLLOW_UP_GRACE_DAYS + 1)
    overdue_by = latest_left_on(kind, as_of - grace)
    return {
        FollowUpState.DONE: done,
        FollowUpState.OVERDUE: followable & Q(left_day__lte=overdue_by),
        FollowUpState.DUE: followable & Q(left_day__gt=overdue_by) & Q(left_day__lte=due_by),
        FollowUpState.NOT_DUE: followable & Q(left_day__gt=due_by),
    }


def with_left_day(participations: QuerySet[Participation]) -> QuerySet[Participation]:
    """The participations with `left_day`: Participation.left_on's day (the completion, else
    the action's end, else its start), for the rules above to compare."""
    return participations.annotate(
        left_day=Coalesce("completed_on", "action__end_date", "action__start_date")
    )


def follow_ups_due(
    *,
    as_of: datetime.date,
    pes: Organisation | None = None,
    participations: QuerySet[Participation] | None = None,
    states: Iterable[str] = OPEN_STATES,
    kind: str | None = None,
) -> QuerySet[Any]:
    """The follow-ups in these states on `as_of` (due or overdue by default), one row each: a
    tuple of the participation's id, the kind, its leaving day, the state and its rank
    (STATE_RANK); the overdue first, then by leaving day. `participations`: the records to
    look at (a user's scope, an action's); `pes`: only that PES's; `kind`: only that kind.
    One query (a UNION of the kinds), which a page slices and counts; `follow_up_rows` reads
    a page's records."""
    base = Participation.objects.all() if participations is None else participations
    if pes is not None:
        base = base.filter(pes=pes)
    base = with_left_day(base.order_by())
    wanted = [state for state in STATE_RANK if state in set(states)]
    kinds = [kind] if kind is not None else list(FollowUpKind.values)
    selects = []
    for each in kinds:
        conditions = state_conditions(each, as_of)
        state = Case(
            *(When(conditions[name], then=Value(name)) for name in wanted),
            output_field=CharField(),
        )
        rank = Case(
            *(When(conditions[name], then=Value(STATE_RANK[name])) for name in wanted),
            output_field=IntegerField(),
        )
        match = Q()
        for name in wanted:
            match |= conditions[name]
        selects.append(
            base.filter(match if wanted else Q(pk__in=[]))
            .annotate(
                row_kind=Value(each, output_field=CharField()),
                row_state=state,
                row_rank=rank,
            )
            .values_list("id", "row_kind", "left_day", "row_state", "row_rank")
        )
    rows = selects[0]
    if len(selects) > 1:
        rows = rows.union(*selects[1:], all=True)
    # left_day is with_left_day's annotation, which the type checker does not follow.
    return rows.order_by("row_rank", "left_day", "id", "row_kind")  # type: ignore[misc]


@dataclass(frozen=True)
class FollowUp:
    """A follow-up as a list shows it: the participation (with its action, project and
    jobseeker), the kind, the day it falls due and its state on the list's day."""

    participation: Participation
    kind: str
    due_on: datetime.date | None
    state: str

    @property
    def kind_label(self) -> str:
        return str(FollowUpKind(self.kind).label)

    @property
    def state_label(self) -> str:
        return str(FollowUpState(self.state).label)

    def part(self, part: str) -> Any:
        return getattr(self.participation, part_field(self.kind, part))


def follow_up_rows(rows: Iterable[Sequence[Any]]) -> list[FollowUp]:
    """The FollowUps of rows of `follow_ups_due` (a page of them): their participations read
    in one query, with the action, its project and the jobseeker with its PES."""
    rows = list(rows)
    records = Participation.objects.select_related(
        "action__project", "jobseeker__pes", "pes"
    ).in_bulk([row[0] for row in rows])
    follow_ups = []
    for pk, kind, left_day, state, _rank in rows:
        due_on = None
        if left_day is not None:
            due_on = left_day if kind == FollowUpKind.ON_LEAVING else add_months(left_day, 6)
        follow_ups.append(FollowUp(records[pk], kind, due_on, state))
    return follow_ups


# Recording ------------------------------------------------------------------------------------


def _as_parts(kind: str, error: ValidationError) -> ValidationError:
    """A participation's ValidationError with the follow-up's fields named by their part
    (`leaving_source` -> `source`), as the page, the import and the API name them."""
    names = {part_field(kind, part): part for part in PARTS}
    return ValidationError(
        {names.get(name, name): messages for name, messages in error.message_dict.items()}
    )


def _apply_follow_up(
    record: Participation,
    *,
    kind: str,
    situation: str,
    checked_on: datetime.date | None,
    source: str,
) -> dict[str, Any]:
    """Set a follow-up's parts on the record; the fields changed, by name. "In work" and
    "found work" are one definition: a record in work on leaving that says nothing of work
    found (neither placed_on nor hired_on) gets placed_on, the day the check found the
    jobseeker in work, so that the placements count the person the result indicator counts.
    Not for six months on: work found then is no outcome of the action's end, and a record
    with a date of work found already keeps it (a non-work situation after it is refused by
    Participation.follow_up_errors, not overwritten)."""
    if kind not in FollowUpKind.values:
        raise ValidationError(
            {
                "kind": _("“%(value)s” is no kind of follow-up; give %(kinds)s.")
                % {"value": kind, "kinds": ", ".join(FollowUpKind.values)}
            }
        )
    if not situation:
        raise ValidationError({"situation": _("Required: the situation found.")})
    wanted: dict[str, Any] = {
        part_field(kind, "situation"): situation,
        part_field(kind, "checked_on"): checked_on,
        part_field(kind, "source"): source,
    }
    if (
        kind == FollowUpKind.ON_LEAVING
        and situation in IN_WORK_SITUATIONS
        and record.placed_on is None
        and record.hired_on is None
        and checked_on is not None
    ):
        wanted["placed_on"] = checked_on
    changed = {name: value for name, value in wanted.items() if getattr(record, name) != value}
    for name, value in changed.items():
        setattr(record, name, value)
    return changed


def _history_reason(kind: str) -> str:
    return f"follow-up {kind} recorded"


@transaction.atomic
def follow_up_record(
    *,
    participation: Participation,
    kind: str,
    situation: str,
    checked_on: datetime.date | None,
    source: str,
    user: AbstractBaseUser | AnonymousUser | None,
    expected_version: int | None = None,
) -> Participation:
    """Record a follow-up of a participation: its situation, the day it was checked and the
    source. The one write of a follow-up (the worklist, the import and the API call it or its
    bulk form). The row is locked and read again; `expected_version`: the version the change
    was based on, StaleVersion when it moved since (None: no check). The model's rules apply
    (full_clean: a jobseeker who started, the date and source with the situation, no
    contradiction with work found, the reporting period not locked); their messages name the
    parts (`situation`, `checked_on`, `source`). On leaving, a situation in work sets the
    date of work found when the record has none (see _apply_follow_up)."""
    lock_current(participation, expected_version)
    changed = _apply_follow_up(
        participation, kind=kind, situation=situation, checked_on=checked_on, source=source
    )
    if not changed:
        return participation
    try:
        participation.full_clean()
    except ValidationError as error:
        raise _as_parts(kind, error) from error
    participation._change_reason = _history_reason(kind)  # type: ignore[attr-defined]
    if user is not None and user.is_authenticated:
        participation._history_user = user  # type: ignore[attr-defined]
    participation.save()
    return participation


@dataclass(frozen=True)
class FollowUpItem:
    """One follow-up of a bulk write: the participation (with its action and jobseeker, as the
    import and the API found them) and the parts."""

    participation: Participation
    kind: str
    situation: str
    checked_on: datetime.date | None
    source: str


@transaction.atomic
def follow_ups_record_bulk(
    *, items: Sequence[FollowUpItem], user: AbstractBaseUser | AnonymousUser | None
) -> list[Participation]:
    """Record many follow-ups at once, each like follow_up_record: all or nothing. PushRefused
    with every problem, by the item's index and its part (`situation`, `checked_on`, `source`,
    `kind`, or the participation's field at fault), when any item breaks a rule; nothing is
    written then. Both kinds of one participation may come in one write; one kind twice is
    refused. A fixed number of queries whatever the number of items (one per reporting period
    asked), the records locked until the write ends. Returns the participations, in the
    items' order."""
    problems = same_items_problems(
        [(item.participation.pk, item.kind) for item in items], field="kind"
    )
    if problems:
        raise PushRefused(problems)
    held = {
        record.pk: record
        for record in Participation.objects.select_for_update()
        .select_related("action", "jobseeker")
        .filter(pk__in={item.participation.pk for item in items})
        .order_by()
    }
    rules = PushRules(Action.objects.filter(pk__in={r.action_id for r in held.values()}))
    changed: dict[int, set[str]] = {}
    for index, item in enumerate(items):
        record = held.get(item.participation.pk)
        if record is None:
            problems.append(
                ItemProblem(index, "participation", _("The participation record was deleted."))
            )
            continue
        try:
            names = _apply_follow_up(
                record,
                kind=item.kind,
                situation=item.situation,
                checked_on=item.checked_on,
                source=item.source,
            )
        except ValidationError as error:
            problems.extend(_problems(index, error))
            continue
        if names:
            changed.setdefault(record.pk, set()).update(names)
    # Each changed record checked once, with every follow-up it got; a problem belongs to the
    # items of that record (the first of them for what is not the follow-up's own).
    first_item: dict[int, int] = {}
    kinds: dict[int, list[tuple[int, str]]] = {}
    for index, item in enumerate(items):
        first_item.setdefault(item.participation.pk, index)
        kinds.setdefault(item.participation.pk, []).append((index, item.kind))
    for pk in changed:
        record = held[pk]
        refusal = rules.period_refusal(record.action, record.pes_id)
        if refusal:
            problems.append(ItemProblem(first_item[pk], "non_field_errors", refusal))
            continue
        errors: dict[str, list[str]] = {}
        try:
            record.clean_fields(exclude=["action", "jobseeker", "pes", "hired_by", "certificate"])
        except ValidationError as error:
            errors = error.message_dict
        for name, message in record.rule_errors().items():
            errors.setdefault(name, []).append(str(message))
        if errors:
            problems.extend(_record_problems(kinds[pk], errors))
    if problems:
        raise PushRefused(sorted(problems, key=lambda p: (p.index is None, p.index or 0)))
    updated = [held[pk] for pk in changed]
    for record in updated:
        record._change_reason = "follow-ups recorded"  # type: ignore[attr-defined]
    bulk_write(
        Participation,
        created=[],
        updated=updated,
        fields=sorted({name for names in changed.values() for name in names}),
        user=user,
    )
    if updated:
        # Bulk writes send no signals: the API's cached pages are out of date.
        bump_data_version()
    return [held[item.participation.pk] for item in items]


def _problems(index: int, error: ValidationError) -> list[ItemProblem]:
    return [
        ItemProblem(index, "non_field_errors" if name == NON_FIELD_ERRORS else name, message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _record_problems(
    items: list[tuple[int, str]], errors: Mapping[str, list[str]]
) -> list[ItemProblem]:
    """A record's errors as problems of its items: a follow-up's field to the item of that
    kind, by its part; anything else to the record's first item."""
    owners: dict[str, tuple[int, str]] = {}
    for index, kind in items:
        for part in PARTS:
            owners[part_field(kind, part)] = (index, part)
    problems: list[ItemProblem] = []
    for name, messages in errors.items():
        index, field = owners.get(name, (items[0][0], name))
        if field == NON_FIELD_ERRORS:
            field = "non_field_errors"
        problems.extend(ItemProblem(index, field, message) for message in messages)
    return problems


# The weekly digest ----------------------------------------------------------------------------


def iso_week(day: datetime.date) -> str:
    """The ISO week of a day, as 2026-W48: the digest's unit."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_recipients() -> QuerySet[Any]:
    """The users a digest goes to: active coordinators with an email address and a PES."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(
            is_active=True,
            groups__name=COORDINATOR,
            membership__organisation__kind=OrganisationKind.PES,
        )
        .exclude(email="")
        .select_related("membership__organisation")
        .order_by("pk")
        .distinct()
    )


# How many follow-ups a digest lists by name; the rest it counts.
DIGEST_MAX_LISTED = 200


def send_follow_up_digests(*, as_of: datetime.date) -> int:
    """Send each coordinator the follow-ups of its PES due or overdue on `as_of`, by Django's
    mail: at most once per ISO week per coordinator, none to a coordinator with nothing due.
    The number of digests sent.

    Each digest is claimed before it is sent: the FollowUpDigest row of the coordinator and
    week is inserted in the transaction that sends the mail. A second run finds the row; a run
    at the same moment waits on it and, once the first commits, hits the unique constraint and
    sends nothing; a mail that fails rolls its row back, so the next run sends it."""
    week = iso_week(as_of)
    sent = 0
    for user in digest_recipients():
        if FollowUpDigest.objects.filter(user=user, week=week).exists():
            continue
        pes = user.membership.organisation
        rows = follow_ups_due(as_of=as_of, pes=pes)
        count = rows.count()
        if not count:
            continue
        try:
            with transaction.atomic():
                FollowUpDigest.objects.create(user=user, week=week, count=count)
                _send_digest(user, pes, follow_up_rows(rows[:DIGEST_MAX_LISTED]), count, as_of)
        except IntegrityError:
            # Claimed by a run at the same time, which sends it.
            continue
        sent += 1
    return sent


def _send_digest(
    user: Any, pes: Organisation, follow_ups: list[FollowUp], count: int, as_of: datetime.date
) -> None:
    # In the site's language: users keep no language of their own (a page's is the browser's
    # or the language cookie's, which a command run by a scheduler does not have).
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "pes": pes,
            "follow_ups": follow_ups,
            "count": count,
            "more": count - len(follow_ups),
            "as_of": as_of,
            "grace": settings.FOLLOW_UP_GRACE_DAYS,
        }
        subject = _("Follow-ups due or overdue at %(pes)s: %(count)s") % {
            "pes": pes.name,
            "count": count,
        }
        body = render_to_string("participants/follow_up_digest.txt", context)
    send_mail(subject, body, None, [user.email])
