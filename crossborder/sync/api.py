"""Incremental sync of every list of the API: `?changed_since=`.

A list read with `changed_since` answers what was created or changed since, and what was deleted
since, a page at a time:

    GET /api/v1/<list>/?changed_since=<timestamp, `initial`, or a next_cursor>&limit=<1-100>

    {"results": [<records as the list shows them, oldest change first>],
     "deleted": [{"id": 12, "natural_key": {"reference": "..."}, "deleted_at": "<timestamp>"}],
     "next_cursor": "<opaque>",
     "has_more": false}

- `changed_since`: a timestamp with its time zone (`2026-11-30T19:00:00Z`; records changed or
  deleted at or after it), `initial` (a first sync: every record and no deletions), or the
  `next_cursor` of an earlier answer of the same list.
- The records and the deletions are each read in the order of their change (`updated_at`, id)
  and (`deleted_at`, id) after the position the cursor holds, at most `limit` of each per page.
  `has_more`: either reached `limit`; ask again with `next_cursor` until it is false, then keep
  the last `next_cursor` for the next sync. A record changed during a sync comes again, later.
  A client holds the records by id and applies each page in turn, its deletions first: a
  record deleted and made again (a participation record for the same action and jobseeker)
  comes back under a new id.
- Nothing is skipped when writes happen during a sync: the positions are keysets, not page
  numbers, so a write moves no record past one not yet read; and only what changed at least
  SYNC_SAFETY_SECONDS ago is handed out. That window is why a cursor never runs ahead of a
  transaction still open: `updated_at` is stamped when a record is saved, and the row becomes
  visible only when its transaction commits, perhaps after a shorter transaction stamped later;
  a cursor past "now" could step over it for good. Anything changed within the window comes with
  the next page or sync.
- Filters and search apply to `results`; `deleted` names every deletion of the list in the
  user's scope (a deleted record's fields are gone): deleting an id not held is a no-op.
  `ordering` and `page` do not apply.
- Deletions are kept SYNC_TOMBSTONE_DAYS days (crossborder.sync.models.Tombstone): a sync from
  further back answers 410 Gone, as the deletions it needs may be purged; read with `initial`.
- JSON only: a sync answer's deletions and cursor have no place in a CSV file.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.sync.models import Tombstone
from projects import access, periods

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from rest_framework.generics import GenericAPIView

SYNC_PARAMETER = "changed_since"
LIMIT_PARAMETER = "limit"
# `changed_since=initial`: a first sync, from nothing held.
INITIAL = "initial"
# The page sizes of the lists (crossborder.api.base.Pagination, which this module cannot import:
# that module imports this one; tests/api/test_sync.py checks that they agree).
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# The column a list's records are synced by: every listed model has it (auto_now, indexed).
CHANGED_FIELD = "updated_at"
# Signed, so that a cursor cannot be forged or garbled into a position (a bad one is a 400).
CURSOR_SALT = "crossborder.sync.cursor"
# Personal records: a partner sees the deletions of its own PES's only, as it sees the records.
PERSONAL_MODELS = ("participants.jobseeker", "participants.participation")
PERIOD_MODEL = "projects.reportingperiod"


def _timestamp_help() -> str:
    return _(
        "Give a timestamp with its time zone (e.g. 2026-11-30T19:00:00Z; a + in a URL is "
        "URL-encoded), `initial` for a first sync, or the next_cursor of an earlier answer of "
        "this list."
    )


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


GONE_DESCRIPTION = (
    "`changed_since` is further back than the deletions are kept (SYNC_TOMBSTONE_DAYS, 90 days by "
    "default): read the list again from the start with `changed_since=initial`."
)


@dataclass(frozen=True)
class Position:
    """Where a stream of changes was read to: everything at (`at`, `pk`) or before it. `pk`
    None: everything at `at` (and before)."""

    at: datetime.datetime
    pk: int | None = None

    def after(self, time_field: str) -> Q:
        """The rows beyond this position, in the order (time_field, pk)."""
        later = Q(**{f"{time_field}__gt": self.at})
        if self.pk is None:
            return later
        return later | Q(**{time_field: self.at, "pk__gt": self.pk})

    def dump(self) -> list[Any]:
        return [self.at.astimezone(datetime.UTC).isoformat(), self.pk]

    @classmethod
    def load(cls, value: Any) -> Position:
        at, pk = value
        moment = datetime.datetime.fromisoformat(at)
        if moment.tzinfo is None or not (pk is None or isinstance(pk, int)):
            raise ValueError("not a position")
        return cls(moment, pk)

    def __gt__(self, other: Position) -> bool:
        # None (all rows at `at`) lies beyond every id at the same moment.
        mine = (self.at, float("inf") if self.pk is None else self.pk)
        theirs = (other.at, float("inf") if other.pk is None else other.pk)
        return mine > theirs


@dataclass(frozen=True)
class SyncRequest:
    """A sync's page: the list (its model's label), the two positions read from, the horizon
    (nothing changed after it is handed out yet) and the page's size."""

    label: str
    results_from: Position
    deleted_from: Position
    horizon: datetime.datetime
    limit: int


def encode_cursor(label: str, results: Position, deleted: Position) -> str:
    return signing.dumps({"l": label, "r": results.dump(), "d": deleted.dump()}, salt=CURSOR_SALT)


def _invalid(message: str) -> serializers.ValidationError:
    return serializers.ValidationError({SYNC_PARAMETER: [message]})


def _decode_cursor(value: str, label: str) -> tuple[Position, Position]:
    try:
        payload = signing.loads(value, salt=CURSOR_SALT)
        cursor_label = payload["l"]
        results, deleted = Position.load(payload["r"]), Position.load(payload["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise _invalid(_timestamp_help()) from error
    if cursor_label != label:
        raise _invalid(
            _(
                "This cursor is of another list (%(list)s): continue a sync on the list that "
                "gave it."
            )
            % {"list": cursor_label}
        )
    return results, deleted


def parse_limit(request: Request) -> int | None:
    """The `limit` asked for (None: not given); 400 unless a whole number from 1 to MAX_LIMIT."""
    raw = request.query_params.get(LIMIT_PARAMETER)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise serializers.ValidationError(
            {LIMIT_PARAMETER: [_("Must be a whole number from 1 to %(max)s.") % {"max": MAX_LIMIT}]}
        )
    return int(raw)


def parse_sync(request: Request, label: str) -> SyncRequest:
    """The sync asked for by `changed_since`: 400 for a value that is neither a timestamp with
    its time zone, nor `initial`, nor a cursor of this list; 410 for one from before the
    deletions kept."""
    value = request.query_params.get(SYNC_PARAMETER, "").strip()
    now = timezone.now()
    horizon = now - datetime.timedelta(seconds=settings.SYNC_SAFETY_SECONDS)
    limit = parse_limit(request) or DEFAULT_LIMIT
    if value == INITIAL:
        # Every record; deletions from the first page's horizon on only: a record deleted
        # earlier is not among the results, and one deleted later may have been read already.
        results = Position(datetime.datetime.min.replace(tzinfo=datetime.UTC))
        return SyncRequest(label, results, Position(horizon), horizon, limit)
    try:
        moment = parse_datetime(value)
        if moment is not None and moment.tzinfo is not None:
            # In UTC, as the cursor keeps it: refused here (year 9999 at -01:00), if at all.
            moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError) as error:
        raise _invalid(_timestamp_help()) from error
    kept_from = now - datetime.timedelta(days=settings.SYNC_TOMBSTONE_DAYS)
    if moment is not None:
        if moment.tzinfo is None:
            raise _invalid(
                _(
                    "The timestamp needs its time zone, e.g. 2026-11-30T19:00:00Z or "
                    "2026-11-30T20:00:00+01:00 (a + in a URL is URL-encoded)."
                )
            )
        if moment < kept_from:
            raise _gone()
        # At or after the moment: a position just before it.
        since = Position(moment - datetime.timedelta(microseconds=1))
        return SyncRequest(label, since, since, horizon, limit)
    results, deleted = _decode_cursor(value, label)
    if deleted.at < kept_from:
        raise _gone()
    return SyncRequest(label, results, deleted, horizon, limit)


def refused_sync(message: str) -> serializers.ValidationError:
    """The 400 of `changed_since` sent to a list that does not sync."""
    return serializers.ValidationError({SYNC_PARAMETER: [message]})


def _gone() -> Gone:
    return Gone(
        _(
            "Deletions are kept %(days)s days, and this sync starts further back: read the list "
            "again from the start with changed_since=initial."
        )
        % {"days": settings.SYNC_TOMBSTONE_DAYS}
    )


def tombstones_for(user: AbstractUser | AnonymousUser, label: str) -> QuerySet[Tombstone]:
    """The deletions of a list a user may learn of: those of the records it could see."""
    tombstones = Tombstone.objects.filter(model=label)
    if user.is_authenticated and user.is_superuser:
        return tombstones
    if label in PERSONAL_MODELS:
        pes = access.own_pes(user) if access.can_read_personal_data(user) else None
        return tombstones.filter(pes_id=pes.pk) if pes is not None else tombstones.none()
    if label == PERIOD_MODEL:
        if periods.is_manager(user):
            return tombstones
        if not access.is_coordinator(user):
            return tombstones.none()
        return tombstones.filter(project_id__in=access.projects_editable_by(user).values("pk"))
    # Programme data: every role reads every record.
    return tombstones


def synced_model(queryset: QuerySet[Any]) -> type[Model] | None:
    """The model of a list that syncs: one with CHANGED_FIELD (None: the list does not)."""
    model = queryset.model
    try:
        model._meta.get_field(CHANGED_FIELD)
    except FieldDoesNotExist:
        return None
    return model


def _position(row: Any) -> Position:
    """A record's place in the order of changes, from an instance or a row of values (which
    must hold `id` and CHANGED_FIELD)."""
    if isinstance(row, dict):
        return Position(row[CHANGED_FIELD], row["id"])
    return Position(getattr(row, CHANGED_FIELD), row.pk)


class DeletedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="object_id", help_text="The deleted record's id.")
    natural_key = serializers.DictField(
        help_text=(
            "The deleted record's key in the API's words: `reference` (an action), `slug` "
            "(programme, project, organisation, office, sector, certificate), `code` (an "
            "indicator), or the keys of its parents (a figure: `action` reference, `metric`, "
            "`pes`). A jobseeker's names its PES only and a participation record's its `action` "
            "and `jobseeker` id: no personal data is kept of a deleted record."
        )
    )
    deleted_at = serializers.DateTimeField()


class SyncPagination(BasePagination):
    """A page of a sync: the records changed and the records deleted after the positions of the
    cursor, each at most `limit`, up to the horizon."""

    def __init__(self, sync: SyncRequest, tombstones: QuerySet[Tombstone]) -> None:
        self.sync = sync
        self.tombstones = tombstones
        self.next_results = sync.results_from
        self.next_deleted = sync.deleted_from
        self.has_more = False
        self.deleted: list[Tombstone] = []

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any]:
        # A list's records come as a queryset (of instances, or of rows of values).
        assert isinstance(queryset, QuerySet)
        if request.accepted_renderer.format != "json":
            raise serializers.ValidationError(
                {SYNC_PARAMETER: [_("A sync answers in JSON only: leave out format=csv.")]}
            )
        sync = self.sync
        changed = (
            queryset.filter(sync.results_from.after(CHANGED_FIELD))
            .filter(**{f"{CHANGED_FIELD}__lte": sync.horizon})
            .order_by(CHANGED_FIELD, "pk")
        )
        rows = list(changed[: sync.limit + 1])
        deleted = list(
            self.tombstones.filter(sync.deleted_from.after("deleted_at"))
            .filter(deleted_at__lte=sync.horizon)
            .order_by("deleted_at", "pk")[: sync.limit + 1]
        )
        more_rows, more_deleted = len(rows) > sync.limit, len(deleted) > sync.limit
        rows, self.deleted = rows[: sync.limit], deleted[: sync.limit]
        self.has_more = more_rows or more_deleted
        # Where the next page of each stream starts: after its last row when there are more;
        # else every change up to the horizon was read (never backwards, for a cursor given
        # beyond the horizon).
        horizon = Position(sync.horizon)
        if more_rows:
            self.next_results = _position(rows[-1])
        elif horizon > sync.results_from:
            self.next_results = horizon
        if more_deleted:
            last = self.deleted[-1]
            self.next_deleted = Position(last.deleted_at, last.pk)
        elif horizon > sync.deleted_from:
            self.next_deleted = horizon
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        cursor = encode_cursor(self.sync.label, self.next_results, self.next_deleted)
        return Response(
            {
                "results": data,
                "deleted": DeletedSerializer(self.deleted, many=True).data,
                "next_cursor": cursor,
                "has_more": self.has_more,
            }
        )


def sync_page_schema(results: dict[str, Any]) -> dict[str, Any]:
    """The schema of a sync's answer, around the schema of the list's records."""
    deleted = {
        "type": "object",
        "properties": {
            "id": {"type": "integer", "description": "The deleted record's id."},
            "natural_key": {
                "type": "object",
                "additionalProperties": {},
                "description": str(DeletedSerializer().fields["natural_key"].help_text),
            },
            "deleted_at": {"type": "string", "format": "date-time"},
        },
        "required": ["id", "natural_key", "deleted_at"],
    }
    return {
        "type": "object",
        "description": "An answer to `changed_since`.",
        "properties": {
            "results": {
                **results,
                "description": "Records created or changed since, oldest change first.",
            },
            "deleted": {
                "type": "array",
                "items": deleted,
                "description": "Records deleted since, oldest deletion first.",
            },
            "next_cursor": {
                "type": "string",
                "description": (
                    "Send as `changed_since` for the next page (`has_more`) or the next sync."
                ),
            },
            "has_more": {
                "type": "boolean",
                "description": "More changes or deletions wait: ask again with `next_cursor`.",
            },
        },
        "required": ["results", "deleted", "next_cursor", "has_more"],
    }


# As pagination parameters are documented: OpenAPI parameter objects.
SYNC_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": SYNC_PARAMETER,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": (
            "Incremental sync: only the records created or changed, and (in `deleted`) those "
            "deleted, since a timestamp with its time zone (e.g. `2026-11-30T19:00:00Z`, at or "
            "after it), since the `next_cursor` of an earlier answer of this list, or "
            "`initial` for a first sync. Ordered by change, paged by `limit`; `page` and "
            "`ordering` do not apply, filters apply to `results`. Changes of the last "
            "SYNC_SAFETY_SECONDS (5 minutes by default) come with the next sync. JSON only. "
            "400 for another value, 410 for a sync from further back than deletions are kept."
        ),
    },
    {
        "name": LIMIT_PARAMETER,
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        "description": (
            f"Records per page (1 to {MAX_LIMIT}, {DEFAULT_LIMIT} by default); with "
            "`changed_since`, records and deletions each. `page_size`, when given, wins on a "
            "list read without `changed_since`."
        ),
    },
]


class SyncDocumentation(BasePagination):
    """What the schema shows of a list that syncs: its pagination's parameters and answer, and
    those of a sync (the answer: one or the other)."""

    def __init__(self, paginator: BasePagination) -> None:
        self.paginator = paginator

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = list(self.paginator.get_schema_operation_parameters(view))
        return [*parameters, *SYNC_PARAMETERS]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "oneOf": [
                self.paginator.get_paginated_response_schema(schema),
                sync_page_schema(schema),
            ]
        }


def documented_paginator(view: APIView, paginator: BasePagination | None) -> Any:
    """For the schema (crossborder.api.base.ApiSchema): a list's paginator, with the sync's
    parameters and answer when the list syncs."""
    if paginator is None or not view_syncs(view):
        return paginator
    return SyncDocumentation(paginator)


def view_syncs(view: APIView) -> bool:
    """Whether a view's list syncs (for the schema, from the view's model)."""
    from drf_spectacular.plumbing import get_view_model

    model = get_view_model(view, emit_warnings=False)
    if model is None:
        return False
    return synced_model(model._default_manager.none()) is not None


class SyncListMixin:
    """On every list of the API (crossborder.api.base.ApiViewMixin, before DRF's generic view in
    the order of its bases): `changed_since` turns the page into a sync's page (SyncPagination),
    and `limit` sets a page's size."""

    _sync: SyncRequest | None
    _paginator: BasePagination | None

    def _view(self) -> GenericAPIView[Any]:
        # The generic view this is mixed into.
        return cast("GenericAPIView[Any]", self)

    def _lists_synced_model(self) -> bool:
        view = self._view()
        return getattr(view, "action", None) == "list" and (
            synced_model(view.get_queryset()) is not None
        )

    def sync_request(self) -> SyncRequest | None:
        """The sync this request asks for, None when it is no sync of a list that syncs."""
        if not hasattr(self, "_sync"):
            view = self._view()
            self._sync = None
            if (
                SYNC_PARAMETER in view.request.query_params
                and getattr(view, "action", None) == "list"
            ):
                if not self._lists_synced_model():
                    # Ignored, it would pass the whole list off as what changed since.
                    raise refused_sync(_("This list does not sync: read it whole."))
                label = view.get_queryset().model._meta.label_lower
                self._sync = parse_sync(view.request, label)
        return self._sync

    @property
    def paginator(self) -> BasePagination | None:
        if not hasattr(self, "_paginator"):
            sync = self.sync_request()
            if sync is not None:
                user = self._view().request.user
                self._paginator = SyncPagination(sync, tombstones_for(user, sync.label))
                return self._paginator
            paginator = super().paginator  # type: ignore[misc]
            if isinstance(paginator, PageNumberPagination) and self._lists_synced_model():
                paginator.page_size = parse_limit(self._view().request) or paginator.page_size
        return self._paginator
