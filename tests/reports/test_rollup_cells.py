"""The rollups' cells (reports.models.RollupCell, CellMember): the rollup rows of settled actions
that share every column a report groups or decides by, summed per block of such actions and PES.
A report reads a block's cells only when every action of the block is selected and none is
marked, and then gives the same answer as the records; every write that changes an action's
block or facts moves it out of its block until the refresh sums it again."""

from __future__ import annotations

import datetime
import os
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from actions.models import Action
from crossborder.core.vocabulary import ActionStatus, ActionType, ParticipationStatus
from participants.models import Participation
from reports import rollups
from reports.models import CellMember, DirtyAction, FactRollup, RollupCell
from reports.selectors import action_outcomes, outcomes
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()
GROUPINGS = [[], ["year"], ["pes"], ["project", "pes"], ["action_type", "status"], ["sector"]]


def from_records(**kwargs):
    with override_settings(REPORT_ROLLUPS=False):
        return outcomes(**kwargs)


def same_as_records(**kwargs) -> None:
    for group_by in GROUPINGS:
        assert outcomes(group_by=group_by, **kwargs) == from_records(group_by=group_by, **kwargs)


def blocks() -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for action_id, block in CellMember.objects.values_list("action_id", "block"):
        found.setdefault(block, set()).add(action_id)
    return found


@pytest.fixture
def project():
    return ProjectFactory(slug="p1")


@pytest.fixture
def three_jobdatings(project, vdab, le_forem):
    """Three jobdatings of one project and semester, done long ago: one block. The first has
    records of VDAB, the second a figure of Le Forem, the third no fact at all."""
    actions = [ActionFactory(project=project, start_date=D(2017, 11, day)) for day in (20, 21, 28)]
    for _n in range(2):
        ParticipationFactory(action=actions[0], jobseeker=JobseekerFactory(pes=vdab))
    FigureFactory(action=actions[1], pes=le_forem, value=5)
    rollups.rebuild()
    assert rollups.check() == []
    return actions


def test_settled_actions_of_one_kind_are_one_block_with_a_cell_per_pes(three_jobdatings, vdab):
    first, second, third = three_jobdatings
    assert blocks() == {first.pk: {first.pk, second.pk, third.pk}}
    cells = {cell.pes_id: cell for cell in RollupCell.objects.all()}
    assert set(cells) == {vdab.pk, second.figures.get().pes_id, None}
    assert cells[vdab.pk].m_starts == 2 and cells[vdab.pk].records == 2
    # The action without any fact counts in the cell without PES.
    assert cells[None].facts == 0
    assert cells[None].left_on == D(2017, 11, 28)
    # The actions counted without the bitmaps: per cell, and the block's on one of them.
    assert [(c.action_count, c.block_actions) for c in cells.values()] in (
        [(1, 0), (1, 0), (1, 3)],
        [(1, 3), (1, 0), (1, 0)],
    )
    table = outcomes(group_by=["pes"])
    assert [(row["pes"], row["actions"], row["starts"]) for row in table.rows] == [
        ("le-forem", 1, 5),
        ("vdab", 1, 2),
        (None, 1, 0),
    ]
    assert table.totals["actions"] == 3 and table.totals["people"] == 2
    same_as_records()
    # Some PES, the actions not counted per PES: from the bitmaps.
    same_as_records(filters={"pes": ["vdab", "le-forem"]})
    assert outcomes(filters={"pes": ["vdab", "le-forem"]}).totals["actions"] == 2


@pytest.mark.skipif(
    os.environ.get("ROLLUP_CROSSCHECK") == "1",
    reason="the crosscheck rebuilds the rollups for each table: the changed cell goes",
)
def test_the_report_reads_the_cells(three_jobdatings, vdab):
    """A cell changed behind the rollups' back changes the report (so it is what the report
    reads), and the check names it."""
    RollupCell.objects.filter(pes=vdab).update(m_starts=40)
    assert outcomes().totals["starts"] == 45
    assert [(d.pes_id, d.what, d.kept, d.computed) for d in rollups.check()] == [
        (vdab.pk, "cell m_starts", 40, 2)
    ]


def test_a_block_partly_selected_is_read_action_by_action(three_jobdatings, project):
    first = three_jobdatings[0]
    for filters in (
        {"date_from": "2017-11-21"},
        {"date_to": "2017-11-20"},
        {"date_from": "2017-11-21", "pes": ["le-forem"]},
    ):
        same_as_records(filters=filters)
    assert outcomes(filters={"date_to": "2017-11-20"}).totals["starts"] == 2
    # A selection that matches nothing takes no block.
    same_as_records(filters={"date_from": "2030-01-01"})
    assert outcomes(filters={"date_from": "2030-01-01"}).totals["actions"] == 0
    same_as_records(filters={"action": [first.reference]})
    assert outcomes(filters={"action": [first.reference]}).totals["actions"] == 1


def test_a_marked_action_takes_its_block_out_until_the_refresh(three_jobdatings, vdab):
    first = three_jobdatings[0]
    ParticipationFactory(action=first, jobseeker=JobseekerFactory(pes=vdab))
    assert DirtyAction.objects.filter(action_id=first.pk).exists()
    # The stale cell is not read: the marked action's records and its block's other rows are.
    assert outcomes().totals["starts"] == 8
    same_as_records()
    rollups.refresh_dirty()
    assert RollupCell.objects.get(pes=vdab).m_starts == 3
    assert blocks() == {first.pk: {a.pk for a in three_jobdatings}}
    assert rollups.check() == []
    same_as_records()


@pytest.mark.parametrize(
    "change",
    [
        {"status": ActionStatus.CANCELLED, "cancellation_reason": "No employer came."},
        {"action_type": ActionType.COMPANY_VISIT},
        {"start_date": D(2018, 2, 1), "year": 2018, "semester": "2018-S1"},
    ],
)
def test_an_action_saved_with_other_columns_moves_to_another_block(three_jobdatings, change):
    first, second, third = three_jobdatings
    for name, value in change.items():
        setattr(second, name, value)
    second.save()
    assert DirtyAction.objects.filter(action_id=second.pk).exists()
    same_as_records()
    rollups.refresh_dirty()
    assert sorted(blocks().values(), key=min) == [{first.pk, third.pk}, {second.pk}]
    assert rollups.check() == []
    same_as_records()


def test_an_action_saved_as_it_was_is_not_marked(three_jobdatings):
    action = Action.objects.get(pk=three_jobdatings[1].pk)
    action.title = "Another title"
    action.save()
    assert not DirtyAction.objects.exists()


def test_an_action_still_moving_is_in_no_block(project, vdab):
    """Ongoing or planned, ended too lately for its open follow-ups to be overdue, its outcomes
    expected later, or a record's follow-up still open: read action by action."""
    recent = TODAY - datetime.timedelta(days=20)
    moving = [
        ActionFactory(project=project, status=ActionStatus.ONGOING, start_date=D(2017, 11, 1)),
        ActionFactory(project=project, status=ActionStatus.PLANNED, start_date=D(2017, 11, 2)),
        ActionFactory(project=project, start_date=recent),
        ActionFactory(
            project=project, start_date=D(2017, 11, 3), outcomes_expected_on=TODAY + D.resolution
        ),
    ]
    open_one = ActionFactory(
        project=project, start_date=TODAY - datetime.timedelta(days=90), end_date=recent
    )
    ParticipationFactory(
        action=open_one,
        jobseeker=JobseekerFactory(pes=vdab),
        status=ParticipationStatus.COMPLETED,
        completed_on=recent,
    )
    settled = ActionFactory(project=project, start_date=D(2017, 11, 4))
    ParticipationFactory(action=settled, jobseeker=JobseekerFactory(pes=vdab))
    rollups.rebuild()
    assert blocks() == {settled.pk: {settled.pk}}
    assert rollups.check() == []
    assert not CellMember.objects.filter(action_id__in=[a.pk for a in [*moving, open_one]])
    for as_of in (TODAY, TODAY + datetime.timedelta(days=400)):
        same_as_records(as_of=as_of)


def test_a_deleted_action_takes_its_block_and_the_others_are_summed_again(three_jobdatings):
    first, second, third = three_jobdatings
    first.delete()
    assert not RollupCell.objects.exists() and not CellMember.objects.exists()
    assert set(DirtyAction.objects.values_list("action_id", flat=True)) == {second.pk, third.pk}
    same_as_records()
    rollups.refresh_dirty()
    assert blocks() == {second.pk: {second.pk, third.pk}}
    assert rollups.check() == []
    same_as_records()


def test_approved_periods_only_and_one_row_per_action_read_no_cell(three_jobdatings):
    """A block's actions may have approved facts of some PES only, and a cell is no action:
    both read the actions' own rows (a wrong cell changes nothing there)."""
    RollupCell.objects.update(m_starts=999)
    same_as_records(filters={"approved": "true"})
    with override_settings(REPORT_ROLLUPS=False):
        expected = action_outcomes()
    assert action_outcomes() == expected
    assert [row["starts"] for row in expected[0]] == [2, 5, 0]


def test_the_check_names_a_block_that_no_longer_holds(three_jobdatings):
    first, second, _third = three_jobdatings
    # Behind the rollups' back (no signal): the action is ongoing again, its block stale.
    Action.objects.filter(pk=second.pk).update(status=ActionStatus.ONGOING)
    (difference,) = rollups.check()
    assert (difference.action_id, difference.what) == (first.pk, "settled members")
    rollups.rebuild()
    assert rollups.check() == []
    assert blocks() == {first.pk: {first.pk, three_jobdatings[2].pk}}


def test_a_rebuild_makes_the_cells_of_the_records_as_they_stand(three_jobdatings, vdab):
    """The cells come from the rows of the same rebuild, even when the records changed without
    a mark (a bulk write that told no one)."""
    Participation.objects.bulk_create(
        [Participation(action=three_jobdatings[2], jobseeker=JobseekerFactory(pes=vdab), pes=vdab)]
    )
    rollups.rebuild()
    assert rollups.check() == []
    assert RollupCell.objects.get(pes=vdab).m_starts == 3
    assert FactRollup.objects.filter(action=three_jobdatings[2]).get().m_starts == 1
    same_as_records()


def test_a_report_over_blocks_is_still_one_statement(three_jobdatings, django_assert_num_queries):
    """Besides the rollups' standing (reports.answers)."""
    with django_assert_num_queries(2):
        outcomes(group_by=["project"])
    with django_assert_num_queries(2):
        outcomes(group_by=["pes"])


def test_the_command_and_the_metrics_count_the_cells(three_jobdatings, capsys):
    from crossborder.monitoring import _rollup_lag

    call_command("rollups")
    assert "3 settled actions summed in 3 cells" in capsys.readouterr().out
    gauges = {family.name: family.samples[0].value for family in _rollup_lag()}
    assert gauges["crossborder_rollup_cell_actions"] == 3
    RollupCell.objects.filter(pes=None).update(records=4)
    with pytest.raises(CommandError, match="differ from the records in 1 places"):
        call_command("rollups", "--check")
    block = three_jobdatings[0].pk
    assert f"block {block}, PES None, cell records: kept 4, from the records 0" in (
        capsys.readouterr().out
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_block_summed_while_another_of_its_actions_is_written(project, vdab, monkeypatch):
    """The refresh of one action sums its block again while a writer of another action of the
    block has not committed: the block takes that action's rows as committed, and the writer's
    mark, once committed, keeps the block out of every report until that action's refresh."""
    monkeypatch.setattr(rollups, "_after_commit", lambda: None)
    first, second = (ActionFactory(project=project, start_date=D(2017, 11, d)) for d in (20, 21))
    for action in (first, second):
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    rollups.rebuild()
    assert blocks() == {first.pk: {first.pk, second.pk}}
    ParticipationFactory(action=first, jobseeker=JobseekerFactory(pes=vdab))
    jobseeker = JobseekerFactory(pes=vdab)
    written, refreshed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                ParticipationFactory(action=second, jobseeker=jobseeker)
                written.set()
                assert refreshed.wait(timeout=10)
        except BaseException as error:  # reported to the test's thread
            errors.append(error)
        finally:
            written.set()
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(timeout=10)
    # The first action's mark only: the second's is the writer's, not committed.
    assert rollups.refresh_dirty() == 1
    refreshed.set()
    thread.join(timeout=10)
    assert not errors
    assert list(DirtyAction.objects.values_list("action_id", flat=True)) == [second.pk]
    assert outcomes().totals["starts"] == 4
    same_as_records()
    rollups.refresh_dirty()
    assert rollups.check() == []
    assert RollupCell.objects.get(pes=vdab).m_starts == 4
    same_as_records()
