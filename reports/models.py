"""The reports' rollups: the facts of the outcomes report summed per action and PES, kept exact
by every write (reports.rollups), so that a report reads a few thousand rows instead of a
million participation records.

- FactRollup: one row per action and PES (PES None: unsplit figures and employers present)
  that has any fact. Every measure the facts carry (m_<metric>), which figure metrics are lower
  bounds (b_<metric>), the number of facts and of participation records, the jobseekers who
  count for `people` as a compressed bitmap of their ids, the completed records RCR81 leaves out
  (`repeat_completions`), and the follow-ups whose reading no longer moves with the report's
  day: per follow-up kind, the records in each situation, those left to the action's dates
  (`by_action`) and those overdue (r_<kind>_<code>).
- OpenFollowUp: the records whose follow-up reading still moves with the report's day (due or
  not yet due on the horizon, or checked after it), grouped by the columns that decide it; the
  reports read them through the same rule as the participation records themselves.
- DirtyAction: the actions written since their rollup rows were made: marked in the writer's
  own transaction, so a report never reads a stale row (it reads the records of a marked action
  instead); reports.rollups.refresh_dirty makes their rows again and takes the marks away.
- RollupCell and CellMember: the rows of settled actions that share every column a report
  groups or decides by, summed per block of such actions and PES: a report reads a few
  thousand cells however many actions there are.
- RollupState: the horizon, the day from which the rollups answer: a follow-up settled on the
  horizon stays settled on every later day, one before it is not known to the rollups. A
  report as of an earlier day reads the records themselves.

The metric, bound and follow-up columns are made from the registries (crossborder.core.metrics,
Participation.FOLLOW_UP_FIELDS): a new metric or situation needs `makemigrations reports`, like
the figures' choices.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crossborder.core.metrics import DERIVED_METRICS, SUMMED_METRICS
from participants.models import FollowUpState, Participation

# Every measure a fact carries (reports.selectors.FACT_METRICS): the figure metrics, then the
# measures derived from them.
ROLLUP_METRICS: tuple[str, ...] = (*SUMMED_METRICS, *DERIVED_METRICS)
# What an open follow-up reads when the action's dates decide (no day of completion recorded).
BY_ACTION = "by_action"


def situations_of(kind: str) -> tuple[str, ...]:
    """The situations a follow-up of this kind may record (the field's choices)."""
    field = Participation._meta.get_field(Participation.FOLLOW_UP_FIELDS[kind][0])
    assert isinstance(field, models.CharField)
    return tuple(str(value) for value, _label in field.choices or ())


def settled_codes(kind: str) -> tuple[str, ...]:
    """The readings of a follow-up of this kind that no later day changes: its situations,
    `by_action` and overdue (an overdue follow-up stays overdue until it is recorded, and a
    record's write refreshes its rollup)."""
    return (*situations_of(kind), BY_ACTION, FollowUpState.OVERDUE.value)


def code_column(kind: str, code: str) -> str:
    return f"r_{kind}_{code}"


class FactRollup(models.Model):
    # No database constraint: the rows of a deleted action go with its post_delete
    # (reports.rollups), after the records whose own deletion refreshed them.
    action = models.ForeignKey(
        "actions.Action", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    pes = models.ForeignKey(
        "projects.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    facts = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    # pyroaring's portable serialisation of the ids of the jobseekers who count for `people`.
    people = models.BinaryField(null=True)
    # The completed records that RCR81 counts once per person and action (reports.indicators.
    # repeated_completions): those of a jobseeker with the pseudonymous key of another, of a
    # lower id, who completed the same action. Computed over the whole action whatever its type
    # (which the rollups do not follow), so that the reports look at the records of an action
    # only where it is not 0.
    repeat_completions = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup of an action's facts")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "pes"],
                condition=models.Q(pes__isnull=False),
                name="rollup_one_row_per_action_and_pes",
            ),
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(pes__isnull=True),
                name="rollup_one_row_per_action_without_pes",
            ),
        ]

    def __str__(self) -> str:
        return f"action {self.action_id}, PES {self.pes_id}"


class RollupCell(models.Model):
    """The rollup rows of a block of settled actions (CellMember) with one PES, summed: the
    actions of a block share every column a report groups or decides by (project, year,
    semester, type, sector, status, and whether they have a day of leaving), and no later day
    changes what any of them reads (reports.selectors.settled_action_sql), so a report takes
    the whole block as one action. `left_on`: the latest day any of them left, which reads the
    same as each of theirs from the horizon on; `actions`: the ids of the block's actions with
    facts of this PES (with PES None, also those without any fact), as a bitmap like `people`."""

    block = models.BigIntegerField()
    pes = models.ForeignKey(
        "projects.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    year = models.SmallIntegerField()
    semester = models.CharField(max_length=7, blank=True)
    action_type = models.CharField(max_length=20)
    sector = models.ForeignKey(
        "actions.Sector",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    status = models.CharField(max_length=12)
    left_on = models.DateField(null=True)
    facts = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    people = models.BinaryField(null=True)
    actions = models.BinaryField()
    # The number of `actions`, and, on one cell of each block, the number of the block's
    # actions (0 on the others): the reports count actions by them, without the bitmaps,
    # unless only some PES are asked and the actions are not counted per PES.
    action_count = models.PositiveIntegerField(default=0)
    block_actions = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup of a block of settled actions")
        indexes = [models.Index(fields=["block"], name="rollup_cell_by_block")]

    def __str__(self) -> str:
        return f"block {self.block}, PES {self.pes_id}"


class CellMember(models.Model):
    """A settled action summed in the cells of its block (RollupCell.block: the smallest id of
    the block's actions). A block answers a report only when every one of its actions is
    selected and none is marked; the report reads the others' rollup rows."""

    action_id = models.BigIntegerField(primary_key=True)
    block = models.BigIntegerField()
    # The number of the block's actions: a report whose selection counts that many of them,
    # none marked, reads the block's cells.
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("action summed in a block of the rollups")
        indexes = [models.Index(fields=["block"], name="rollup_member_by_block")]

    def __str__(self) -> str:
        return f"action {self.action_id} in block {self.block}"


for _model in (FactRollup, RollupCell):
    for _metric in ROLLUP_METRICS:
        models.BigIntegerField(default=0).contribute_to_class(_model, f"m_{_metric}")
    for _metric in SUMMED_METRICS:
        models.BooleanField(default=False).contribute_to_class(_model, f"b_{_metric}")
    for _kind in Participation.FOLLOW_UP_FIELDS:
        for _code in settled_codes(_kind):
            models.PositiveIntegerField(default=0).contribute_to_class(
                _model, code_column(_kind, _code)
            )


class OpenFollowUp(models.Model):
    """Participation records of one action and PES whose follow-up reading moves with the
    report's day, grouped by what decides it (the same columns as the records')."""

    action = models.ForeignKey(
        "actions.Action", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    pes = models.ForeignKey(
        "projects.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=20)
    completed_on = models.DateField(null=True)
    leaving_situation = models.CharField(max_length=20, blank=True)
    leaving_checked_on = models.DateField(null=True)
    six_month_situation = models.CharField(max_length=20, blank=True)
    six_month_checked_on = models.DateField(null=True)
    records = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("open follow-ups of an action")
        indexes = [models.Index(fields=["action"], name="rollup_open_by_action")]

    def __str__(self) -> str:
        return f"action {self.action_id}, PES {self.pes_id}: {self.records}"


class DirtyAction(models.Model):
    """An action whose rollup rows may no longer hold; `marked_at` moves on every write, so that
    a refresh taking the mark away waits for the writer's transaction (reports.rollups)."""

    action_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("action to refresh in the rollups")

    def __str__(self) -> str:
        return f"action {self.action_id}"


class RollupState(models.Model):
    """One row: the rollups' horizon, and when they were last rebuilt from the records. No row:
    the rollups are not built, and every report reads the records."""

    horizon = models.DateField()
    # A new random token in every refresh that made rows again and every rebuild: part of the key
    # of the answers kept in the cache (reports.answers). Empty, as the migrations make the state:
    # no answer is kept until the first refresh or rebuild.
    answers_token = models.CharField(max_length=32, blank=True, default="")
    rebuilt_at = models.DateTimeField(null=True)
    checked_at = models.DateTimeField(null=True)
    differences = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = _("state of the rollups")

    def __str__(self) -> str:
        return f"horizon {self.horizon}"
