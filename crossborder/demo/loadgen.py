"""Synthetic load: years of actions, hundreds of thousands of jobseekers, a million participations.

Used by `manage.py generate_load` and the benchmark (bench/run.py). Everything generated is
marked so that it can be told apart from real data and deleted alone:
- one programme and its projects, employers, agencies and sectors with slugs starting `load-`;
- jobseekers with a PES reference starting `LOAD-`, actions with a reference starting `LOAD-`.
The three PES are shared reference data: they are reused when present (created otherwise) and
never deleted.

The data keeps every rule of the models, though it is written without full_clean():
- a guidance cohort has at most 12 jobseekers (records and figures together) and lasts at most
  3 months; a cancelled action has its reason;
- for one action and one PES the jobseekers are counted either from records or from split
  figures, never both; unsplit figures are remainders; a few figures are lower bounds;
- participations respect their status rules (no dates for the interested, completion only when
  completed, a hire's employer only with its date) and are unique per action and jobseeker;
- who took part: every jobseeker has a gender (a few "not given"), every record a status at
  entry (some not recorded) and, for the unemployed, how long they had been;
- the follow-ups (Participation.follow_up_errors): a record of a started jobseeker in an action
  after which work can be found has its situation on leaving and six months on, each with its
  date and source, for most of those due by the load's day (`Generator.as_of`, 30 September of
  the last year) and none of those not yet due; in work on leaving exactly when work was found
  by the check. The rest are due or overdue (Participation.follow_up_state).
These attributes are drawn from a random generator of their own, so that a seed gives the same
actions, jobseekers, records and figures as before they existed (the benchmark's earlier figures
stay comparable).
Pseudonyms are computed with participants.models.pseudonym_for, as the services do.

On PostgreSQL rows are written with binary COPY (psycopg 3), with primary keys taken from the
tables' sequences beforehand (one block per table) so that children can point at their parents;
on other databases (SQLite in the tests) with bulk_create. Bulk writes keep no audit history
(django-simple-history records saves one by one): generated data has none.

Ten million records in minutes (_Writer.bulk_load): the jobseekers and records are written
without the indexes and constraints of their tables, made again before the commit exactly as
the migrations made them, and frozen when their tables were empty. While the load runs, these
two tables are locked to everyone else, and the actions' to other writers.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from actions.models import Action, ActionEmployer, Figure, JobOffer, Sector
from crossborder.core.dataversion import bump_data_version
from crossborder.core.metrics import WORK_FOUND_ACTION_TYPES, Metric
from crossborder.core.periods import Semester, add_months, period_sort_date, semester_of
from crossborder.core.vocabulary import (
    COHORT_MAX_JOBSEEKERS,
    COHORT_MAX_MONTHS,
    REALISED_STATUSES,
    ActionStatus,
    ActionType,
    OrganisationKind,
)
from participants.models import (
    EducationLevel,
    EntryStatus,
    FollowUpSource,
    Gender,
    Jobseeker,
    LeavingSituation,
    Participation,
    SixMonthSituation,
    UnemploymentDuration,
    pseudonym_for,
)
from projects.models import Country, Organisation, PartnerRole, Programme, Project, ProjectPartner
from reports import rollups
from reports.models import FactRollup, OpenFollowUp

SLUG_PREFIX = "load-"
REF_PREFIX = "LOAD-"
PROGRAMME_SLUG = f"{SLUG_PREFIX}programme"
# Every timestamp of the generated rows: fixed, so a seed gives the same data.
CREATED_AT = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)

# The three PES of the brief, by slug: (name, country, territory, share of the jobseekers).
PES: dict[str, tuple[str, str, str, float]] = {
    "vdab": ("VDAB", Country.BE, "Flanders", 0.40),
    "le-forem": ("Le Forem", Country.BE, "Wallonia", 0.25),
    "pole-emploi": ("France Travail", Country.FR, "Hauts-de-France", 0.35),
}


@dataclass(frozen=True)
class TypeProfile:
    """How an action type looks: its share of the actions and the people it usually gathers."""

    share: float
    size: int  # mean number of jobseekers; 0 for actions without jobseekers
    days: tuple[int, int]  # duration range (end minus start)
    employers: tuple[int, int] = (0, 0)  # companies and agencies present


PROFILES: dict[str, TypeProfile] = {
    ActionType.GUIDANCE_COHORT: TypeProfile(0.25, 10, (56, 92)),
    ActionType.TRAINING: TypeProfile(0.20, 14, (5, 60)),
    ActionType.JOBDATING: TypeProfile(0.12, 60, (0, 0), (3, 8)),
    ActionType.COMPANY_VISIT: TypeProfile(0.10, 25, (0, 0), (1, 3)),
    ActionType.JOB_FAIR: TypeProfile(0.05, 400, (0, 1), (5, 15)),
    ActionType.DISCOVERY_DAY: TypeProfile(0.10, 20, (0, 0)),
    ActionType.INFO_SESSION: TypeProfile(0.13, 50, (0, 0)),
    ActionType.STAFF_SEMINAR: TypeProfile(0.05, 0, (0, 1)),
}
CITIES = ("Kortrijk", "Veurne", "Ieper", "Mouscron", "Tournai", "Dunkerque", "Lille", "Halluin")
GIVEN = ("Anna", "Bram", "Chloé", "David", "Emma", "Farid", "Julie", "Lucas", "Marie", "Noah")
FAMILY = ("Claes", "Dubois", "Janssens", "Lambert", "Leroy", "Martin", "Peeters", "Simon")
SECTORS = ("agro-food", "construction", "textiles", "care", "logistics")

# Who took part, as cumulative shares drawn against one random number each (cheaper than
# random.choices at a million): (upper bound, value).
GENDERS: tuple[tuple[float, str], ...] = (
    (0.47, Gender.WOMAN),
    (0.96, Gender.MAN),
    (0.965, Gender.NON_BINARY),
    (1.0, Gender.NOT_GIVEN),
)
# The status at entry, and for the unemployed the duration bands that fit it (long-term: a year
# or more). 4 % not recorded.
ENTRY_STATUSES: tuple[tuple[float, str], ...] = (
    (0.50, EntryStatus.UNEMPLOYED),
    (0.78, EntryStatus.LONG_TERM_UNEMPLOYED),
    (0.91, EntryStatus.INACTIVE),
    (0.96, EntryStatus.EMPLOYED),
    (1.0, ""),
)
DURATIONS: dict[str, tuple[str, str]] = {
    EntryStatus.UNEMPLOYED: (
        UnemploymentDuration.UNDER_6_MONTHS,
        UnemploymentDuration.FROM_6_TO_12_MONTHS,
    ),
    EntryStatus.LONG_TERM_UNEMPLOYED: (
        UnemploymentDuration.FROM_12_TO_24_MONTHS,
        UnemploymentDuration.OVER_24_MONTHS,
    ),
}
# The situation on leaving of those who had not found work by the check.
NOT_IN_WORK_ON_LEAVING: tuple[tuple[float, str], ...] = (
    (0.65, LeavingSituation.JOB_SEEKING),
    (0.85, LeavingSituation.EDUCATION),
    (1.0, LeavingSituation.INACTIVE),
)
SOURCES: tuple[tuple[float, str], ...] = (
    (0.55, FollowUpSource.PES_REGISTER),
    (0.70, FollowUpSource.EMPLOYER),
    (0.90, FollowUpSource.SURVEY),
    (1.0, FollowUpSource.SELF_DECLARED),
)
# The shares of the follow-ups due by the load's day that were done.
LEAVING_DONE = 0.85
SIX_MONTHS_DONE = 0.70
# The days of the four weeks a follow-up is checked in, made once (a million records).
CHECK_DELAYS: tuple[datetime.timedelta, ...] = tuple(
    datetime.timedelta(days=days) for days in range(29)
)
# The fields of the rows of the two big tables, in the order the generator gives their values
# (tuples: the cheapest to make and to write at ten million); the other fields take their
# defaults.
JOBSEEKER_COLUMNS = (
    "id",
    "pes_id",
    "external_ref",
    "pseudonym",
    "given_name",
    "family_name",
    "birth_year",
    "education_level",
    "is_refugee",
    "gender",
)
PARTICIPATION_COLUMNS = (
    "action_id",
    "jobseeker_id",
    "pes_id",
    "status",
    "started_on",
    "completed_on",
    "certified_on",
    "placed_on",
    "hired_on",
    "hired_by_id",
    "entry_status",
    "unemployment_duration",
    "leaving_situation",
    "leaving_checked_on",
    "leaving_source",
    "six_month_situation",
    "six_month_checked_on",
    "six_month_source",
)
# The values of a record that has not started (from started_on), of one that has not ended
# (from completed_on) and of one without follow-ups (from leaving_situation).
NOT_STARTED: tuple[None, ...] = (None,) * 6
NO_OUTCOMES: tuple[None, ...] = (None,) * 5
NO_FOLLOW_UPS: tuple[str | None, ...] = ("", None, "", "", None, "")


def _pick(shares: tuple[tuple[float, str], ...], draw: float) -> str:
    """The value whose cumulative share first exceeds `draw` (a number in [0, 1))."""
    for bound, value in shares:
        if draw < bound:
            return value
    return shares[-1][1]


@dataclass(frozen=True)
class Scale:
    """How much to generate; the defaults follow from the number of participations."""

    participations: int
    actions: int
    jobseekers: int
    projects: int = 12
    first_year: int = 2015
    years: int = 10
    companies: int = 200
    agencies: int = 40

    @classmethod
    def for_participations(cls, participations: int, **overrides: int) -> Scale:
        """About 100 participations per action and 3.3 per jobseeker, as at a million."""
        values = {
            "actions": max(20, participations // 100),
            "jobseekers": max(60, participations * 3 // 10),
        }
        values.update(overrides)
        return cls(participations=participations, **values)


@dataclass
class Summary:
    actions: int = 0
    jobseekers: int = 0
    participations: int = 0
    figures: int = 0
    employers: int = 0
    projects: int = 0

    def __str__(self) -> str:
        return (
            f"{self.projects} projects, {self.actions} actions, {self.jobseekers} jobseekers, "
            f"{self.participations} participations, {self.figures} figures, "
            f"{self.employers} employers present"
        )


def load_projects() -> models.QuerySet[Project]:
    return Project.objects.filter(slug__startswith=SLUG_PREFIX)


def load_actions() -> models.QuerySet[Action]:
    return Action.objects.filter(project__slug__startswith=SLUG_PREFIX)


def load_jobseekers() -> models.QuerySet[Jobseeker]:
    return Jobseeker.objects.filter(external_ref__startswith=REF_PREFIX)


def foreign_data() -> list[str]:
    """What the database holds that the generator did not make (it refuses to mix with it)."""
    found = []
    if Action.objects.exclude(project__slug__startswith=SLUG_PREFIX).exists():
        found.append("actions")
    if Jobseeker.objects.exclude(external_ref__startswith=REF_PREFIX).exists():
        found.append("jobseekers")
    return found


def summary() -> Summary:
    """What generated data the database holds now."""
    return Summary(
        actions=load_actions().count(),
        jobseekers=load_jobseekers().count(),
        participations=Participation.objects.filter(
            action__project__slug__startswith=SLUG_PREFIX
        ).count(),
        figures=Figure.objects.filter(action__project__slug__startswith=SLUG_PREFIX).count(),
        employers=ActionEmployer.objects.filter(
            action__project__slug__startswith=SLUG_PREFIX
        ).count(),
        projects=load_projects().count(),
    )


def _delete_sql(model: type[models.Model], where: str) -> str:
    return f"DELETE FROM {model._meta.db_table} WHERE {where}"


@transaction.atomic
def reset() -> None:
    """Delete the generated data and only it, in SQL: the ORM would load and signal a million
    objects one by one (and write a history row for each)."""
    action_table, project_table = Action._meta.db_table, Project._meta.db_table
    slug_like, ref_like = f"{SLUG_PREFIX}%", f"{REF_PREFIX}%"
    load_projects_sql = f"SELECT id FROM {project_table} WHERE slug LIKE %s"
    load_actions_sql = f"SELECT id FROM {action_table} WHERE project_id IN ({load_projects_sql})"
    by_action = f"action_id IN ({load_actions_sql})"
    statements: list[tuple[str, list[str]]] = [
        (
            _delete_sql(
                Participation,
                f"{by_action} OR jobseeker_id IN "
                f"(SELECT id FROM {Jobseeker._meta.db_table} WHERE external_ref LIKE %s)",
            ),
            [slug_like, ref_like],
        ),
        (_delete_sql(Jobseeker, "external_ref LIKE %s"), [ref_like]),
    ]
    children: list[type[models.Model]] = [Figure, ActionEmployer, JobOffer]
    children += [Action.offices.through, Action.organisers.through, Action.certificates.through]
    statements += [(_delete_sql(model, by_action), [slug_like]) for model in children]
    statements += [
        (_delete_sql(Action, f"project_id IN ({load_projects_sql})"), [slug_like]),
        (_delete_sql(ProjectPartner, f"project_id IN ({load_projects_sql})"), [slug_like]),
    ]
    statements += [
        (_delete_sql(model, "slug LIKE %s"), [slug_like])
        for model in (Project, Programme, Organisation, Sector)
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    # Deleted in SQL, without the signals that keep the API's cached pages current and the
    # reports' rollups (whose rows of the deleted actions go by their rebuild).
    bump_data_version()
    rollups.rebuild()


def allocate(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` with no share above its cap (water-filling,
    then the largest remainders). Gives less than ``total`` only when the caps are full."""
    counts = [0] * len(weights)
    open_ = [i for i, w in enumerate(weights) if w > 0 and caps[i] > 0]
    remaining = total
    while open_ and remaining > 0:
        scale = remaining / sum(weights[i] for i in open_)
        capped = [i for i in open_ if weights[i] * scale >= caps[i] - counts[i]]
        if not capped:
            shares = {i: weights[i] * scale for i in open_}
            for i in open_:
                counts[i] += int(shares[i])
            left = remaining - sum(int(s) for s in shares.values())
            by_fraction = sorted(open_, key=lambda i: (shares[i] - int(shares[i]), -i))
            for i in reversed(by_fraction[-left:] if left else []):
                counts[i] += 1
            return counts
        for i in capped:
            remaining -= caps[i] - counts[i]
            counts[i] = caps[i]
        full = set(capped)  # once: built per action, it took minutes at 100,000 actions
        open_ = [i for i in open_ if i not in full]
    return counts


@dataclass
class _Action:
    """An action as planned by the generator, before it is written."""

    id: int
    project_id: int
    action_type: str
    status: str
    start: datetime.date | None
    end: datetime.date | None
    year: int
    record_pes: list[int]  # indexes into the PES list of the PES keeping records
    employers: list[int] = field(default_factory=list)  # organisation ids present
    figure_starts: int = 0  # jobseekers counted by figures (the cohort's 12 include them)
    records: int = 0


class _Writer:
    """Bulk writes: binary COPY on PostgreSQL, bulk_create elsewhere; ids reserved beforehand."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        # Tables emptied in this transaction (bulk_load): COPY writes their rows frozen.
        self.truncated: set[str] = set()

    def give_memory(self) -> None:
        """Memory for the sorts and hashes of the load's transaction, which works on all the
        records at once: each index built in memory, and the rollups' rebuild (a hash
        aggregate of ten million records) spills less to disk; these settings end with it."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                cursor.execute("SET LOCAL work_mem = '256MB'")

    def analyse(self, *models_: type[models.Model]) -> None:
        if self.postgres:
            with connection.cursor() as cursor:
                for model in models_:
                    cursor.execute(f"ANALYZE {model._meta.db_table}")

    def reserve_ids(self, model: type[models.Model], count: int) -> range:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                # One block of the sequence in one statement (a nextval per row took 1.4 s for
                # 300,000 jobseekers). The lock keeps the table's other writers, whose ids come
                # from the same sequence, out of the block until the load commits.
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
                cursor.execute(
                    "SELECT setval(seq, nextval(seq) + %s - 1)"
                    " FROM pg_get_serial_sequence(%s, 'id') AS seq",
                    [count, table],
                )
                last = cursor.fetchone()[0]
                return range(last - count + 1, last + 1)
            # Inside the generator's transaction nobody else writes to SQLite.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            first = cursor.fetchone()[0] + 1
            return range(first, first + count)

    @contextlib.contextmanager
    def bulk_load(self, *models_: type[models.Model]) -> Iterator[None]:
        """Write these tables without their secondary indexes, unique and foreign key
        constraints, made again at the end from their definitions in the catalogue (names and
        all, as the migrations made them), in the caller's transaction. Empty tables are
        truncated first, so that COPY writes their rows frozen and VACUUM has nothing to do.

        At a million records COPY into the indexed table took 30 s and the deferred foreign key
        checks, one query per key and record, 26 s at the commit; without them COPY takes 5 s,
        the indexes 7 s and the checks, one join per key, 1 s."""
        if not self.postgres:
            yield
            return
        tables = [model._meta.db_table for model in models_]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT contype, conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])"
                " AND contype IN ('f', 'u') ORDER BY conrelid, conname",
                [tables],
            )
            constraints = cursor.fetchall()
            foreign = [(table, name, sql) for kind, table, name, sql in constraints if kind == "f"]
            unique = [(table, name, sql) for kind, table, name, sql in constraints if kind == "u"]
            # The indexes of no constraint; the primary keys stay (ids come in their order).
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
                " WHERE indrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT FROM pg_constraint"
                " WHERE conrelid = i.indrelid AND conindid = i.indexrelid)"
                " ORDER BY indrelid, indexrelid::regclass::text",
                [tables],
            )
            indexes = cursor.fetchall()
            # Dropping a foreign key changes the table it points to too, which must have no
            # checks pending (the actions just written have): checked now, deferred again below.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Foreign keys first: a unique constraint may be what one of them points to.
            for table, name, _sql in foreign + unique:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for index, _sql in indexes:
                cursor.execute(f"DROP INDEX {index}")
            for table in tables:
                # Empty, and no foreign key left points to it: TRUNCATE takes nothing away.
                cursor.execute(
                    f"SELECT NOT EXISTS (SELECT FROM {table}) AND NOT EXISTS"
                    " (SELECT FROM pg_constraint WHERE confrelid = %s::regclass)",
                    [table],
                )
                if cursor.fetchone()[0]:
                    cursor.execute(f"TRUNCATE {table}")
                    self.truncated.add(table)
        yield
        with connection.cursor() as cursor:
            for table, name, sql in unique:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {sql}")
            for _index, sql in indexes:
                cursor.execute(sql)
            # Statistics for the checks of the foreign keys (a join each) and the rollups.
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
            for table, name, sql in foreign:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {sql}")
            # As Django makes every foreign key: DEFERRABLE INITIALLY DEFERRED.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def write(
        self, model: type[models.Model], rows: Iterable[dict[str, Any]], *, with_id: bool = True
    ) -> int:
        """Write rows given as {attname: value}; unnamed fields take the model's default."""
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        defaults = [(f.attname, _default(f)) for f in fields]
        return self.write_columns(
            model,
            [name for name, _default_value in defaults],
            (tuple([row.get(name, value) for name, value in defaults]) for row in rows),
        )

    def write_columns(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        """Write rows given as tuples of the values of these fields (attnames), the cheapest at
        ten million; the other fields take the model's default (the primary key its sequence's)."""
        rest = [
            f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        fields = {f.attname: f for f in model._meta.concrete_fields}
        names = [*columns, *(f.attname for f in rest)]
        defaults = tuple(_default(f) for f in rest)
        written = 0
        if self.postgres:
            table = model._meta.db_table
            targets = [_column(fields[name]) for name in names]
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute"
                    " WHERE attrelid = %s::regclass AND attnum > 0",
                    [table],
                )
                types = dict(cursor.fetchall())
                # Binary: about half the client's time of text at a million rows.
                options = "FORMAT BINARY, FREEZE" if table in self.truncated else "FORMAT BINARY"
                sql = (
                    f"COPY {table} ({', '.join(connection.ops.quote_name(c) for c in targets)})"
                    f" FROM STDIN ({options})"
                )
                with cursor.cursor.copy(sql) as copy:
                    copy.set_types([types[column] for column in targets])
                    for row in rows:
                        copy.write_row(row + defaults)
                        written += 1
            return written
        batch: list[models.Model] = []
        for row in rows:
            batch.append(model(**dict(zip(names, row + defaults, strict=True))))
            if len(batch) == 2000:
                model._default_manager.bulk_create(batch)
                written += len(batch)
                batch = []
        model._default_manager.bulk_create(batch)
        return written + len(batch)


def _column(model_field: models.Field) -> str:
    """The column of a concrete field (only fields without a column have none)."""
    assert model_field.column is not None
    return model_field.column


def _default(model_field: models.Field) -> Any:
    if isinstance(model_field, models.DateTimeField) and (
        model_field.auto_now or model_field.auto_now_add
    ):
        return CREATED_AT
    return model_field.get_default()


class Generator:
    """Plans and writes the load for one scale and seed."""

    def __init__(self, scale: Scale, seed: int, log: Callable[[str], None] = print) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        # Who took part and the follow-ups: drawn apart (module docstring).
        self.people_rng = random.Random(f"{seed}-people")
        # The six-month due day of each day left on: one per action, not per record.
        self._six_months_due: dict[datetime.date, datetime.date] = {}
        self._log = log
        self._started = time.perf_counter()
        self.writer = _Writer()
        self.as_of = datetime.date(scale.first_year + scale.years - 1, 9, 30)

    def log(self, message: str) -> None:
        """Progress with the time since the start: where the minutes go at a million."""
        self._log(f"{time.perf_counter() - self._started:6.1f} s  {message}")

    def run(self) -> Summary:
        with transaction.atomic():
            self.writer.give_memory()
            self._reference_data()
            actions = self._plan_actions()
            with self.writer.bulk_load(Jobseeker, Participation):
                pools = self._jobseekers()
                employers = self._employers(actions)
                figures = self._figures(actions)
                self._allocate_records(actions, pools)
                participations = self.writer.write_columns(
                    Participation, PARTICIPATION_COLUMNS, self._participations(actions, pools)
                )
                self.log(f"participations: {participations}")
            self.log("indexes and constraints made again")
            # The rebuild's plans need the statistics of the tables just written (those of the
            # jobseekers and records come with their indexes): without them, PostgreSQL took
            # the 100,000 actions for one and joined them by a loop over all of them.
            self.writer.analyse(Action, Figure, ActionEmployer)
            # Written by COPY or bulk_create, without the signals that keep the API's cached
            # pages current, and the reports' rollups: made again from the records, with
            # everything already there.
            bump_data_version()
            computed = rollups.rebuild()
            self.log(f"rollups: {len(computed.rows)} rows, {len(computed.open)} open")
        self.log("committed")
        if self.writer.postgres:
            # Fresh statistics and visibility map, as autovacuum would give them a little
            # later: the plans of the reports depend on them. VACUUM cannot run inside a
            # transaction (a test's): there, statistics only.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in (
                    Action,
                    Figure,
                    ActionEmployer,
                    Jobseeker,
                    Participation,
                    FactRollup,
                    OpenFollowUp,
                ):
                    cursor.execute(f"{command} {model._meta.db_table}")
            self.log("vacuumed and analysed")
        return Summary(
            actions=len(actions),
            jobseekers=sum(len(pool) for pool in pools),
            participations=participations,
            figures=figures,
            employers=employers,
            projects=len(self.projects),
        )

    # Reference data: PES, a programme and its projects, sectors, companies and agencies.

    def _reference_data(self) -> None:
        self.pes: list[Organisation] = []
        for slug, (name, country, territory, _share) in PES.items():
            pes, _created = Organisation.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "kind": OrganisationKind.PES,
                    "country": country,
                    "territory": territory,
                },
            )
            self.pes.append(pes)
        first, last = self.scale.first_year, self.scale.first_year + self.scale.years - 1
        programme = Programme.objects.create(
            slug=PROGRAMME_SLUG,
            name="Load test programme",
            name_en="Load test programme",
            starts_on=datetime.date(first, 1, 1),
            ends_on=datetime.date(last, 12, 31),
        )
        Project.objects.bulk_create(
            Project(
                slug=f"{SLUG_PREFIX}project-{n:02d}",
                programme=programme,
                name=f"Load project {n}",
                name_en=f"Load project {n}",
                starts_on=datetime.date(first, 1, 1),
                ends_on=datetime.date(last, 12, 31),
                lead_partner=self.pes[n % len(self.pes)],
            )
            for n in range(1, self.scale.projects + 1)
        )
        self.projects = list(load_projects().order_by("slug"))
        ProjectPartner.objects.bulk_create(
            ProjectPartner(
                project=project,
                organisation=pes,
                role=PartnerRole.LEAD if pes == project.lead_partner else PartnerRole.PARTNER,
            )
            for project in self.projects
            for pes in self.pes
        )
        Sector.objects.bulk_create(
            Sector(slug=f"{SLUG_PREFIX}{slug}", name=slug, name_en=slug) for slug in SECTORS
        )
        self.sectors = list(
            Sector.objects.filter(slug__startswith=SLUG_PREFIX).values_list("id", flat=True)
        )
        Organisation.objects.bulk_create(
            [
                Organisation(
                    slug=f"{SLUG_PREFIX}company-{n:04d}",
                    name=f"Company {n}",
                    kind=OrganisationKind.COMPANY,
                )
                for n in range(self.scale.companies)
            ]
            + [
                Organisation(
                    slug=f"{SLUG_PREFIX}agency-{n:04d}",
                    name=f"Agency {n}",
                    kind=OrganisationKind.AGENCY,
                )
                for n in range(self.scale.agencies)
            ]
        )
        employers = Organisation.objects.filter(
            slug__startswith=SLUG_PREFIX,
            kind__in=[OrganisationKind.COMPANY, OrganisationKind.AGENCY],
        )
        self.employer_ids = sorted(employers.values_list("id", flat=True))

    # Actions.

    def _plan_actions(self) -> list[_Action]:
        rng = self.rng
        types = list(PROFILES)
        shares = [PROFILES[t].share for t in types]
        ids = self.writer.reserve_ids(Action, self.scale.actions)
        planned: list[_Action] = []
        rows: list[dict[str, Any]] = []
        for number, action_id in enumerate(ids, start=1):
            action_type = rng.choices(types, shares)[0]
            profile = PROFILES[action_type]
            year = self.scale.first_year + rng.randrange(self.scale.years)
            first_day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            last_day = first_day + datetime.timedelta(days=rng.randint(*profile.days))
            if action_type == ActionType.GUIDANCE_COHORT:
                last_day = min(last_day, add_months(first_day, COHORT_MAX_MONTHS))
            start: datetime.date | None = first_day
            end: datetime.date | None = last_day
            reason = ""
            note = ""
            semester = semester_of(first_day)
            if first_day > self.as_of:
                status = ActionStatus.PLANNED
                if rng.random() < 0.3:
                    # Planned with only a rough period: "autumn" of the semester.
                    start = end = None
                    semester, note = str(Semester(year, 2)), "autumn"
            elif last_day >= self.as_of:
                status = ActionStatus.ONGOING
            elif rng.random() < 0.03:
                status = ActionStatus.CANCELLED
                reason = "Too few candidates with the language needed."
            else:
                status = ActionStatus.COMPLETED
            involved = rng.sample(range(len(self.pes)), rng.randint(1, len(self.pes)))
            if action_type == ActionType.STAFF_SEMINAR or status == ActionStatus.CANCELLED:
                involved = []
            planned.append(
                _Action(
                    id=action_id,
                    project_id=rng.choice(self.projects).pk,
                    action_type=action_type,
                    status=status,
                    start=start,
                    end=end,
                    year=year,
                    record_pes=involved,
                )
            )
            title = f"{ActionType(action_type).label} {number}"
            place = rng.choice(CITIES)
            rows.append(
                {
                    "id": action_id,
                    "project_id": planned[-1].project_id,
                    "reference": f"{REF_PREFIX}A{number:07d}",
                    "action_type": action_type,
                    "title": title,
                    "title_en": title,
                    "status": status,
                    "cancellation_reason": reason,
                    "cancellation_reason_en": reason,
                    "start_date": start,
                    "end_date": end,
                    "year": year,
                    "semester": semester,
                    "period_note": note,
                    "period_note_en": note,
                    "period_month": 9 if note else None,
                    "sort_date": period_sort_date(start, year, semester, 9 if note else None),
                    "place": place,
                    "place_en": place,
                    "online": action_type == ActionType.JOB_FAIR and rng.random() < 0.3,
                    "sector_id": (
                        rng.choice(self.sectors)
                        if action_type in (ActionType.TRAINING, ActionType.DISCOVERY_DAY)
                        else None
                    ),
                    "language_hours": 40 if action_type == ActionType.GUIDANCE_COHORT else None,
                    "capacity": COHORT_MAX_JOBSEEKERS
                    if action_type == ActionType.GUIDANCE_COHORT
                    else None,
                    "duration_days": (end - start).days + 1 if start and end else None,
                }
            )
        self.log(f"actions: {self.writer.write(Action, rows)}")
        return planned

    # Jobseekers: one pool per PES.

    def _jobseekers(self) -> list[range]:
        total = self.scale.jobseekers
        sizes = allocate(total, [share for *_x, share in PES.values()], [total] * len(PES))
        ids = self.writer.reserve_ids(Jobseeker, total)
        pools = []
        for size in sizes:
            pools.append(ids[:size])
            ids = ids[size:]
        written = self.writer.write_columns(
            Jobseeker, JOBSEEKER_COLUMNS, self._jobseeker_rows(pools)
        )
        self.log(f"jobseekers: {written}")
        return pools

    def _jobseeker_rows(self, pools: list[range]) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        levels = EducationLevel.values
        # Of working age in every year of the load: any jobseeker may take part in any action.
        first_year, last_year = self.scale.first_year, self.scale.first_year + self.scale.years - 1
        oldest = max(1960, last_year - settings.WORKING_AGE_MAX)
        youngest = first_year - settings.WORKING_AGE_MIN
        for index, (pes, pool) in enumerate(zip(self.pes, pools, strict=True)):
            for number, jobseeker_id in enumerate(pool, start=1):
                reference = f"{REF_PREFIX}{index}{number:07d}"
                refugee = rng.random()
                yield (
                    jobseeker_id,
                    pes.pk,
                    reference,
                    pseudonym_for(reference),
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    rng.randint(oldest, youngest),
                    rng.choice(levels),
                    True if refugee < 0.05 else (None if refugee < 0.2 else False),
                    _pick(GENDERS, self.people_rng.random()),
                )

    # Employers present (named) at jobdatings, visits and fairs.

    def _employers(self, actions: list[_Action]) -> int:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        for action in actions:
            low, high = PROFILES[action.action_type].employers
            if not high or action.status == ActionStatus.CANCELLED:
                continue
            action.employers = rng.sample(self.employer_ids, rng.randint(low, high))
            for organisation_id in action.employers:
                rows.append(
                    {
                        "action_id": action.id,
                        "organisation_id": organisation_id,
                        "vacancies": rng.randint(0, 8) if rng.random() < 0.8 else None,
                    }
                )
        written = self.writer.write(ActionEmployer, rows, with_id=False)
        self.log(f"employers present: {written}")
        return written

    # Aggregate figures: split per PES for the PES without records, unsplit remainders.

    def _figures(self, actions: list[_Action]) -> int:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        for action in actions:
            realised = action.status in REALISED_STATUSES
            if not realised or not action.record_pes:
                continue
            form = rng.random()
            if form >= 0.30:
                continue  # 70%: records only
            # 20% mixed (the first PES keeps records, the others give counts), 10% counts only.
            by_count = action.record_pes[1:] if form < 0.20 else list(action.record_pes)
            action.record_pes = [p for p in action.record_pes if p not in by_count]
            cohort = action.action_type == ActionType.GUIDANCE_COHORT
            size = PROFILES[action.action_type].size
            # A cohort keeps room for at least one record per PES that keeps records.
            room = COHORT_MAX_JOBSEEKERS - len(action.record_pes)
            for pes_index in by_count:
                starts = rng.randint(1, max(1, size * 2 // max(1, len(by_count))))
                if cohort:
                    starts = min(starts, room - action.figure_starts)
                    if starts <= 0:
                        break
                action.figure_starts += starts
                rows += self._figure_rows(action, self.pes[pes_index].pk, starts, cohort=cohort)
            if rng.random() < 0.15 and not (cohort and action.figure_starts >= room):
                # An unsplit remainder: jobseekers of unknown PES.
                starts = rng.randint(1, 3 if cohort else max(1, size // 4))
                if cohort:
                    starts = min(starts, room - action.figure_starts)
                action.figure_starts += starts
                lower_bound = action.action_type == ActionType.JOB_FAIR and rng.random() < 0.2
                rows += self._figure_rows(
                    action, None, starts, cohort=cohort, lower_bound=lower_bound
                )
            if action.employers and rng.random() < 0.3:
                rows.append(self._figure(action, None, Metric.AGENCIES, rng.randint(1, 4)))
                rows.append(self._figure(action, None, Metric.VACANCIES, rng.randint(1, 20)))
        written = self.writer.write(Figure, rows, with_id=False)
        self.log(f"figures: {written}")
        return written

    def _figure(
        self, action: _Action, pes_id: int | None, metric: str, value: int, lower: bool = False
    ) -> dict[str, Any]:
        return {
            "action_id": action.id,
            "pes_id": pes_id,
            "metric": metric,
            "value": value,
            "is_lower_bound": lower,
        }

    def _figure_rows(
        self,
        action: _Action,
        pes_id: int | None,
        starts: int,
        *,
        cohort: bool,
        lower_bound: bool = False,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        rows = [self._figure(action, pes_id, Metric.STARTS, starts, lower_bound)]
        if action.status == ActionStatus.COMPLETED:
            completions = rng.randint(starts // 2, starts)
            rows.append(self._figure(action, pes_id, Metric.COMPLETIONS, completions))
            rows.append(
                self._figure(action, pes_id, Metric.PLACEMENTS, rng.randint(0, completions))
            )
        if not cohort and action.employers and rng.random() < 0.5:
            rows.append(self._figure(action, pes_id, Metric.HIRES, rng.randint(0, starts // 3)))
        return rows

    # Participation records.

    def _allocate_records(self, actions: list[_Action], pools: list[range]) -> None:
        """Spread the participations over the actions whose PES keep records, in proportion to
        the usual size of their type, within each action's room (12 for a cohort, the PES's
        jobseekers for the rest)."""
        rng = self.rng
        weights, caps = [], []
        for action in actions:
            size = PROFILES[action.action_type].size
            if not action.record_pes or action.status == ActionStatus.CANCELLED:
                weights.append(0.0)
                caps.append(0)
            elif action.action_type == ActionType.GUIDANCE_COHORT:
                weights.append(size * rng.uniform(0.5, 1.5))
                caps.append(COHORT_MAX_JOBSEEKERS - action.figure_starts)
            else:
                weights.append(size * rng.lognormvariate(0, 0.5))
                caps.append(sum(len(pools[p]) for p in action.record_pes))
        counts = allocate(self.scale.participations, weights, caps)
        if sum(counts) < self.scale.participations:
            raise ValueError(
                f"Only {sum(counts)} participations fit in {len(actions)} actions; "
                "generate more actions or jobseekers."
            )
        for action, count in zip(actions, counts, strict=True):
            action.records = count

    def _participations(
        self, actions: list[_Action], pools: list[range]
    ) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        for action in actions:
            if not action.records:
                continue
            per_pes = allocate(
                action.records,
                [rng.uniform(0.5, 1.5) for _ in action.record_pes],
                [len(pools[p]) for p in action.record_pes],
            )
            for pes_index, count in zip(action.record_pes, per_pes, strict=True):
                pes_id = self.pes[pes_index].pk
                for jobseeker_id in rng.sample(pools[pes_index], count):
                    yield self._participation(action, jobseeker_id, pes_id)

    def _participation(self, action: _Action, jobseeker_id: int, pes_id: int) -> tuple[Any, ...]:
        """A record's values in the order of PARTICIPATION_COLUMNS."""
        rng = self.rng
        entry = self._entry()
        draw = rng.random()
        if action.status == ActionStatus.PLANNED or draw < 0.08:
            return (
                action.id,
                jobseeker_id,
                pes_id,
                "interested",
                *NOT_STARTED,
                *entry,
                *NO_FOLLOW_UPS,
            )
        start, end = action.start, action.end
        assert start is not None and end is not None
        if action.status == ActionStatus.ONGOING:
            return (
                action.id,
                jobseeker_id,
                pes_id,
                "started",
                start,
                *NO_OUTCOMES,
                *entry,
                *NO_FOLLOW_UPS,
            )
        completed_on = certified_on = placed_on = hired_on = hired_by_id = None
        if draw < 0.18:
            status = "started"
        elif draw < 0.28:
            status = "dropped_out"
        else:
            status = "completed"
            completed_on = end
            if action.action_type == ActionType.TRAINING and rng.random() < 0.7:
                certified_on = end
        if rng.random() < 0.4:
            placed_on = end + datetime.timedelta(days=rng.randint(14, 180))
        if action.employers and rng.random() < 0.1:
            hired_on = start + datetime.timedelta(days=rng.randint(0, 14))
            hired_by_id = rng.choice(action.employers)
        follow_ups = (
            self._follow_ups(end, placed_on, hired_on)
            if action.action_type in WORK_FOUND_ACTION_TYPES
            else NO_FOLLOW_UPS
        )
        return (
            action.id,
            jobseeker_id,
            pes_id,
            status,
            start,
            completed_on,
            certified_on,
            placed_on,
            hired_on,
            hired_by_id,
            *entry,
            *follow_ups,
        )

    def _entry(self) -> tuple[str, str]:
        """The status at entry and, for the unemployed, for how long."""
        rng = self.people_rng
        status = _pick(ENTRY_STATUSES, rng.random())
        bands = DURATIONS.get(status)
        if bands:
            return status, bands[0] if rng.random() < 0.6 else bands[1]
        return status, ""

    def _follow_ups(
        self,
        left_on: datetime.date,
        placed_on: datetime.date | None,
        hired_on: datetime.date | None,
    ) -> tuple[Any, ...]:
        """The follow-ups of a started record that are due by the load's day, most of them
        done: on leaving within four weeks of the end, in work exactly when work was found by
        then; six months on within four weeks of its due day. In the order of
        PARTICIPATION_COLUMNS."""
        rng = self.people_rng
        if left_on > self.as_of or rng.random() >= LEAVING_DONE:
            return NO_FOLLOW_UPS
        # The first day work was found (placed or hired), if any.
        worked = placed_on
        if hired_on is not None and (worked is None or hired_on < worked):
            worked = hired_on
        checked_on = left_on + CHECK_DELAYS[int(rng.random() * 29)]
        draw = rng.random()
        situation: str
        if worked is not None and worked <= checked_on:
            situation = LeavingSituation.SELF_EMPLOYED if draw < 0.08 else LeavingSituation.EMPLOYED
        else:
            situation = _pick(NOT_IN_WORK_ON_LEAVING, draw)
        on_leaving = (situation, checked_on, _pick(SOURCES, rng.random()))
        due_on = self._six_months_due.get(left_on)
        if due_on is None:
            due_on = self._six_months_due[left_on] = add_months(left_on, 6)
        if due_on > self.as_of or rng.random() >= SIX_MONTHS_DONE:
            return (*on_leaving, *NO_FOLLOW_UPS[3:])
        six_checked_on = due_on + CHECK_DELAYS[int(rng.random() * 29)]
        # Most of those who found work are in work six months on; a few of the others too.
        in_work_share = 0.85 if worked is not None and worked <= six_checked_on else 0.2
        draw = rng.random()
        if draw < in_work_share:
            six_situation = (
                SixMonthSituation.SELF_EMPLOYED if draw < 0.05 else SixMonthSituation.EMPLOYED
            )
        else:
            six_situation = (
                SixMonthSituation.BETTER_SITUATION
                if draw > 0.9
                else SixMonthSituation.NO_IMPROVEMENT
            )
        return (*on_leaving, six_situation, six_checked_on, _pick(SOURCES, rng.random()))


def generate(scale: Scale, *, seed: int = 42, log: Callable[[str], None] = print) -> Summary:
    """Write the load at this scale (the caller checks the database may take it)."""
    return Generator(scale, seed, log).run()


def has_load() -> bool:
    return load_projects().exists()
