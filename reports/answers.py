"""The rollups' hot answers: a table the rollups gave is kept in the shared cache
(settings.CACHES: Redis when REDIS_URL is set, else each process's memory) and given again while
nothing it was made from has changed.

An answer is keyed by what was asked (its statement: the selection of actions, the dimensions,
the PES, the day it is as of) and by the standing of what the rollups' statements read, taken in
one query before the answer is looked up or made (`standing`):
- the data version (crossborder.core.dataversion): a new random token in the transaction of
  every write of an action, its employers or figures, a project, organisation, sector or
  reporting period (everything a statement over the rollups joins beside the rollup tables),
  and of the partners, former names, border offices, indicators and targets that the year
  report's page tells besides (kept whole: `asked_whole`, reports.year_page.SheetPage);
- the rollups' own token (RollupState.answers_token): a new one in the transaction of every
  refresh that made rows again and of every rebuild (reports.rollups);
- no action marked: a fact written since the last refresh is read from the records (see
  reports.rollups), and an answer made while any mark stands is not kept. The refresh that takes
  the marks away gives the rollups a new token.

So an answer is given again only under the standing it was looked up under. A write that
commits after that lookup and before the answer is made changes the standing (a new token or a
mark) for good, since tokens are random and marks go only with a new token: the answer, made
from newer data, is kept under a key no later request reads. A restored backup or a rolled-back
test never brings a token back either.

Personal breakdowns and filters, and a day before the rollups' horizon, are not the rollups'
to answer (reports.selectors._rollup_eligible, `usable`), so they are never kept here.

Answers asked again are made again before they are asked (`warm`): what a reader asks as of
today is noted (`asked`: an outcomes table, the tables of a dashboard, the indicators, the year
report's page, by their parameters), and after a refresh of the rollups a worker makes the
answers noted in the last hours again under the new standing
(crossborder.jobs.tasks.report_answers_warm), so that the dashboards' readers after a write find
them kept. Without a worker the first reader makes them.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import import_string

from crossborder.core import dataversion

from .models import DirtyAction, RollupState

logger = logging.getLogger(__name__)

Answer = TypeVar("Answer")
# Part of every key: a release that counts differently, or keeps an answer of another class,
# changes it, so that answers kept by the one before, in a Redis that outlives both, are not
# given again (2: the year report's page moved to reports.year_page).
ANSWERS_FORMAT = "2"


@dataclass(frozen=True)
class Standing:
    """What the rollups' statements read, in one query: `usable` when the rollups are built and
    their horizon is on or before the day asked; `tokens` when, besides, nothing is marked
    (None: an answer made now is not kept)."""

    usable: bool
    tokens: tuple[str, str] | None


def standing(alias: str, as_of: Any) -> Standing:
    """The rollups' standing on the database `alias`, for an answer as of `as_of`."""
    state = RollupState._meta.db_table
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT s.horizon, s.answers_token,"
            f" (SELECT token FROM {dataversion.TABLE} WHERE id = %s),"
            f" EXISTS (SELECT 1 FROM {DirtyAction._meta.db_table})"
            f" FROM {state} s ORDER BY s.id LIMIT 1",
            [dataversion.ROW_ID],
        )
        row = cursor.fetchone()
    if row is None:
        return Standing(usable=False, tokens=None)
    horizon, token, version, marked = row
    if isinstance(horizon, str):
        # SQLite gives the date as its text.
        horizon = type(as_of).fromisoformat(horizon)
    usable = horizon <= as_of
    kept = usable and bool(token) and version is not None and not marked
    return Standing(usable=usable, tokens=(token, version) if kept else None)


def _key(alias: str, tokens: tuple[str, str], asked: Sequence[Any]) -> str:
    parts = (ANSWERS_FORMAT, connections[alias].vendor, *tokens, *map(repr, asked))
    return "report-answer:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def hot(
    alias: str, as_of: Any, asked: Sequence[Any], make: Callable[[], Answer | None]
) -> Answer | None:
    """The answer to `asked` (what identifies it: its statement and parameters) from the cache,
    or made by `make` and kept; None when the rollups cannot answer (the caller reads the
    records). Without caching (settings.REPORT_ANSWERS_SECONDS 0), `make` alone, which checks
    the rollups' standing in its own statement."""
    if not settings.REPORT_ANSWERS_SECONDS:
        return make()
    found = _standing_for(alias, as_of)
    if not found.usable:
        return None
    return _given(alias, as_of, found, asked, make)


def asked(
    kind: str, alias: str, day: Any, make: Callable[[], Answer | None], **params: Any
) -> Answer | None:
    """The answer of this kind (WARMERS) to these parameters, as of `day`, kept by them: from
    the cache, or made by `make` and kept (`hot`); None when the rollups cannot answer (the
    caller makes it from the records). Asked as of today, it is noted for `warm`, which makes
    it again by calling WARMERS[kind] with the same parameters: so the parameters are the key,
    and an answer kept and one made again cannot be told apart. Kept by what was asked, an
    answer asked again checks no filter and builds no statement."""
    with _noting(kind, **params):
        return hot(alias, day, _by_params(kind, day, params), make)


def asked_whole(
    kind: str, alias: str, day: Any, make: Callable[[], Answer], **params: Any
) -> Answer:
    """A whole answer made of the rollups' tables and of what the data version watches (the
    year report's page: its tables, the actions' lines and stories, the projects, the
    periods), kept and noted as `asked` keeps and notes one, under the same standing as its
    tables. Unlike `asked`, always an answer: one made before the rollups' horizon reads the
    records and is made anew each time."""
    with _noting(kind, **params):
        if not settings.REPORT_ANSWERS_SECONDS:
            return make()
        found = _standing_for(alias, day)
        answer = _given(alias, day, found, _by_params(kind, day, params), make)
    assert answer is not None
    return answer


def _by_params(kind: str, day: Any, params: dict[str, Any]) -> tuple[Any, ...]:
    return (kind, day, *sorted(params.items()))


# The standing an answer is being made under, for the answers its making asks in turn (the
# tables of a year report's page, the statements of a table asked by its parameters): they are
# made after it was read, so they may be kept under it too, without reading it again.
_making: ContextVar[tuple[str, Any, Standing] | None] = ContextVar(
    "report_answers_making", default=None
)


def _standing_for(alias: str, as_of: Any) -> Standing:
    making = _making.get()
    if making is not None and making[:2] == (alias, as_of):
        return making[2]
    return standing(alias, as_of)


def _given(
    alias: str,
    as_of: Any,
    found: Standing,
    asked: Sequence[Any],
    make: Callable[[], Answer | None],
) -> Answer | None:
    key = None if found.tokens is None else _key(alias, found.tokens, asked)
    if key is not None:
        given = cache.get(key)
        if given is not None:
            _note_asked(as_of)
            return given
    reset = _making.set((alias, as_of, found))
    try:
        answer = make()
    finally:
        _making.reset(reset)
    if key is not None and answer is not None:
        _set(key, answer)
        _note_asked(as_of)
    return answer


# The shared cache is a help, not a need: a Redis gone away finds and keeps nothing
# (crossborder.core.cache), which makes the answers slower, not wrong nor refused.
def _set(key: str, answer: Any) -> None:
    cache.set(key, answer, settings.REPORT_ANSWERS_SECONDS)


# Answers made again before they are asked (the module's last paragraph).

# What makes each kind of answer noted by `asked` and `asked_whole`, called with the parameters
# noted. A fixed table: what the cache holds names a kind, never code to run.
WARMERS: dict[str, str] = {
    "outcomes": "reports.selectors.outcomes",
    "outcome-tables": "reports.selectors.outcome_tables",
    "indicators": "reports.indicators.indicator_progress",
    "year-report-page": "reports.year_page.sheet_page",
}
# The answers noted, in the shared cache: {key: Asked}, at most settings.REPORT_WARM_MAX.
ASKED_KEY = f"report-answers-asked:{ANSWERS_FORMAT}"
# Set while a warm is waiting on the queue: the refreshes meanwhile send none.
WARM_PENDING_KEY = "report-answers-warm-pending"
# A process notes an answer again at most this often while it is given from the cache, and
# remembers when it noted at most this many.
NOTE_AGAIN_SECONDS = 900
NOTED_AT_MOST = 4096


@dataclass(frozen=True)
class Asked:
    """An answer a reader asked as of today: its kind (WARMERS), its parameters, and when."""

    kind: str
    params: tuple[tuple[str, Any], ...]
    at: float


@dataclass
class _Asking:
    kind: str
    params: tuple[tuple[str, Any], ...]
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = hashlib.sha256(repr((self.kind, self.params)).encode()).hexdigest()


_asking: ContextVar[_Asking | None] = ContextVar("report_answers_asking", default=None)
# True while `warm` makes the answers noted: making them is no reader asking them.
_warming: ContextVar[bool] = ContextVar("report_answers_warming", default=False)
# When this process last noted each answer (by its key).
_noted: dict[str, float] = {}


@contextmanager
def _noting(kind: str, **params: Any) -> Iterator[None]:
    """The caller asks an answer of this kind (WARMERS) with these parameters (plain values,
    which WARMERS[kind] takes as keyword arguments): an answer it keeps as of today is noted,
    for `warm`. Within another answer asked (the tables of a year report's page), the outer one
    is noted alone: making it again makes them too."""
    if _asking.get() is not None or _warming.get():
        yield
        return
    reset = _asking.set(_Asking(kind, tuple(sorted(params.items()))))
    try:
        yield
    finally:
        _asking.reset(reset)


def _note_asked(as_of: Any) -> None:
    """Note the answer being asked (`_noting`) when it is as of today, at most once a
    NOTE_AGAIN_SECONDS per process. The list is read, changed and written back: two processes
    noting at the same moment may lose one of the two notes, which its process writes again
    NOTE_AGAIN_SECONDS later; an answer not noted is only made by its first reader."""
    current = _asking.get()
    if current is None or not settings.REPORT_WARM_ANSWERS or as_of != timezone.localdate():
        return
    now = time.time()
    if now - _noted.get(current.key, 0.0) < NOTE_AGAIN_SECONDS:
        return
    if len(_noted) >= NOTED_AT_MOST:
        # Many different answers asked (an API client walking through filters): forget when
        # they were noted rather than hold them all.
        _noted.clear()
    _noted[current.key] = now
    asked = _asked()
    asked[current.key] = Asked(current.kind, current.params, now)
    newest = sorted(asked.items(), key=lambda item: item[1].at, reverse=True)
    _store(dict(newest[: settings.REPORT_WARM_MAX]))


def _asked() -> dict[str, Asked]:
    found = cache.get(ASKED_KEY)
    return dict(found) if isinstance(found, dict) else {}


def _store(asked: dict[str, Asked]) -> None:
    cache.set(ASKED_KEY, asked, settings.REPORT_WARM_HOURS * 3600)


def warm_claim() -> bool:
    """Whether a refresh should send a warm to the queue, claiming it: warming is on, a worker
    takes the queue (run in the writer's request it would make the writer wait), and no warm is
    waiting already (the refreshes of a burst of writes send one). The claim lasts until the
    warm starts (`warm`), is given back (`warm_release`), or at most ten minutes after the
    delay, should the message be lost."""
    if not settings.REPORT_WARM_ANSWERS or not settings.REPORT_ANSWERS_SECONDS:
        return False
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    return bool(cache.add(WARM_PENDING_KEY, True, settings.REPORT_WARM_DELAY_SECONDS + 600))


def warm_release() -> None:
    """Give the claim back: the warm was not sent, or it has started."""
    cache.delete(WARM_PENDING_KEY)


@dataclass
class Warmed:
    """What `warm` did: the answers made again, those that failed (logged), and whether it
    stopped because the rollups' standing allowed no keeping (an action marked since)."""

    made: int = 0
    failed: int = 0
    stopped: bool = False
    seconds: float = 0.0


def warm(alias: str) -> Warmed:
    """Make again, on the database `alias`, the answers noted in the last
    settings.REPORT_WARM_HOURS, the most recently asked first, so that they are kept under the
    rollups' standing of now. Stops when nothing made now could be kept (an action is marked:
    the refresh that takes the mark away sends another warm)."""
    started = time.perf_counter()
    result = Warmed()
    # A refresh from now on sends the next warm.
    warm_release()
    oldest = time.time() - settings.REPORT_WARM_HOURS * 3600
    asked = _asked()
    dropped = {key for key, item in asked.items() if item.at < oldest or item.kind not in WARMERS}
    reset = _warming.set(True)
    try:
        for key, item in sorted(asked.items(), key=lambda entry: entry[1].at, reverse=True):
            if key in dropped:
                continue
            if standing(alias, timezone.localdate()).tokens is None:
                result.stopped = True
                break
            try:
                import_string(WARMERS[item.kind])(**dict(item.params))
            # A parameter no longer valid (a project deleted since) or any other failure: the
            # answer is left to its next reader, and the others are still made.
            except Exception:
                logger.warning(
                    "report answers: %s could not be made again", item.kind, exc_info=True
                )
                dropped.add(key)
                result.failed += 1
                continue
            result.made += 1
    finally:
        _warming.reset(reset)
    if dropped:
        # Read again: what was noted meanwhile stays.
        _store({key: item for key, item in _asked().items() if key not in dropped})
    result.seconds = time.perf_counter() - started
    return result
