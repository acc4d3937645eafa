"""The API of follow-ups: GET /api/v1/follow-ups/ lists the follow-ups of the user's PES (due,
overdue, done, not yet due) with the natural keys of the partner API; POST records one, or a
list of up to 5,000 at once, all or nothing. Scoped as /participations/: the partners and
coordinators of a PES for its own jobseekers (access.participations_for), superusers for all.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from actions.models import Action
from actions.serializers import PushProblemsSerializer, push_items
from actions.services import PUSH_MAX_ITEMS, ItemProblem, PushRefused
from crossborder.api.base import (
    ApiSchema,
    JSONParser,
    Pagination,
    PersonalDataAccess,
    StrictFieldsMixin,
    unknown_fields,
)
from crossborder.api.keys import ActionKeyField, JobseekerKeyField
from crossborder.audit.models import ReadKind
from crossborder.audit.services import read_record
from crossborder.core.periods import FIRST_DAY, LAST_YEAR
from crossborder.sync.api import SYNC_PARAMETER, refused_sync
from projects import access

from .followups import (
    OPEN_STATES,
    FollowUp,
    FollowUpItem,
    follow_up_rows,
    follow_ups_due,
    follow_ups_record_bulk,
    situation_choices,
)
from .models import FollowUpKind, FollowUpSource, FollowUpState, Participation

# Every situation of either kind, for the schema; which kind takes which is checked per item.
ALL_SITUATIONS: list[str] = list(
    dict.fromkeys(
        value for kind in FollowUpKind.values for value, _label in situation_choices(kind)
    )
)
# The days a list may be asked for, and a follow-up dated: those a record may hold.
LAST_DAY = datetime.date(LAST_YEAR, 12, 31)


class FollowUpSerializer(serializers.Serializer):
    """A follow-up as listed: the participation by id and by the natural keys (the action's
    reference, the jobseeker's PES and reference), the kind, when it falls due and where it
    stands on the list's day, and what was recorded (blank, null: nothing yet)."""

    participation = serializers.IntegerField(source="participation.pk")
    action = serializers.CharField(
        source="participation.action.reference", help_text="The action's reference."
    )
    jobseeker = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    due_on = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=FollowUpState.choices)
    situation = serializers.SerializerMethodField()
    checked_on = serializers.SerializerMethodField()
    # DRF takes `source` out of the class into its fields; the stubs see Field.source.
    source = serializers.SerializerMethodField()  # type: ignore[assignment]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"pes": {"type": "string"}, "ref": {"type": "string"}},
            "required": ["pes", "ref"],
            "description": "The jobseeker's PES (slug) and reference there.",
        }
    )
    def get_jobseeker(self, follow_up: FollowUp) -> dict[str, str]:
        jobseeker = follow_up.participation.jobseeker
        return {"pes": jobseeker.pes.slug, "ref": jobseeker.external_ref}

    @extend_schema_field({"type": "string", "enum": ["", *ALL_SITUATIONS]})
    def get_situation(self, follow_up: FollowUp) -> str:
        return str(follow_up.part("situation"))

    @extend_schema_field({"type": "string", "format": "date", "nullable": True})
    def get_checked_on(self, follow_up: FollowUp) -> datetime.date | None:
        value: datetime.date | None = follow_up.part("checked_on")
        return value

    @extend_schema_field({"type": "string", "enum": ["", *FollowUpSource.values]})
    def get_source(self, follow_up: FollowUp) -> str:
        return str(follow_up.part("source"))


class FollowUpWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """One follow-up to record: the participation by its id, or by its action (id or
    reference) and jobseeker (id, or `{"pes": <slug>, "ref": <reference>}`); the kind; the
    situation found (of the kind's: on leaving employed, self_employed, education,
    job_seeking, inactive; six months on employed, self_employed, better_situation,
    no_improvement), the day it was checked and the source."""

    participation = serializers.IntegerField(
        required=False, min_value=1, help_text="The participation's id (or action + jobseeker)."
    )
    action = ActionKeyField(
        queryset=Action.objects.all(), required=False, help_text="The action, by id or reference."
    )
    jobseeker = JobseekerKeyField(required=False)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    situation = serializers.ChoiceField(choices=ALL_SITUATIONS)
    checked_on = serializers.DateField(help_text="The day the situation was checked.")
    source = serializers.ChoiceField(choices=FollowUpSource.choices)  # type: ignore[assignment]

    def validate_checked_on(self, value: datetime.date) -> datetime.date:
        if not FIRST_DAY <= value <= LAST_DAY:
            raise serializers.ValidationError(
                _("May not be before %(first)s nor after %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
            )
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if "participation" in data:
            if "action" in data or "jobseeker" in data:
                raise serializers.ValidationError(
                    {"participation": [_("Give the participation or its action and jobseeker.")]}
                )
        else:
            missing = [name for name in ("action", "jobseeker") if name not in data]
            if missing:
                raise serializers.ValidationError(
                    {
                        name: [_("Required, with the action, when no participation is given.")]
                        for name in missing
                    }
                )
        allowed = {value for value, _label in situation_choices(data["kind"])}
        if data["situation"] not in allowed:
            raise serializers.ValidationError(
                {
                    "situation": [
                        _("Not a situation of this follow-up; give one of %(values)s.")
                        % {"values": ", ".join(sorted(allowed))}
                    ]
                }
            )
        return data


class FollowUpPushSerializer(StrictFieldsMixin, serializers.Serializer):
    """A list of follow-ups to record at once, all or nothing."""

    follow_ups = push_items(FollowUpWriteSerializer())


class FollowUpResultSerializer(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="The follow-ups recorded.")
    results = FollowUpSerializer(many=True, help_text="Each, in the order sent.")


def _states(text: str) -> list[str]:
    states = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [state for state in states if state not in FollowUpState.values]
    if unknown or not states:
        raise serializers.ValidationError(
            {
                "state": [
                    _("“%(value)s” is no state; give one or more of %(values)s, by commas.")
                    % {"value": ", ".join(unknown), "values": ", ".join(FollowUpState.values)}
                ]
            }
        )
    return states


def _day(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise serializers.ValidationError(
            {
                "as_of": [
                    _("“%(value)s” is no day from %(first)s to %(last)s, as 2027-02-28.")
                    % {"value": text, "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
                ]
            }
        )
    return day


LIST_PARAMETERS = [
    OpenApiParameter(
        "state",
        {"type": "array", "items": {"type": "string", "enum": FollowUpState.values}},
        style="form",
        explode=False,
        description="The states to list, by commas (`due,overdue`, the default).",
    ),
    OpenApiParameter("kind", {"type": "string", "enum": FollowUpKind.values}),
    OpenApiParameter("action", str, description="The action's id or reference."),
    OpenApiParameter("pes", str, description="A PES's slug (a superuser's filter)."),
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="The day the states are of; today by default."
    ),
]


class FollowUpSchema(ApiSchema):
    """GET is a list (paged, with its 400), POST a write. The list is no sync of records (no
    `changed_since`, `limit` nor 410): a follow-up's state changes with the days, not only
    with its record."""

    def _is_list_view(self, serializer: object = None) -> bool:
        return self.method == "GET"

    def _get_paginator(self) -> Any:
        return AutoSchema._get_paginator(self)

    def error_codes(self) -> list[str]:
        return [code for code in super().error_codes() if code != "410"]


class FollowUpList(generics.GenericAPIView[Participation]):
    """GET: the follow-ups of the user's PES; POST: record follow-ups."""

    permission_classes = [PersonalDataAccess]
    renderer_classes = [JSONRenderer]
    # JSON only: a list of objects has no form encoding.
    parser_classes = [JSONParser]
    pagination_class = Pagination
    schema = FollowUpSchema()
    serializer_class = FollowUpSerializer

    def get_queryset(self) -> QuerySet[Participation]:
        return access.participations_for(self.request.user, Participation.objects.all())

    @extend_schema(
        # Not `_list`: the follow-ups are no synced list of records (no `changed_since`).
        operation_id="follow_ups_read",
        parameters=LIST_PARAMETERS,
        responses={200: FollowUpSerializer(many=True)},
        description=(
            "The follow-ups of the participations of the user's PES (a superuser's: all, or "
            "`pes`): on leaving, due the day the jobseeker left the action; six months on, due "
            "six calendar months later; overdue 28 days after (FOLLOW_UP_GRACE_DAYS). The "
            "overdue first, then by the day they left. Only for jobseekers who started an "
            "action after which work can be found."
        ),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        if SYNC_PARAMETER in params:
            raise refused_sync(
                _(
                    "The follow-ups do not sync: their states change with the days. Sync "
                    "/participations/, which holds what they record."
                )
            )
        states = _states(params["state"]) if "state" in params else list(OPEN_STATES)
        as_of = _day(params["as_of"]) if "as_of" in params else timezone.localdate()
        kind = params.get("kind")
        if kind is not None and kind not in FollowUpKind.values:
            raise serializers.ValidationError(
                {
                    "kind": [
                        _("Give one of %(values)s.") % {"values": ", ".join(FollowUpKind.values)}
                    ]
                }
            )
        participations = self.get_queryset()
        if "action" in params:
            key = params["action"].strip()
            if key.isascii() and key.isdigit() and len(key) <= 18:
                participations = participations.filter(Q(action_id=int(key)))
            else:
                participations = participations.filter(action__reference=key)
        if "pes" in params:
            participations = participations.filter(pes__slug=params["pes"].strip())
        rows = follow_ups_due(as_of=as_of, participations=participations, states=states, kind=kind)
        page = self.paginate_queryset(rows)
        assert page is not None
        follow_ups = follow_up_rows(page)
        # The jobseekers named, in the read audit, as /participations/ records its pages.
        read_record(
            user=request.user,
            kind=ReadKind.API_LIST,
            path=request.path,
            jobseeker_ids=[follow_up.participation.jobseeker_id for follow_up in follow_ups],
        )
        serializer = FollowUpSerializer(follow_ups, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        operation_id="follow_ups_create",
        request=PolymorphicProxySerializer(
            component_name="FollowUpPost",
            serializers=[FollowUpWriteSerializer, FollowUpPushSerializer],
            resource_type_field_name=None,
        ),
        responses={
            200: FollowUpResultSerializer,
            400: OpenApiResponse(
                PushProblemsSerializer,
                description="Every problem, by item (`index`, from 0 in a list; null for a "
                "single follow-up or the body as a whole; `field`; `message`); nothing was "
                "written.",
            ),
        },
        description=(
            'Records one follow-up (an object), or a list (`{"follow_ups": [...]}`, 1 to '
            f"{PUSH_MAX_ITEMS:,}) in one transaction: all are written or, with a 400 listing "
            "every problem by item, none. Each names its participation by id, or by its action "
            '(id or reference) and jobseeker (id or `{"pes": <slug>, "ref": <reference>}`) '
            "of the user's PES; another PES's is unknown. On leaving, a situation in work sets "
            "the participation's date of work found when it has none."
        ),
    )
    def post(self, request: Request) -> Response:
        try:
            data = request.data
        except ParseError as error:
            return _refused([ItemProblem(None, "non_field_errors", str(error.detail))])
        except serializers.ValidationError as error:
            # The JSON parser's refusals (crossborder.api.base.JSONParser), by place: an item's
            # (`follow_ups.3.action`) or the body's.
            return _refused(_problems(error.detail, many=True))
        many = isinstance(data, Mapping) and "follow_ups" in data
        serializer_class = FollowUpPushSerializer if many else FollowUpWriteSerializer
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        unknown = unknown_fields(serializer, data)
        if unknown:
            return _refused(_problems(unknown, many), single=not many)
        if not serializer.is_valid():
            return _refused(_problems(serializer.errors, many), single=not many)
        items = serializer.validated_data["follow_ups"] if many else [serializer.validated_data]
        found, problems = self._participations(items)
        if problems:
            return _refused(problems, single=not many)
        try:
            follow_ups_record_bulk(
                items=[
                    FollowUpItem(
                        found[index],
                        item["kind"],
                        item["situation"],
                        item["checked_on"],
                        item["source"],
                    )
                    for index, item in enumerate(items)
                ],
                user=request.user,
            )
        except PushRefused as refused:
            return _refused(refused.problems, single=not many)
        results = [
            FollowUp(
                found[index],
                item["kind"],
                found[index].follow_up_due_on(item["kind"]),
                FollowUpState.DONE,
            )
            for index, item in enumerate(items)
        ]
        body = {"recorded": len(results), "results": FollowUpSerializer(results, many=True).data}
        return Response(body, status=status.HTTP_200_OK)

    def _participations(
        self, items: list[dict[str, Any]]
    ) -> tuple[dict[int, Participation], list[ItemProblem]]:
        """The participations the items name, within the user's scope, in one query; a
        problem for each item that names none there."""
        ids = {item["participation"] for item in items if "participation" in item}
        pairs = {(item["action"].pk, item["jobseeker"].pk) for item in items if "action" in item}
        query = Q(pk__in=ids)
        for action_id, jobseeker_id in pairs:
            query |= Q(action_id=action_id, jobseeker_id=jobseeker_id)
        records = (
            list(self.get_queryset().filter(query).select_related("action", "jobseeker__pes"))
            if ids or pairs
            else []
        )
        by_id = {record.pk: record for record in records}
        by_pair = {(record.action_id, record.jobseeker_id): record for record in records}
        found: dict[int, Participation] = {}
        problems: list[ItemProblem] = []
        for index, item in enumerate(items):
            if "participation" in item:
                record = by_id.get(item["participation"])
                if record is None:
                    problems.append(
                        ItemProblem(
                            index,
                            "participation",
                            _("No participation of your PES has the id %(id)s.")
                            % {"id": item["participation"]},
                        )
                    )
                    continue
            else:
                record = by_pair.get((item["action"].pk, item["jobseeker"].pk))
                if record is None:
                    problems.append(
                        ItemProblem(
                            index,
                            "jobseeker",
                            _("This jobseeker has no participation in this action."),
                        )
                    )
                    continue
            found[index] = record
        return found, problems


def _problems(detail: Any, many: bool) -> list[ItemProblem]:
    """DRF's error detail as problems by item: a list's `follow_ups.3.kind` is item 3's
    `kind`; a single follow-up is item 0 (which `_refused` reports as the request's)."""
    problems: list[ItemProblem] = []

    def walk(value: Any, place: list[str]) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(inner, [*place, str(key)])
        elif isinstance(value, list) and all(isinstance(inner, str) for inner in value):
            problems.extend(_problem(place, str(message), many) for message in value)
        elif isinstance(value, list):
            for position, inner in enumerate(value):
                walk(inner, [*place, str(position)])
        else:
            problems.append(_problem(place, str(value), many))

    walk(detail, [])
    return problems


def _problem(place: list[str], message: str, many: bool) -> ItemProblem:
    # A place may come whole (`follow_ups.0.kind`, from unknown_fields) or by its parts.
    place = ".".join(place).split(".") if place else []
    if many:
        if len(place) > 1 and place[0] == "follow_ups" and place[1].isdigit():
            return ItemProblem(int(place[1]), ".".join(place[2:]) or "non_field_errors", message)
        return ItemProblem(None, ".".join(place) or "non_field_errors", message)
    return ItemProblem(0, ".".join(place) or "non_field_errors", message)


def _refused(problems: list[ItemProblem], *, single: bool = False) -> Response:
    """A 400 listing the problems. `single`: the body was one follow-up, whose problems are
    the request's (index null), as a push's problems of the push as a whole are."""
    return Response(
        {
            "problems": [
                {
                    "index": None if single else problem.index,
                    "field": problem.field,
                    "message": problem.message,
                }
                for problem in problems
            ]
        },
        status=status.HTTP_400_BAD_REQUEST,
    )
