"""The one write of a follow-up, and its bulk form."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.services import ItemProblem, PushRefused
from crossborder.core.versions import StaleVersion
from crossborder.core.vocabulary import ParticipationStatus
from participants.followups import FollowUpItem, follow_up_record, follow_ups_record_bulk
from participants.models import FollowUpKind, FollowUpSource, Participation
from projects.models import PeriodStatus, ReportingPeriod

pytestmark = pytest.mark.django_db

D = datetime.date
LEFT = D(2026, 6, 30)
ON_LEAVING, SIX_MONTHS = FollowUpKind.ON_LEAVING, FollowUpKind.SIX_MONTHS
REGISTER = FollowUpSource.PES_REGISTER


CHECKED = D(2026, 7, 6)


def record(participation, kind=ON_LEAVING, situation="employed", day=CHECKED, **kwargs):
    return follow_up_record(
        participation=participation,
        kind=kind,
        situation=situation,
        checked_on=day,
        source=kwargs.pop("source", REGISTER),
        user=kwargs.pop("user", None),
        **kwargs,
    )


def lock(participation) -> None:
    action = participation.action
    period = ReportingPeriod.objects.create(
        project=action.project, year=action.year, semester=action.semester, pes=participation.pes
    )
    ReportingPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.SUBMITTED)


def test_in_work_on_leaving_sets_the_date_of_work_found(left, coordinator):
    participation = left(LEFT)
    record(participation, user=coordinator)
    stored = Participation.objects.get(pk=participation.pk)
    assert (stored.leaving_situation, stored.leaving_checked_on, stored.leaving_source) == (
        "employed",
        D(2026, 7, 6),
        REGISTER,
    )
    assert stored.placed_on == D(2026, 7, 6)
    assert stored.version == 2
    entry = stored.history.first()
    assert entry.history_change_reason == "follow-up on_leaving recorded"
    assert entry.history_user == coordinator


def test_self_employed_is_in_work_too_but_a_known_hire_stays_the_work_found(left):
    participation = left(LEFT)
    record(participation, situation="self_employed")
    assert Participation.objects.get(pk=participation.pk).placed_on == D(2026, 7, 6)
    hired = left(LEFT, hired_on=D(2026, 7, 1))
    record(hired)
    assert Participation.objects.get(pk=hired.pk).placed_on is None


def test_six_months_in_work_leaves_the_date_of_work_found_alone(left):
    participation = left(D(2026, 1, 31))
    record(participation, kind=SIX_MONTHS, day=D(2026, 7, 31))
    stored = Participation.objects.get(pk=participation.pk)
    assert (stored.six_month_situation, stored.placed_on) == ("employed", None)


def test_a_situation_that_contradicts_work_found_is_refused(left):
    participation = left(LEFT, placed_on=D(2026, 7, 1))
    with pytest.raises(ValidationError) as refused:
        record(participation, situation="job_seeking")
    assert refused.value.message_dict == {
        "situation": [
            "Contradicts the record: found work on 2026-07-01, before this check. Give the"
            " situation in work, or correct the date of work found."
        ]
    }
    assert Participation.objects.get(pk=participation.pk).leaving_situation == ""


def test_a_situation_of_the_other_kind_is_refused(left):
    with pytest.raises(ValidationError) as refused:
        record(left(LEFT), situation="better_situation")
    assert list(refused.value.message_dict) == ["situation"]


def test_a_situation_without_its_date_is_refused_by_part(left):
    with pytest.raises(ValidationError) as refused:
        record(left(LEFT), day=None)
    assert list(refused.value.message_dict) == ["checked_on"]


def test_a_locked_period_refuses_the_follow_up(left):
    participation = left(LEFT)
    lock(participation)
    with pytest.raises(ValidationError) as refused:
        record(participation)
    assert "is submitted" in refused.value.messages[0]
    assert Participation.objects.get(pk=participation.pk).leaving_situation == ""


def test_a_stale_version_is_refused(left):
    participation = left(LEFT)
    shown = Participation.objects.get(pk=participation.pk)
    record(participation, kind=SIX_MONTHS, day=D(2026, 12, 30) - datetime.timedelta(days=31))
    with pytest.raises(StaleVersion):
        record(shown, expected_version=1)
    assert Participation.objects.get(pk=participation.pk).leaving_situation == ""


def test_an_interested_jobseeker_has_no_follow_up(left):
    participation = left(LEFT, status=ParticipationStatus.INTERESTED)
    with pytest.raises(ValidationError) as refused:
        record(participation)
    assert refused.value.message_dict["situation"] == [
        "Only for a jobseeker who started: change the status first."
    ]


def test_an_unknown_kind_is_refused(left):
    with pytest.raises(ValidationError) as refused:
        record(left(LEFT), kind="someday")
    assert list(refused.value.message_dict) == ["kind"]


def test_the_bulk_write_records_both_kinds_of_one_record(left, coordinator):
    participation = left(D(2026, 1, 31))
    follow_ups_record_bulk(
        items=[
            FollowUpItem(participation, ON_LEAVING, "employed", D(2026, 2, 3), REGISTER),
            FollowUpItem(participation, SIX_MONTHS, "employed", D(2026, 7, 31), REGISTER),
        ],
        user=coordinator,
    )
    stored = Participation.objects.get(pk=participation.pk)
    assert (stored.leaving_situation, stored.six_month_situation, stored.placed_on) == (
        "employed",
        "employed",
        D(2026, 2, 3),
    )
    assert stored.version == 2
    assert stored.history.first().history_user == coordinator


def test_the_bulk_write_is_all_or_nothing_with_every_problem_by_item(left):
    good = left(LEFT)
    placed = left(LEFT, placed_on=D(2026, 7, 1))
    locked = left(D(2025, 10, 31))  # 2025-S2
    lock(locked)
    items = [
        FollowUpItem(good, ON_LEAVING, "employed", D(2026, 7, 6), REGISTER),
        FollowUpItem(placed, ON_LEAVING, "inactive", D(2026, 7, 6), REGISTER),
        FollowUpItem(good, ON_LEAVING, "employed", D(2026, 7, 6), REGISTER),
        FollowUpItem(locked, ON_LEAVING, "employed", D(2025, 11, 2), REGISTER),
        FollowUpItem(placed, SIX_MONTHS, "employed", None, REGISTER),
    ]
    with pytest.raises(PushRefused) as refused:
        follow_ups_record_bulk(items=items, user=None)
    assert refused.value.problems == [
        ItemProblem(2, "kind", "Items 0 and 2 are the same record; send each record once.")
    ]
    del items[2]
    with pytest.raises(PushRefused) as refused:
        follow_ups_record_bulk(items=items, user=None)
    problems = [(p.index, p.field) for p in refused.value.problems]
    assert problems == [(1, "situation"), (2, "non_field_errors"), (3, "checked_on")]
    assert "is submitted" in refused.value.problems[1].message
    assert not Participation.objects.exclude(leaving_situation="").exists()
    assert Participation.objects.get(pk=good.pk).version == 1


def test_the_bulk_write_is_a_fixed_number_of_queries(left):
    def queries(count: int) -> int:
        records = [left(LEFT) for _ in range(count)]
        items = [FollowUpItem(r, ON_LEAVING, "education", D(2026, 7, 6), REGISTER) for r in records]
        with CaptureQueriesContext(connection) as captured:
            follow_ups_record_bulk(items=items, user=None)
        return len(captured)

    assert queries(2) == queries(12)
