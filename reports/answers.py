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
  report's page tells besides (kept whole: `kept`, reports.year_views.SheetPage);
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
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from redis.exceptions import RedisError

from crossborder.core import dataversion

from .models import DirtyAction, RollupState

logger = logging.getLogger(__name__)

Answer = TypeVar("Answer")
# Part of every key: a release that counts differently changes it, so that answers kept by the
# one before, in a Redis that outlives both, are not given again.
ANSWERS_FORMAT = "1"


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


def kept(alias: str, as_of: Any, asked: Sequence[Any], make: Callable[[], Answer]) -> Answer:
    """A whole answer made of the rollups' tables and of what the data version watches (the
    year report's page: its tables, the actions' lines and stories, the projects, the
    periods), from the cache or made by `make` and kept under the same standing as the tables.
    Unlike `hot`, always an answer: one made before the rollups' horizon reads the records
    and is made anew each time."""
    if not settings.REPORT_ANSWERS_SECONDS:
        return make()
    answer = _given(alias, as_of, _standing_for(alias, as_of), asked, make)
    assert answer is not None
    return answer


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
        given = _get(key)
        if given is not None:
            return given
    reset = _making.set((alias, as_of, found))
    try:
        answer = make()
    finally:
        _making.reset(reset)
    if key is not None and answer is not None:
        _set(key, answer)
    return answer


# The shared cache is a help, not a need: a Redis gone away makes the answers slower, not wrong
# nor refused (/healthz says it is down).
def _get(key: str) -> Any:
    try:
        return cache.get(key)
    except (RedisError, OSError) as error:
        logger.warning("report answers: the cache is not answering: %s", error)
        return None


def _set(key: str, answer: Any) -> None:
    try:
        cache.set(key, answer, settings.REPORT_ANSWERS_SECONDS)
    except (RedisError, OSError) as error:
        logger.warning("report answers: the cache is not answering: %s", error)
