"""The upkeep of the reports' rollups (reports.models): marking, refreshing, rebuilding, checking.

Exact at every moment, by two rules:
- Every write of a fact (a figure, a participation record, an employer present, an employer's
  kind, a jobseeker's pseudonymous key) marks its action in the writer's own transaction
  (DirtyAction): the model signals for single writes, crossborder.core.facts for the bulk paths.
  The reports (reports.selectors) read the rollup rows of the unmarked actions and the records
  themselves of the marked ones, in one statement, so a report never reads a row its action's
  writes have outdated.
- refresh_dirty takes marks away and makes those actions' rows again, in one transaction: the
  marks are deleted first, which waits for any writer still holding one (the mark's row moves
  on every write), and the rows are computed by the next statements, which see what that writer
  committed; a write after the deletion marks the action again once the refresh commits.

After a commit that marked actions, `rollups_marked` is sent: the queue's receiver runs
refresh_dirty on a worker (crossborder.jobs.tasks), or here and now without a broker. A beat
task refreshes every minute what was left, and rebuilds every night with a new horizon.
"""

from __future__ import annotations

import datetime
import itertools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Field, Model
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import Signal
from django.utils import timezone
from pyroaring import BitMap

from actions.models import Action, ActionEmployer, Figure
from crossborder.core.facts import facts_written
from crossborder.core.metrics import PEOPLE, REGISTRY, SUMMED_METRICS
from crossborder.core.periods import FIRST_YEAR
from participants.models import Jobseeker, Participation
from projects.models import Organisation

from .indicators import repeated_completions
from .models import (
    ROLLUP_METRICS,
    CellMember,
    DirtyAction,
    FactRollup,
    OpenFollowUp,
    RollupCell,
    RollupState,
    code_column,
    settled_codes,
)
from .selectors import (
    CELL_KEY,
    _column,
    _facts,
    _record_condition,
    _Statement,
    settled_action_sql,
    settled_sql,
)

# Sent after the commit of a transaction that marked actions.
rollups_marked = Signal()
# The first day any fact may carry: a horizon before it leaves nothing out.
FIRST_DAY = datetime.date(FIRST_YEAR, 1, 1)
# Actions made again per transaction by refresh_dirty: a write waits at most for that many.
REFRESH_BATCH = 500
OPEN_COLUMNS: tuple[str, ...] = (
    "status",
    "completed_on",
    "leaving_situation",
    "leaving_checked_on",
    "six_month_situation",
    "six_month_checked_on",
)


def _alias() -> str:
    return router.db_for_write(FactRollup)


def mark(action_ids: Iterable[int]) -> None:
    """Mark these actions in the current transaction (see the module's rules)."""
    ids = sorted(set(action_ids))
    if not ids:
        return
    alias = _alias()
    now = timezone.now()
    table = DirtyAction._meta.db_table
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (action_id, marked_at) VALUES "
            + ", ".join(["(%s, %s)"] * len(ids))
            + " ON CONFLICT (action_id) DO UPDATE SET marked_at = excluded.marked_at",
            [value for action_id in ids for value in (action_id, now)],
        )
    connection = connections[alias]
    if not any(entry[1] is _after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_after_commit, using=alias)


def _after_commit() -> None:
    rollups_marked.send(sender=None)


@dataclass
class Computed:
    """The rollup rows of some actions, as refresh and check write and compare them."""

    rows: list[dict[str, Any]]
    open: list[dict[str, Any]]


def compute(action_ids: Sequence[int] | None, horizon: datetime.date, alias: str) -> Computed:
    """The rollup rows of these actions (None: all), from their facts: four statements."""
    actions = Action.objects.using(alias).order_by()
    records = Participation.objects.using(alias)
    if action_ids is not None:
        actions = actions.filter(pk__in=action_ids)
        records = records.filter(action_id__in=action_ids)
    rows = _main_rows(actions, horizon, alias)
    repeats = repeated_completions(records)
    for row, people in zip(rows, _people(actions, rows, alias), strict=True):
        row["people"] = people
        row["repeat_completions"] = repeats.get((row["action_id"], row["pes_id"]), 0)
    return Computed(rows=rows, open=_open_rows(actions, horizon, alias))


def _main_rows(actions: Any, horizon: datetime.date, alias: str) -> list[dict[str, Any]]:
    statement = _Statement(actions)
    facts = _facts(statement, people=False, approved=False, as_of=horizon, settled_on=horizon)
    columns = [
        "SUM(f.fact) AS facts",
        "SUM(f.is_record) AS records",
        *[f"SUM(f.m_{metric}) AS m_{metric}" for metric in ROLLUP_METRICS],
        *[
            f"MAX(CASE WHEN f.bound = '{metric}' THEN 1 ELSE 0 END) AS b_{metric}"
            for metric in SUMMED_METRICS
        ],
    ]
    for kind in Participation.FOLLOW_UP_FIELDS:
        for code in settled_codes(kind):
            columns.append(
                f"SUM(CASE WHEN f.settled = 1 AND f.c_{kind} = '{code}'"
                f" THEN f.is_record ELSE 0 END) AS {code_column(kind, code)}"
            )
    sql = (
        f"{statement.sel} SELECT f.action_id AS action_id, f.pes_id AS pes_id,"
        f" {', '.join(columns)} FROM ({facts}) f"
        " GROUP BY f.action_id, f.pes_id HAVING SUM(f.fact) > 0"
        " ORDER BY f.action_id, f.pes_id"
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, statement.params)
        names = [column[0] for column in cursor.description]
        return [_typed(dict(zip(names, values, strict=True))) for values in cursor.fetchall()]


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    for name, value in row.items():
        if name.startswith("b_"):
            row[name] = bool(value)
        elif name not in ("action_id", "pes_id") and value is not None:
            row[name] = int(value)
    return row


def _people(actions: Any, rows: list[dict[str, Any]], alias: str) -> list[bytes | None]:
    """The ids of the jobseekers who count for `people`, per row, as serialised bitmaps (None
    where none does): one statement. PostgreSQL gathers each row's ids in an array (a row per
    action and PES to read instead of one per record); elsewhere the records come in order."""
    rule = REGISTRY[PEOPLE].record
    assert rule is not None
    statement = _Statement(actions)
    records = (
        f" FROM {Participation._meta.db_table} p"
        f" WHERE p.action_id IN (SELECT id FROM sel) AND {_record_condition(rule)}"
    )
    found: dict[tuple[int, int], bytes] = {}
    with connections[alias].cursor() as cursor:
        if connections[alias].vendor == "postgresql":
            cursor.execute(
                f"{statement.sel} SELECT p.action_id, p.pes_id, array_agg(p.jobseeker_id)"
                f"{records} GROUP BY p.action_id, p.pes_id",
                statement.params,
            )
            for action_id, pes_id, ids in cursor.fetchall():
                found[(action_id, pes_id)] = BitMap(ids).serialize()
        else:
            cursor.execute(
                f"{statement.sel} SELECT p.action_id, p.pes_id, p.jobseeker_id{records}"
                " ORDER BY p.action_id, p.pes_id",
                statement.params,
            )
            for key, group in itertools.groupby(cursor.fetchall(), key=lambda r: (r[0], r[1])):
                found[key] = BitMap(jobseeker for _a, _p, jobseeker in group).serialize()
    return [found.get((row["action_id"], row["pes_id"])) for row in rows]


def _open_rows(actions: Any, horizon: datetime.date, alias: str) -> list[dict[str, Any]]:
    statement = _Statement(actions)
    columns = ", ".join(f"p.{_column(Participation, name)}" for name in OPEN_COLUMNS)
    sql = (
        f"{statement.sel} SELECT p.action_id, p.pes_id, {columns}, COUNT(*)"
        f" FROM {Participation._meta.db_table} p"
        f" WHERE p.action_id IN (SELECT id FROM sel) AND NOT ({settled_sql(statement, horizon)})"
        f" GROUP BY p.action_id, p.pes_id, {columns} ORDER BY p.action_id, p.pes_id"
    )
    names = ["action_id", "pes_id", *OPEN_COLUMNS, "records"]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, statement.params)
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _write(computed: Computed, alias: str) -> None:
    _insert(FactRollup, computed.rows, alias)
    _insert(OpenFollowUp, computed.open, alias)


def _insert(model: type[Model], rows: list[dict[str, Any]], alias: str) -> None:
    """Insert the rows: by COPY on PostgreSQL (a rebuild writes hundreds of thousands at ten
    million records), bulk_create elsewhere."""
    if not rows:
        return
    if connections[alias].vendor != "postgresql":
        model._default_manager.using(alias).bulk_create(
            [model(**row) for row in rows], batch_size=2000
        )
        return
    names = list(rows[0])
    columns = ", ".join(_column_of(model, name) for name in names)
    copying = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connections[alias].cursor() as cursor, cursor.cursor.copy(copying) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _column_of(model: type[Model], key: str) -> str:
    """The column of a computed row's key (a field's name or, as `action_id`, its attname)."""
    field = model._meta.get_field(key)
    assert isinstance(field, Field) and field.column is not None
    return field.column


# The columns of selectors.CELL_KEY, the same in RollupCell.
CELL_COLUMNS: tuple[str, ...] = tuple(_column(Action, name) for name in CELL_KEY)


@dataclass(frozen=True)
class Member:
    """A settled action, with what its block shares and its day of leaving."""

    action_id: int
    key: tuple[Any, ...]
    left_on: datetime.date | None

    @property
    def block_key(self) -> tuple[Any, ...]:
        return (*self.key, self.left_on is None)


def _members(candidates: Iterable[int] | None, horizon: datetime.date, alias: str) -> list[Member]:
    """The actions among `candidates` (None: all) that may be summed into cells: settled on the
    horizon (settled_action_sql), without open follow-ups and not marked. One statement."""
    actions = Action.objects.using(alias).order_by()
    if candidates is not None:
        actions = actions.filter(pk__in=sorted(candidates))
    statement = _Statement(actions)
    key = ", ".join(f"a.{column}" for column in CELL_COLUMNS)
    left_on = f"COALESCE(a.{_column(Action, 'end_date')}, a.{_column(Action, 'start_date')})"
    sql = (
        f"{statement.sel} SELECT a.id, {key}, {left_on} FROM {Action._meta.db_table} a"
        f" WHERE a.id IN (SELECT id FROM sel) AND {settled_action_sql(statement, horizon)}"
        f" AND NOT EXISTS (SELECT 1 FROM {OpenFollowUp._meta.db_table} o"
        " WHERE o.action_id = a.id)"
        f" AND NOT EXISTS (SELECT 1 FROM {DirtyAction._meta.db_table} m"
        " WHERE m.action_id = a.id) ORDER BY a.id"
    )
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, statement.params)
        return [Member(row[0], tuple(row[1:-1]), _day(row[-1])) for row in cursor.fetchall()]


def _day(value: datetime.date | str | None) -> datetime.date | None:
    """A date as the database gives it (SQLite's COALESCE of two dates: a text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _blocks(members: Iterable[Member]) -> dict[int, list[Member]]:
    """The members grouped into blocks of one key, each named by its smallest action id."""
    grouped: dict[tuple[Any, ...], list[Member]] = {}
    for member in sorted(members, key=lambda m: m.action_id):
        grouped.setdefault(member.block_key, []).append(member)
    return {group[0].action_id: group for group in grouped.values()}


def _cell_rows(blocks: dict[int, list[Member]], rows: Iterable[dict[str, Any]]) -> list[dict]:
    """The cells of these blocks from their members' rollup rows (`rows` may hold others):
    per block and PES, the sums, whether any is a lower bound, the people and the actions; an
    action without any fact counts in its block's cell without PES."""
    member_of = {m.action_id: block for block, group in blocks.items() for m in group}
    names = ["facts", "records", *_value_columns()]
    summed: dict[tuple[int, int | None], dict[str, Any]] = {}
    people: dict[tuple[int, int | None], list[BitMap]] = {}
    actions: dict[tuple[int, int | None], BitMap] = {}
    for row in rows:
        block = member_of.get(row["action_id"])
        if block is None:
            continue
        key = (block, row["pes_id"])
        totals = summed.get(key)
        if totals is None:
            summed[key] = {name: row[name] for name in names}
        else:
            for name in names:
                totals[name] = (
                    totals[name] or row[name] if name[:2] == "b_" else totals[name] + row[name]
                )
        actions.setdefault(key, BitMap()).add(row["action_id"])
        if row["people"] is not None:
            people.setdefault(key, []).append(BitMap.deserialize(bytes(row["people"])))
    with_rows = BitMap.union(BitMap(), *actions.values())
    for action_id, block in member_of.items():
        if action_id not in with_rows:
            actions.setdefault((block, None), BitMap()).add(action_id)
            summed.setdefault(
                (block, None), {name: False if name[:2] == "b_" else 0 for name in names}
            )
    cells: list[dict[str, Any]] = []
    for (block, pes_id), totals in sorted(summed.items(), key=lambda item: _key_order(item[0])):
        group = blocks[block]
        first = not cells or cells[-1]["block"] != block
        days = [m.left_on for m in group if m.left_on is not None]
        cell: dict[str, Any] = {"block": block, "pes_id": pes_id}
        cell.update(zip(CELL_COLUMNS, group[0].key, strict=True))
        cell["left_on"] = max(days) if days else None
        cell.update(totals)
        stored = people.get((block, pes_id))
        cell["people"] = BitMap.union(BitMap(), *stored).serialize() if stored else None
        cell["actions"] = actions[(block, pes_id)].serialize()
        cell["action_count"] = len(actions[(block, pes_id)])
        cell["block_actions"] = len(group) if first else 0
        cells.append(cell)
    return cells


def _build_cells(
    candidates: Iterable[int] | None,
    horizon: datetime.date,
    alias: str,
    rows: list[dict[str, Any]] | None = None,
) -> int:
    """Sum the settled actions among `candidates` (None: all) into new blocks, from their
    rollup rows (`rows`: as just computed, else read); the number of blocks. The candidates
    must be in no block (the callers delete theirs first)."""
    blocks = _blocks(_members(candidates, horizon, alias))
    members = [
        {"action_id": m.action_id, "block": block, "size": len(group)}
        for block, group in blocks.items()
        for m in group
    ]
    _insert(CellMember, members, alias)
    if rows is None:
        rows = _stored_rows([m["action_id"] for m in members], alias)
    _insert(RollupCell, _cell_rows(blocks, rows), alias)
    return len(blocks)


def _stored_rows(action_ids: Sequence[int], alias: str) -> list[dict[str, Any]]:
    names = ["action_id", "pes_id", "facts", "records", "people", *_value_columns()]
    stored = FactRollup.objects.using(alias).order_by()
    return [
        row
        for start in range(0, len(action_ids), 5000)
        for row in stored.filter(action_id__in=action_ids[start : start + 5000]).values(*names)
    ]


def _refresh_cells(action_ids: Sequence[int], horizon: datetime.date, alias: str) -> None:
    """The blocks of these actions, whose rows were just made again, made again with the other
    actions of those blocks: an action whose columns changed moves to a block of its new key
    (a new one: the nightly rebuild packs blocks of one key together again)."""
    members = CellMember.objects.using(alias)
    old = list(members.filter(action_id__in=action_ids).values_list("block", flat=True))
    candidates = set(action_ids)
    if old:
        candidates.update(members.filter(block__in=old).values_list("action_id", flat=True))
        RollupCell.objects.using(alias).filter(block__in=old).delete()
        members.filter(block__in=old).delete()
    _build_cells(candidates, horizon, alias)


def _state(alias: str, *, lock: bool) -> RollupState | None:
    states = RollupState.objects.using(alias).order_by("pk")
    return (states.select_for_update() if lock else states).first()


def refresh_dirty(limit: int | None = None) -> int:
    """Make the rows of the marked actions again (up to `limit`, in transactions of
    REFRESH_BATCH actions) and take their marks away; the number of actions refreshed. Nothing
    while the rollups are not built (no state: the reports read the records)."""
    alias = _alias()
    done = 0
    while limit is None or done < limit:
        size = REFRESH_BATCH if limit is None else min(REFRESH_BATCH, limit - done)
        with transaction.atomic(using=alias):
            state = _state(alias, lock=False)
            if state is None:
                return done
            ids = list(
                DirtyAction.objects.using(alias)
                .order_by("action_id")
                .values_list("action_id", flat=True)[:size]
            )
            if not ids:
                return done
            # Waits for a writer still holding one of these marks (see the module's rules).
            DirtyAction.objects.using(alias).filter(action_id__in=ids).delete()
            computed = compute(ids, state.horizon, alias)
            FactRollup.objects.using(alias).filter(action_id__in=ids).delete()
            OpenFollowUp.objects.using(alias).filter(action_id__in=ids).delete()
            _write(computed, alias)
            _refresh_cells(ids, state.horizon, alias)
            RollupState.objects.using(alias).filter(pk=state.pk).update(
                answers_token=new_answers_token()
            )
        done += len(ids)
    return done


def new_answers_token() -> str:
    """A token for the rollups as they are now, in the key of the answers kept from them
    (reports.answers): random, so that no later state of the rollups has it again."""
    return secrets.token_hex(8)


def horizon_for(today: datetime.date) -> datetime.date:
    """The horizon of a rebuild on `today`: settings.ROLLUP_HORIZON_DAYS before it."""
    return max(FIRST_DAY, today - datetime.timedelta(days=settings.ROLLUP_HORIZON_DAYS))


def rebuild(horizon: datetime.date | None = None) -> Computed:
    """Make every rollup row again from the facts, with a new horizon (default horizon_for
    today), and take every mark away: one transaction, during which writes of facts wait."""
    alias = _alias()
    horizon = horizon or horizon_for(timezone.localdate())
    with transaction.atomic(using=alias):
        state = _state(alias, lock=True) or RollupState(horizon=horizon)
        DirtyAction.objects.using(alias).all().delete()
        computed = compute(None, horizon, alias)
        FactRollup.objects.using(alias).all().delete()
        OpenFollowUp.objects.using(alias).all().delete()
        RollupCell.objects.using(alias).all().delete()
        CellMember.objects.using(alias).all().delete()
        _write(computed, alias)
        _build_cells(None, horizon, alias, computed.rows)
        if connections[alias].vendor == "postgresql":
            # Statistics of the tables made again, for the reports' next plans (the database
            # gathers them on its own only some time later).
            with connections[alias].cursor() as cursor:
                for model in (FactRollup, OpenFollowUp, RollupCell, CellMember):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        state.horizon = horizon
        state.answers_token = new_answers_token()
        state.rebuilt_at = timezone.now()
        state.save(using=alias)
    return computed


@dataclass(frozen=True)
class Difference:
    """Where the rollups differ from the records: an action's row, or a block's cell (`of`
    "block", `action_id` the block's)."""

    action_id: int
    pes_id: int | None
    what: str
    kept: Any
    computed: Any
    of: str = "action"


def check() -> list[Difference]:
    """Compare the rows of every unmarked action with the rows computed from its facts now;
    the differences (none when the rollups are right), also recorded on the state. Nothing to
    compare when the rollups are not built."""
    alias = _alias()
    with transaction.atomic(using=alias):
        state = _state(alias, lock=False)
        if state is None:
            return []
        dirty = set(DirtyAction.objects.using(alias).values_list("action_id", flat=True))
        computed = compute(None, state.horizon, alias)
        names = ["facts", "records", "people", "repeat_completions", *_value_columns()]
        kept_rows = {
            (row["action_id"], row["pes_id"]): row
            for row in FactRollup.objects.using(alias).values("action_id", "pes_id", *names)
        }
        differences: list[Difference] = []
        fresh = {(row["action_id"], row["pes_id"]): row for row in computed.rows}
        for key in sorted(set(kept_rows) | set(fresh), key=_key_order):
            if key[0] in dirty:
                continue
            kept, made = kept_rows.get(key), fresh.get(key)
            if kept is None or made is None:
                differences.append(Difference(*key, "row", kept is not None, made is not None))
                continue
            for name in names:
                kept_value, made_value = kept[name], made[name]
                if name == "people":
                    kept_value = _ids(kept_value)
                    made_value = _ids(made_value)
                if kept_value != made_value:
                    differences.append(Difference(*key, name, kept_value, made_value))
        differences += _open_differences(computed.open, dirty, alias)
        differences += _cell_differences(state.horizon, dirty, computed.rows, alias)
        state.checked_at = timezone.now()
        state.differences = len(differences)
        state.save(using=alias, update_fields=["checked_at", "differences"])
    return differences


def _value_columns() -> list[str]:
    return [
        *[f"m_{metric}" for metric in ROLLUP_METRICS],
        *[f"b_{metric}" for metric in SUMMED_METRICS],
        *[
            code_column(kind, code)
            for kind in Participation.FOLLOW_UP_FIELDS
            for code in settled_codes(kind)
        ],
    ]


def _key_order(key: tuple[int, int | None]) -> tuple[int, int]:
    return key[0], key[1] if key[1] is not None else -1


def _ids(value: bytes | memoryview | None) -> list[int]:
    return list(BitMap.deserialize(bytes(value))) if value is not None else []


def _open_differences(
    computed: list[dict[str, Any]], dirty: set[int], alias: str
) -> list[Difference]:
    names = ["action_id", "pes_id", *OPEN_COLUMNS, "records"]

    def counted(rows: Iterable[dict[str, Any]]) -> dict[tuple[Any, ...], int]:
        totals: dict[tuple[Any, ...], int] = {}
        for row in rows:
            if row["action_id"] in dirty:
                continue
            key = tuple(row[name] for name in names[:-1])
            totals[key] = totals.get(key, 0) + row["records"]
        return totals

    kept = counted(OpenFollowUp.objects.using(alias).values(*names))
    made = counted(computed)
    return [
        Difference(key[0], key[1], "open follow-ups", kept.get(key, 0), made.get(key, 0))
        for key in sorted(set(kept) | set(made), key=lambda k: (k[0], k[1] or -1, str(k[2:])))
        if kept.get(key, 0) != made.get(key, 0)
    ]


def _cell_differences(
    horizon: datetime.date, dirty: set[int], computed: list[dict[str, Any]], alias: str
) -> list[Difference]:
    """The blocks without a marked action whose cells differ from their members' rows as
    computed from the records now, or whose members are no longer settled or no longer share
    their block's columns: named by the block (as `action_id`), the cell's PES and what differs."""
    stored: dict[int, list[int]] = {}
    for action_id, block in CellMember.objects.using(alias).values_list("action_id", "block"):
        stored.setdefault(block, []).append(action_id)
    clean = {block: ids for block, ids in stored.items() if not dirty.intersection(ids)}
    settled = {m.action_id: m for m in _members(None, horizon, alias)}
    differences: list[Difference] = []
    blocks: dict[int, list[Member]] = {}
    for block, ids in sorted(clean.items()):
        group = [settled[action_id] for action_id in sorted(ids) if action_id in settled]
        if len(group) < len(ids):
            found = [m.action_id for m in group]
            differences.append(
                Difference(block, None, "settled members", sorted(ids), found, "block")
            )
        elif len({m.block_key for m in group}) > 1:
            keys = len({m.block_key for m in group})
            differences.append(Difference(block, None, "columns shared", 1, keys, "block"))
        else:
            blocks[block] = group
    names = ["facts", "records", "people", "actions", "action_count", "block_actions"]
    names += [*_value_columns(), *CELL_COLUMNS, "left_on"]
    kept = {
        (row["block"], row["pes_id"]): row
        for row in RollupCell.objects.using(alias).values("block", "pes_id", *names)
        if row["block"] in blocks
    }
    made = {(row["block"], row["pes_id"]): row for row in _cell_rows(blocks, computed)}
    for key in sorted(set(kept) | set(made), key=_key_order):
        kept_row, made_row = kept.get(key), made.get(key)
        if kept_row is None or made_row is None:
            block, pes_id = key
            there = kept_row is not None, made_row is not None
            differences.append(Difference(block, pes_id, "cell", there[0], there[1], "block"))
            continue
        for name in names:
            kept_value, made_value = kept_row[name], made_row[name]
            if name in ("people", "actions"):
                kept_value, made_value = _ids(kept_value), _ids(made_value)
            if kept_value != made_value:
                differences.append(
                    Difference(*key, f"cell {name}", kept_value, made_value, "block")
                )
    return differences


@dataclass(frozen=True)
class Lag:
    """What the rollups leave to the records now: the marked actions and the oldest mark's
    age (seconds), the open follow-ups, the horizon's age in days, and the cells and the
    actions summed in them."""

    built: bool
    marked: int
    oldest_mark_seconds: float
    open_rows: int
    horizon_days: int
    cells: int = 0
    cell_actions: int = 0


def lag() -> Lag:
    alias = router.db_for_read(FactRollup)
    state = _state(alias, lock=False)
    marks = DirtyAction.objects.using(alias)
    oldest = marks.order_by("marked_at").values_list("marked_at", flat=True).first()
    now = timezone.now()
    return Lag(
        built=state is not None,
        marked=marks.count(),
        oldest_mark_seconds=(now - oldest).total_seconds() if oldest else 0.0,
        open_rows=OpenFollowUp.objects.using(alias).count(),
        horizon_days=(timezone.localdate() - state.horizon).days if state else 0,
        cells=RollupCell.objects.using(alias).count(),
        cell_actions=CellMember.objects.using(alias).count(),
    )


# What the model signals mark.
def _fact_written(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    mark([instance.action_id])


def _action_deleted(sender: type[Model], instance: Action, **kwargs: Any) -> None:
    """The rows and the mark of a deleted action go with it (no database constraint holds
    them: its records' own deletions marked it while it still existed)."""
    alias = _alias()
    FactRollup.objects.using(alias).filter(action_id=instance.pk).delete()
    OpenFollowUp.objects.using(alias).filter(action_id=instance.pk).delete()
    DirtyAction.objects.using(alias).filter(action_id=instance.pk).delete()
    # Its block's cells counted it: they go, and the block's other actions are marked, for the
    # refresh to sum them again.
    members = CellMember.objects.using(alias)
    blocks = list(members.filter(action_id=instance.pk).values_list("block", flat=True))
    if blocks:
        others = members.filter(block__in=blocks).exclude(action_id=instance.pk)
        mark(others.values_list("action_id", flat=True))
        RollupCell.objects.using(alias).filter(block__in=blocks).delete()
        members.filter(block__in=blocks).delete()


# The fields of an action its block shares or its settling reads (settled_action_sql).
_CELL_FIELDS: tuple[str, ...] = (
    *CELL_COLUMNS,
    *(_column(Action, name) for name in ("start_date", "end_date", "outcomes_expected_on")),
)


def _cell_values(instance: Action) -> tuple[Any, ...]:
    return tuple(instance.__dict__.get(name) for name in _CELL_FIELDS)


def _action_loaded(sender: type[Model], instance: Action, **kwargs: Any) -> None:
    """What decides an action's cell as loaded, for _action_saved to compare."""
    instance._rollup_cell = _cell_values(instance)  # type: ignore[attr-defined]


def _action_saved(sender: type[Model], instance: Action, created: bool, **kwargs: Any) -> None:
    """An action saved with another project, period, type, sector, status or day is marked: its
    block no longer holds it, and the refresh sums it where it now belongs. A new action has no
    fact and no block yet."""
    values = _cell_values(instance)
    if not created and values != getattr(instance, "_rollup_cell", values):
        mark([instance.pk])
    instance._rollup_cell = values  # type: ignore[attr-defined]


def _organisation_loaded(sender: type[Model], instance: Organisation, **kwargs: Any) -> None:
    """The kind as loaded (not loaded: None), for _organisation_saved to compare."""
    instance._rollup_kind = instance.__dict__.get("kind")  # type: ignore[attr-defined]


def _organisation_saved(sender: type[Model], instance: Organisation, **kwargs: Any) -> None:
    """An organisation's kind decides what it counts for as an employer present: saved with
    another, it marks the actions where it was present."""
    kind = instance.__dict__.get("kind")
    changed = kind != getattr(instance, "_rollup_kind", None)
    instance._rollup_kind = kind  # type: ignore[attr-defined]
    if kwargs.get("created") or not changed:
        return
    mark(
        ActionEmployer.objects.filter(organisation_id=instance.pk).values_list(
            "action_id", flat=True
        )
    )


def _bulk_written(sender: Any, action_ids: Sequence[int], **kwargs: Any) -> None:
    mark(action_ids)


def _jobseeker_loaded(sender: type[Model], instance: Jobseeker, **kwargs: Any) -> None:
    """The pseudonymous key as loaded (not loaded: None), for _jobseeker_saved to compare."""
    instance._rollup_pseudonym = instance.__dict__.get("pseudonym")  # type: ignore[attr-defined]


def _jobseeker_saved(
    sender: type[Model], instance: Jobseeker, created: bool, **kwargs: Any
) -> None:
    """A pseudonymous key decides which completions count once (repeat_completions): a
    jobseeker saved with another key (an erasure blanks it) marks the actions of their
    records. A new jobseeker has no record yet; the key as saved is the one to compare next."""
    fields = kwargs.get("update_fields")
    key = instance.__dict__.get("pseudonym")
    if key is None or (fields is not None and "pseudonym" not in fields):
        return
    if not created and key != getattr(instance, "_rollup_pseudonym", None):
        mark(
            Participation.objects.using(kwargs.get("using"))
            .filter(jobseeker_id=instance.pk)
            .values_list("action_id", flat=True)
        )
    instance._rollup_pseudonym = key  # type: ignore[attr-defined]


def connect() -> None:
    """Connect the marks to the writes (reports.apps)."""
    for model in (Figure, Participation, ActionEmployer):
        label = model._meta.label
        post_save.connect(_fact_written, sender=model, dispatch_uid=f"rollup-save-{label}")
        post_delete.connect(_fact_written, sender=model, dispatch_uid=f"rollup-del-{label}")
    post_delete.connect(_action_deleted, sender=Action, dispatch_uid="rollup-action-deleted")
    post_init.connect(_action_loaded, sender=Action, dispatch_uid="rollup-action-loaded")
    post_save.connect(_action_saved, sender=Action, dispatch_uid="rollup-action-saved")
    post_init.connect(_organisation_loaded, sender=Organisation, dispatch_uid="rollup-org-loaded")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="rollup-org-saved")
    post_init.connect(_jobseeker_loaded, sender=Jobseeker, dispatch_uid="rollup-key-loaded")
    post_save.connect(_jobseeker_saved, sender=Jobseeker, dispatch_uid="rollup-key-saved")
    facts_written.connect(_bulk_written, dispatch_uid="rollup-bulk")
