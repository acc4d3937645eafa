"""When a follow-up falls due, and where it stands: the model's rule and the SQL selector, which
must agree on every boundary."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from crossborder.core.periods import add_months
from crossborder.core.vocabulary import ActionType, ParticipationStatus
from participants.followups import follow_up_rows, follow_ups_due, latest_left_on
from participants.models import FollowUpKind, FollowUpSource, FollowUpState, Participation

pytestmark = pytest.mark.django_db

D = datetime.date
ALL = list(FollowUpState.values)
ON_LEAVING, SIX_MONTHS = FollowUpKind.ON_LEAVING, FollowUpKind.SIX_MONTHS


def sql_states(as_of: datetime.date, **kwargs) -> dict[tuple[int, str], str]:
    return {
        (pk, kind): state
        for pk, kind, _d, state, _r in follow_ups_due(as_of=as_of, states=ALL, **kwargs)
    }


def test_on_leaving_is_due_the_day_they_left_and_overdue_after_28_days(left):
    record = left(D(2026, 8, 31))
    assert record.follow_up_due_on(ON_LEAVING) == D(2026, 8, 31)
    cases = {
        D(2026, 8, 30): FollowUpState.NOT_DUE,
        D(2026, 8, 31): FollowUpState.DUE,
        D(2026, 9, 28): FollowUpState.DUE,  # the 28th day after: still due
        D(2026, 9, 29): FollowUpState.OVERDUE,
    }
    for as_of, state in cases.items():
        assert record.follow_up_state(ON_LEAVING, as_of) == state, as_of
        assert sql_states(as_of)[record.pk, ON_LEAVING] == state, as_of


def test_six_months_from_31_august_is_due_on_28_february(left):
    record = left(D(2026, 8, 31))
    assert record.follow_up_due_on(SIX_MONTHS) == D(2027, 2, 28)
    cases = {
        D(2027, 2, 27): FollowUpState.NOT_DUE,
        D(2027, 2, 28): FollowUpState.DUE,
        D(2027, 3, 28): FollowUpState.DUE,
        D(2027, 3, 29): FollowUpState.OVERDUE,
    }
    for as_of, state in cases.items():
        assert record.follow_up_state(SIX_MONTHS, as_of) == state, as_of
        assert sql_states(as_of)[record.pk, SIX_MONTHS] == state, as_of


def test_six_months_from_31_august_in_a_leap_year_is_due_on_29_february(left):
    record = left(D(2027, 8, 31))
    assert record.follow_up_due_on(SIX_MONTHS) == D(2028, 2, 29)
    assert sql_states(D(2028, 2, 28))[record.pk, SIX_MONTHS] == FollowUpState.NOT_DUE
    assert sql_states(D(2028, 2, 29))[record.pk, SIX_MONTHS] == FollowUpState.DUE


def test_the_last_days_of_august_all_fall_due_at_the_end_of_february(left):
    records = [left(D(2026, 8, day)) for day in (27, 28, 29, 30, 31)]
    states = sql_states(D(2027, 2, 27))
    assert [states[r.pk, SIX_MONTHS] for r in records] == [
        FollowUpState.DUE,
        *[FollowUpState.NOT_DUE] * 4,
    ]
    states = sql_states(D(2027, 2, 28))
    assert [states[r.pk, SIX_MONTHS] for r in records] == [FollowUpState.DUE] * 5


def test_the_cutoff_is_the_last_day_whose_six_months_are_due():
    """latest_left_on against add_months itself, on every day of two years (a leap year)."""
    day = D(2027, 1, 1)
    while day < D(2029, 1, 1):
        cutoff = latest_left_on(SIX_MONTHS, day)
        assert add_months(cutoff, 6) <= day < add_months(cutoff + datetime.timedelta(days=1), 6)
        day += datetime.timedelta(days=1)


def test_the_selector_agrees_with_the_model_around_every_boundary(left):
    """Records who left on the last days of months, long and short, and in between; each
    follow-up's state on days around each boundary, by the model and by SQL."""
    records = [
        left(day)
        for day in (
            D(2026, 1, 31),
            D(2026, 2, 28),
            D(2026, 3, 31),
            D(2026, 4, 30),
            D(2026, 8, 29),
            D(2026, 8, 31),
            D(2026, 9, 1),
            D(2026, 12, 31),
            D(2027, 8, 31),
        )
    ]
    records.append(
        left(
            D(2026, 5, 15),
            leaving_situation="job_seeking",
            leaving_checked_on=D(2026, 5, 20),
            leaving_source=FollowUpSource.SURVEY,
        )
    )
    days = set()
    for record in records:
        for kind in FollowUpKind.values:
            due = record.follow_up_due_on(kind)
            for delta in (-1, 0, 1, 27, 28, 29, 30):
                days.add(due + datetime.timedelta(days=delta))
    for as_of in sorted(days):
        states = sql_states(as_of)
        for record in records:
            for kind in FollowUpKind.values:
                assert states.get((record.pk, kind)) == record.follow_up_state(kind, as_of), (
                    record.left_on(),
                    kind,
                    as_of,
                )


@override_settings(FOLLOW_UP_GRACE_DAYS=7)
def test_the_grace_days_are_the_setting(left):
    record = left(D(2026, 8, 31))
    assert sql_states(D(2026, 9, 7))[record.pk, ON_LEAVING] == FollowUpState.DUE
    assert sql_states(D(2026, 9, 8))[record.pk, ON_LEAVING] == FollowUpState.OVERDUE


def test_no_follow_up_for_who_did_not_start_nor_after_a_fair(left, project):
    interested = left(D(2026, 8, 31), status=ParticipationStatus.INTERESTED)
    fair = left(D(2026, 8, 31), action_type=ActionType.JOB_FAIR)
    completed_early = left(
        D(2026, 8, 31), status=ParticipationStatus.COMPLETED, completed_on=D(2026, 8, 10)
    )
    states = sql_states(D(2026, 8, 31))
    assert (interested.pk, ON_LEAVING) not in states
    assert (fair.pk, ON_LEAVING) not in states
    # The day they completed, not the action's end: 21 days ago, still due.
    assert states[completed_early.pk, ON_LEAVING] == FollowUpState.DUE
    assert sql_states(D(2026, 9, 8))[completed_early.pk, ON_LEAVING] == FollowUpState.OVERDUE


def test_the_worklist_states_are_due_and_overdue_the_overdue_first(left, le_forem):
    recent = left(D(2026, 8, 20))
    late = left(D(2026, 6, 1))
    left(D(2026, 12, 1))  # not yet due
    left(
        D(2026, 8, 1),
        leaving_situation="inactive",
        leaving_checked_on=D(2026, 8, 2),
        leaving_source=FollowUpSource.PES_REGISTER,
    )  # done, and six months on not yet due
    other_pes = left(D(2026, 8, 20), pes=le_forem)
    rows = follow_up_rows(follow_ups_due(as_of=D(2026, 9, 1), pes=late.pes))
    assert [(r.participation.pk, r.kind, r.state, r.due_on) for r in rows] == [
        (late.pk, ON_LEAVING, FollowUpState.OVERDUE, D(2026, 6, 1)),
        (recent.pk, ON_LEAVING, FollowUpState.DUE, D(2026, 8, 20)),
    ]
    assert other_pes.pk not in {r.participation.pk for r in rows}


def test_kind_and_participations_narrow_the_list(left):
    record = left(D(2026, 2, 1))
    other = left(D(2026, 2, 1))
    rows = list(
        follow_ups_due(
            as_of=D(2026, 9, 1),
            kind=SIX_MONTHS,
            participations=Participation.objects.filter(pk=record.pk),
        )
    )
    assert [(pk, kind) for pk, kind, *_rest in rows] == [(record.pk, SIX_MONTHS)]
    assert other.pk


def test_the_list_is_one_query(left, django_assert_num_queries):
    for day in range(1, 6):
        left(D(2026, 3, day))
    with django_assert_num_queries(1):
        assert len(list(follow_ups_due(as_of=D(2026, 9, 30)))) == 10
