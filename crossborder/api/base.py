"""The partner REST API's common ground: access rules, paging, errors and schema. It imports no
endpoint: the router (crossborder/api/urls.py) imports them all.

Every endpoint answers 401 to an anonymous request and 403 to a user without a product role (a
"stranger"): a stranger is told it may not use the API rather than shown empty lists, so a
missing role is noticed at once. Objects outside a user's scope (another PES's jobseekers) do
not exist for it: 404. Objects it may read but not change (another project's action, for a
coordinator) answer 403 to a write.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, Literal, cast

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import DataError, IntegrityError
from django.db.models import Model
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter
from rest_framework import filters, mixins, parsers, serializers, status, viewsets
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from crossborder.api.renderers import SEP_PARAMETER as SEP_PARAMETER_NAME
from crossborder.api.renderers import CSVRenderer
from crossborder.core.periods import FIRST_YEAR, LAST_YEAR, parse_year
from crossborder.core.versions import StaleVersion
from crossborder.core.writers import SEPARATORS
from crossborder.sync.api import GONE_DESCRIPTION, SyncListMixin, documented_paginator, view_syncs
from projects import access

if TYPE_CHECKING:
    # Only in the stubs: what GenericAPIView.filter_backends may hold besides filter classes.
    from rest_framework.generics import BaseFilterProtocol


class Pagination(PageNumberPagination):
    """Pages of 25 by default. A `page_size` that is no whole number from 1 to 100 is a 400
    naming it (DRF would fall back to 25 in silence, and the schema says integer); a `page`
    that is no page of the list is DRF's 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= self.max_page_size):
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        _("“%(value)s” is not a page size; send a whole number from 1 to %(max)s.")
                        % {"value": value, "max": self.max_page_size}
                    ]
                }
            )
        return int(value)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


# Database ids in URLs: at most 18 digits, so a fuzzed 30-digit id is a 404 from the router
# rather than an integer overflow in the database.
ID_PATTERN = "[0-9]{1,18}"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")


VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Messages by field name (`non_field_errors` for the object as a whole, `detail` for a "
        "malformed request); an unknown field is named with the message `Unknown field.`."
    ),
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages by field name or query parameter.",
    "401": (
        "No or invalid credentials, or an expired or revoked token (`detail` says which): send "
        "`Authorization: Token <key>` or log in."
    ),
    "403": "The user's role does not allow this.",
    "404": "No such object in the user's scope, no such page, or an unknown `format`.",
    "429": "Too many requests: wait the number of seconds in `Retry-After`.",
    "414": (
        "The request line (path and query string) is longer than the server takes (8,190"
        " bytes with gunicorn.conf.py): ask for fewer values at once."
    ),
    "412": (
        "The record changed since the version named in `If-Match`: the answer carries the "
        "current version (`version`, and in the `ETag` header) and the record as it is now "
        "(`current`); look at it and send the change again with that ETag."
    ),
    "428": "No `If-Match`: send the `ETag` of the record's detail (GET) with the change.",
    "410": GONE_DESCRIPTION,
}

VERSION_CONFLICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "Why the change was refused."},
        "version": {"type": "integer", "description": "The record's current version."},
        "current": {
            "type": "object",
            "additionalProperties": {},
            "description": "The record as it is now, as its detail shows it.",
        },
    },
    "required": ["detail", "version", "current"],
}

# The methods that change a versioned record in place, and so must name the version (If-Match).
VERSIONED_METHODS = ("PUT", "PATCH", "DELETE")
# The operations on one versioned record, whose answers carry its version as ETag (a DELETE: its
# 412).
VERSIONED_ACTIONS = ("retrieve", "create", "update", "partial_update", "destroy")

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "The `ETag` of the record's detail (GET), or of the answer to the last write of it: "
        'the version the change is based on, e.g. `"3"`. Without it 428; with an older one 412.'
    ),
)

ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    location=OpenApiParameter.HEADER,
    response=["200", "201", "412"],
    description=(
        'The record\'s version, e.g. `"3"`: send it as `If-Match` with a change (PATCH) or a '
        "delete (DELETE)."
    ),
)


class ApiSchema(AutoSchema):
    """Documents the errors every endpoint can answer besides its own responses, and CSV as
    text (its rows are those of the JSON body, flattened)."""

    def _is_versioned(self) -> bool:
        return bool(getattr(self.view, "versioned", False))

    def error_codes(self) -> list[str]:
        # 404 everywhere: an unknown `format` is one too.
        codes = ["401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.append("400")
        if self._is_versioned() and self.method in VERSIONED_METHODS:
            # A DELETE's 400: several ETags in If-Match.
            codes.extend(["400", "412", "428"])
        if self.method == "GET":
            # gunicorn refuses a longer request line before the API reads it.
            codes.append("414")
        if self._is_list_view() and view_syncs(self.view):
            # `changed_since` further back than the deletions are kept (crossborder.sync.api).
            codes.append("410")
        return list(dict.fromkeys(codes))

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_versioned():
            if self.method in VERSIONED_METHODS:
                parameters.append(IF_MATCH_PARAMETER)
            if getattr(self.view, "action", None) in VERSIONED_ACTIONS:
                parameters.append(ETAG_HEADER)
        return parameters

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        # A list's bounds (DRF checks them; drf-spectacular leaves them out): a push that may
        # not be empty declares `minItems: 1`, its largest size `maxItems`.
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)
        if isinstance(field, serializers.ListSerializer | serializers.ListField):
            # The stubs' ListSerializer lists neither bound (DRF 3.14 has both).
            min_length = getattr(field, "min_length", None)
            max_length = getattr(field, "max_length", None)
            if min_length is not None:
                meta.setdefault("minItems", min_length)
            elif not getattr(field, "allow_empty", True):
                meta.setdefault("minItems", 1)
            if max_length is not None:
                meta.setdefault("maxItems", max_length)
        return meta

    def _get_format_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_format_parameters()
        if CSVRenderer.format in self.map_renderers("format"):
            parameters.append(
                build_parameter_type(
                    name=SEP_PARAMETER.name,
                    schema={"type": "string", "enum": SEP_PARAMETER.enum},
                    location=OpenApiParameter.QUERY,
                    description=SEP_PARAMETER.description,
                )
            )
        return parameters

    def _get_paginator(self) -> Any:
        # A list that syncs documents `changed_since`, `limit` and the sync's answer too.
        return documented_paginator(self.view, super()._get_paginator())

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code in responses:
                continue
            schema = {"400": VALIDATION_ERROR_SCHEMA, "412": VERSION_CONFLICT_SCHEMA}.get(
                code, ErrorSerializer
            )
            responses[code] = self._get_response_for_code(schema, code)
            responses[code]["description"] = ERROR_DESCRIPTIONS[code]
        return responses

    def _get_response_for_code(
        self,
        serializer: Any,
        status_code: str,
        media_types: Any = None,
        direction: str = "response",
    ) -> dict[str, Any]:
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        if CSVRenderer.media_type in content:
            content[CSVRenderer.media_type] = {"schema": {"type": "string"}}
        return response


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description=(
        "`csv` gives the same rows as CSV (UTF-8 with a byte-order mark, for Excel), whatever "
        "the Accept header says; its cells are separated as `sep` says."
    ),
)

SEP_PARAMETER = OpenApiParameter(
    SEP_PARAMETER_NAME,
    str,
    enum=list(SEPARATORS),
    description=(
        "The CSV's cell separator (with `format=csv`): `;`, `,` or `tab`. By default `;` for "
        "Dutch and French (Belgian and French Excel split at semicolons) and `,` for English, "
        "by the request's language (`Accept-Language`, or the site's language cookie). Any "
        "other value is a 400 naming the allowed ones, whatever the format."
    ),
)


class ProgrammeDataAccess(BasePermission):
    """Programme data: read by every role; changed by coordinators (within the projects their
    organisation takes part in, per `access.projects_editable_by`) and superusers."""

    message = "Your account has no role in Crossborder: ask a coordinator for one."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not access.can_read_programme(user):
            return False
        if request.method in SAFE_METHODS:
            return True
        self.message = "Only coordinators change programme data."
        return user.is_superuser or access.is_coordinator(user)


class PersonalDataAccess(BasePermission):
    """Jobseekers and participations: partners and coordinators of a PES, for their own PES
    (the queryset scopes them); superusers. Managers and other roles never see them."""

    message = "Your account has no role in Crossborder: ask a coordinator for one."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not access.can_read_programme(user):
            return False
        self.message = "Personal data is for the partners and coordinators of a PES."
        if request.method in SAFE_METHODS:
            return access.can_read_personal_data(user)
        return access.can_write_personal_data(user)


# JSON bodies: how deep they may nest, and how many digits an integer may have (an id has at
# most 18, see ID_PATTERN; the largest count fits in 10). Python's json parser recurses once per
# level and fails with RecursionError near 1,000; the bodies the endpoints read nest 3 levels
# at most (a push: an object, its list of jobseekers, each an object).
MAX_JSON_DEPTH = 64
MAX_JSON_DIGITS = 18
# A JSON string (which may hold brackets; unterminated, it runs to the end) or a bracket. The
# quantifiers never give back, so that each byte is read once: a pattern that tried again from
# each quote took 12 s over 40 kB of \" (2.5 MB, the most a body holds, takes 0.1 s).
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)


class _TooLarge:
    """A number parsed from JSON that no field can hold, kept to be reported by its place."""


_TOO_LARGE = _TooLarge()


def _within_limits(parse: Any) -> Any:
    """A form parser's `parse`, with a body beyond Django's limits (more fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, more bytes than DATA_UPLOAD_MAX_MEMORY_SIZE) a 400 in the
    API's format: Django's refusal is no API error, and would be answered as its HTML page."""

    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(self, *args, **kwargs)
        except (TooManyFieldsSent, RequestDataTooBig) as error:
            raise ParseError(str(error)) from error

    return checked


class FormParser(parsers.FormParser):
    parse = _within_limits(parsers.FormParser.parse)


class MultiPartParser(parsers.MultiPartParser):
    parse = _within_limits(parsers.MultiPartParser.parse)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a 400 naming the problem for what would otherwise reach a field
    as a server error: nesting beyond MAX_JSON_DEPTH levels (checked on the raw bytes, before
    the recursive parse), an integer of more than MAX_JSON_DIGITS digits or a number beyond a
    float (1e400), and a NUL character in any key or string (PostgreSQL cannot store it). The
    last two are messages by place: `field`, or `field.0.subfield` within lists and objects."""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        _check_depth(raw)
        try:
            data = json.loads(
                raw.decode(encoding),
                parse_int=_parse_int,
                parse_float=_parse_float,
                # NaN and Infinity are no JSON, though Python writes them.
                parse_constant=strict_constant,
            )
        except (ValueError, LookupError) as exc:  # LookupError: an unknown charset
            raise ParseError(f"JSON parse error - {exc}") from exc
        _check_values(data)
        return data


def _check_depth(raw: bytes) -> None:
    depth = 0
    for token in _JSON_TOKEN.finditer(raw):
        kind = token.group()[:1]
        if kind == b'"':
            continue
        if kind in b"[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ParseError(
                    _("The JSON is nested more than %(limit)s levels deep.")
                    % {"limit": MAX_JSON_DEPTH}
                )
        else:
            depth -= 1
            if depth < 0:
                return  # not JSON: json.loads says where


def _parse_int(text: str) -> int | _TooLarge:
    # Before int(): Python refuses to convert more than 4,300 digits, with a message about
    # itself; and an integer field of the database holds 19 digits at most.
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        return _TOO_LARGE
    return int(text)


def _parse_float(text: str) -> float | _TooLarge:
    number = float(text)
    return number if math.isfinite(number) else _TOO_LARGE


def _check_values(data: Any) -> None:
    """Every key and value of the parsed body, without recursion: the first too-large number
    or NUL character is a 400 by its place."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        place, value = stack.pop()
        if value is _TOO_LARGE:
            _refuse(place, _("The number is too large."))
        if isinstance(value, str) and "\x00" in value:
            _refuse(place, ProhibitNullCharactersValidator.message)
        items: Iterable[tuple[object, Any]] = ()
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        for key, item in items:
            name = str(key).replace("\x00", "\\u0000")
            inner = f"{place}.{name}" if place else name
            if "\x00" in str(key):
                _refuse(inner, ProhibitNullCharactersValidator.message)
            stack.append((inner, item))


def _refuse(place: str, message: Any) -> None:
    raise serializers.ValidationError({place or api_settings.NON_FIELD_ERRORS_KEY: [message]})


class FilterBackend(DjangoFilterBackend):
    """django-filter, with a list filtered by the id of a related record (`?action=12`) as a
    number: an id that names nothing (or a record outside the user's scope, such as another
    PES's jobseeker) gives an empty list, as any filter that matches nothing does, rather than
    the 400 "Select a valid choice" of the generated choice filter, which would also tell that
    the record exists."""

    def get_filterset_class(
        self, view: APIView, queryset: Any = None
    ) -> type[django_filters.FilterSet] | None:
        filterset_class = super().get_filterset_class(view, queryset)
        return by_id(filterset_class) if filterset_class is not None else None

    def filter_queryset(self, request: Request, queryset: Any, view: APIView) -> Any:
        # A filter set given none of its parameters filters nothing (tests/api/test_filters.py
        # checks every endpoint's), and building it, a copy of each of its filters and of its
        # form's fields, took 2.7 ms of a page's CPU: left out then.
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not names_a_filter(request, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


def names_a_filter(request: Request, filterset_class: type[django_filters.FilterSet]) -> bool:
    """Whether the query string names a filter of the set: its name, or its name with a suffix
    (the parameters of a range: `date_after`, `date_before`)."""
    names = tuple(filterset_class.base_filters)
    return any(parameter.startswith(names) for parameter in request.query_params)


class FilterBackendSchema(DjangoFilterExtension):
    """The schema of FilterBackend's filters: drf-spectacular's, with the bounds a filter
    checks (a year from 2000 to 2100: its validators, or the year parser of a multi-valued
    filter), so that a value outside them is documented as refused."""

    target_class = "crossborder.api.base.FilterBackend"
    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        bounds: dict[str, int] = {}
        if filter_field.extra.get("item") is parse_year:
            bounds = {"minimum": FIRST_YEAR, "maximum": LAST_YEAR}
        for validator in filter_field.extra.get("validators", ()):
            if isinstance(validator, MinValueValidator):
                bounds["minimum"] = validator.limit_value
            elif isinstance(validator, MaxValueValidator):
                bounds["maximum"] = validator.limit_value
        for parameter in parameters:
            schema = parameter["schema"]
            target = schema.get("items", schema) if schema.get("type") == "array" else schema
            if target.get("type") in ("integer", "number"):
                target.update(bounds)
        return parameters


class TrueFalseField(forms.Field):
    """true or false (or empty: no filter); anything else is refused, where Django's
    NullBooleanField (and its widget) takes it for "unknown" and the list would be filtered by
    nothing."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(_("Must be true or false."), code="invalid")


class TrueFalseFilter(django_filters.BooleanFilter):
    field_class = TrueFalseField


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number, as the schema says (`?jobseeker=0.5` is a 400 naming the
    parameter, where a number filter would look for the id 0.5 and find nothing)."""

    field_class = forms.IntegerField


def by_id(filterset_class: type[django_filters.FilterSet]) -> type[django_filters.FilterSet]:
    """The filter set with each choice of a related record by its id made an id filter."""
    numbers = {
        name: IdFilter(field_name=f.field_name, lookup_expr=f.lookup_expr, label=f.label)
        for name, f in filterset_class.base_filters.items()
        if isinstance(f, django_filters.ModelChoiceFilter)
        and f.extra.get("to_field_name") in (None, "pk", "id")
    }
    if not numbers:
        return filterset_class
    # A subclass made once per filter set (the backend asks for it on every request).
    cached = _BY_ID.get(filterset_class)
    if cached is None:
        cached = type(filterset_class.__name__, (filterset_class,), {})
        cached.base_filters = {**filterset_class.base_filters, **numbers}
        _BY_ID[filterset_class] = cached
    return cached


_BY_ID: dict[type[django_filters.FilterSet], type[django_filters.FilterSet]] = {}


class SearchFilter(filters.SearchFilter):
    """DRF's search, with a refused term (a null character) reported under `search`."""

    def get_search_terms(self, request: Request) -> list[str]:
        try:
            return super().get_search_terms(request)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({self.search_param: error.detail}) from error


class ApiViewMixin(SyncListMixin):
    """What every endpoint shares: JSON and CSV, paging (and a list's incremental sync,
    crossborder.sync.api), filters, the error schema, and bodies read within limits. (The
    parsers are named here rather than in REST_FRAMEWORK's settings, which DRF reads while this
    module imports it.)"""

    renderer_classes: Sequence[type[BaseRenderer]] = [JSONRenderer, CSVRenderer]
    parser_classes: Sequence[type[parsers.BaseParser]] = [
        JSONParser,
        FormParser,
        MultiPartParser,
    ]
    pagination_class: type[BasePagination] | None = Pagination
    filter_backends: Sequence[type[BaseFilterBackend | BaseFilterProtocol[Any]]] = [
        FilterBackend,
        SearchFilter,
        OrderingFilter,
    ]
    schema: ViewInspector | None = ApiSchema()
    # The actions that answer a table, which CSV can hold (`?format=csv`); a record, a write's
    # answer or a push result is JSON only, and its schema offers no `format` nor `sep`.
    csv_actions: Collection[str] = ("list",)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """The view's serializer; with a body (`data`), first a 400 naming every field it
        does not know, at any depth (`jobseekers.3.birth_yaer`): every write endpoint refuses
        them, whether or not its serializer says so itself."""
        data = kwargs.get("data")
        serializer = super().get_serializer(*args, **kwargs)  # type: ignore[misc]
        if data is not None:
            unknown = unknown_fields(serializer, data)
            if unknown:
                raise serializers.ValidationError(unknown)
        return serializer

    def get_renderers(self) -> list[BaseRenderer]:
        renderers: list[BaseRenderer] = super().get_renderers()  # type: ignore[misc]
        if getattr(self, "action", None) in self.csv_actions:
            return renderers
        return [renderer for renderer in renderers if not isinstance(renderer, CSVRenderer)]

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        # A method the endpoint does not take is its 405, in JSON: the format it asks for
        # (`TRACE /sectors/?format=csv`) is no format of an answer that does not exist.
        view = cast("APIView", self)
        method = (request.method or "").lower()
        if method not in view.http_method_names or not hasattr(view, method):
            force = True
        return super().perform_content_negotiation(request, force)  # type: ignore[misc]


class WritableViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A resource that is listed, read, created and changed in part (PATCH): no PUT, whose
    every change would have to name every field, and no DELETE, which the records' history and
    the reports' exactness leave to the admin."""

    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]


class UpsertViewSet(WritableViewSet):
    """A resource written through its service's upsert: a POST names the record by its natural
    key (a PES and reference, an action and jobseeker, an action, metric and PES) and creates
    it (201) or changes it (200), so that sending the same data again duplicates nothing. The
    answer is the record as the list shows it."""

    read_serializer_class: type[serializers.Serializer]

    def upsert(self, **values: Any) -> tuple[Model, bool]:
        """Write through the service: the record and whether it was created."""
        raise NotImplementedError

    def written(self, instance: Model, created: bool = False) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        # With the request: what an answer shows may depend on who asks (a jobseeker's special
        # categories of personal data).
        data = self.read_serializer_class(fresh, context=self.get_serializer_context()).data
        response = Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        version = getattr(fresh, "version", None)
        if version is not None:
            # A versioned record's answer names the version a next change is based on.
            response["ETag"] = version_etag(version)
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors():
            instance, created = self.upsert(**serializer.validated_data)
        return self.written(instance, created)


def non_field_errors_key(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Django's `__all__` becomes DRF's `non_field_errors`."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): value
        for key, value in detail.items()
    }


@contextmanager
def model_errors() -> Iterator[None]:
    """Turn what a model or service refuses into a 400: full_clean's messages by field, and a
    database rule hit by a concurrent write (IntegrityError) as a message, never a 500.

    Used outside the write's transaction, so the transaction is rolled back first."""
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(
            non_field_errors_key(serializers.as_serializer_error(error))
        ) from error
    except IntegrityError as error:
        raise serializers.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    _("The change conflicts with data written at the same time; send it again.")
                ]
            }
        ) from error


def version_etag(version: int) -> str:
    """The ETag of a record's version: what a change sends back as If-Match."""
    return f'"{version}"'


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    """A change based on an older version: the body names the current one and shows the record
    as it is now; the ETag header carries the current version too."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, *, version: int, current: dict[str, Any]) -> None:
        super().__init__(
            _(
                "The record was changed since the version you sent (If-Match): it is at version "
                "%(version)s now. Look at it and send your change again with If-Match: %(etag)s."
            )
            % {"version": version, "etag": version_etag(version)}
        )
        self.version = version
        self.current = current


# What stated_version answers for an ETag that is no version of ours (a list page's, or
# garbage): no record is ever at version 0, so the change gets a 412.
NO_VERSION = 0


def stated_version(request: Request) -> int:
    """The version a change names in If-Match: 428 without it (or with `*`, which names none);
    400 for several ETags; NO_VERSION for an ETag that names none."""
    header = request.headers.get("If-Match", "").strip()
    tags = parse_etags(header) if header else []
    if not tags or tags == ["*"]:
        raise PreconditionRequired(
            _(
                "Send If-Match with the ETag of the record's detail (GET %(path)s): the version "
                "your change is based on, so that it overwrites no one else's."
            )
            % {"path": request.path}
        )
    if len(tags) > 1:
        raise serializers.ValidationError({"If-Match": [_("Send one ETag, the record's.")]})
    match = re.fullmatch(r'"([0-9]{1,9})"', tags[0])
    return int(match.group(1)) if match else NO_VERSION


class VersionedMixin:
    """The writes of a versioned record (crossborder.core.versions): a change (PATCH) or delete
    names the version it is based on in If-Match (stated_version), the service checks it under a
    lock, and a stale one is answered 412 with the record as it is now. The detail and each
    write's answer carry the version as ETag."""

    # Read by ApiSchema: document If-Match, ETag, 412 and 428.
    versioned = True

    def current_state(self, pk: Any) -> tuple[int, dict[str, Any]]:
        """The record's version and the record as its detail shows it, read now in one go
        (Http404 when it is gone)."""
        raise NotImplementedError

    def with_etag(self, response: Response, version: int) -> Response:
        response["ETag"] = version_etag(version)
        return response

    @contextmanager
    def based_on_version(self, pk: Any) -> Iterator[None]:
        """Around a service's write: a stale version is a 412 with the current record, and a
        record deleted meanwhile a 404."""
        try:
            yield
        except StaleVersion as stale:
            version, current = self.current_state(pk)
            raise PreconditionFailed(version=version, current=current) from stale
        except ObjectDoesNotExist as gone:
            raise NotFound() from gone


class VersionedUpsertViewSet(VersionedMixin, UpsertViewSet):
    """An upsert resource of versioned records: its detail carries the ETag, and its changes and
    deletes name the version they are based on."""

    def current_state(self, pk: Any) -> tuple[int, dict[str, Any]]:
        instance = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = self.read_serializer_class(instance, context=self.get_serializer_context())
        return instance.version, serializer.data

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        return self.with_etag(Response(self.get_serializer(instance).data), instance.version)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, and a 400 for a value the database cannot take (PostgreSQL refuses NUL in
    text, even in a filter's lookup): bad input, never a server error. A 412 carries the
    record's current version as its ETag."""
    if isinstance(exc, DataError):
        return Response(
            {"detail": _("A value holds characters the database cannot store.")}, status=400
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed):
        response.data = {**response.data, "version": exc.version, "current": exc.current}
        response["ETag"] = version_etag(exc.version)
    return response


# What StrictFieldsMixin is mixed into, for the type checker: a serializer.
if TYPE_CHECKING:
    _SerializerBase = serializers.Serializer
else:
    _SerializerBase = object


class StrictFieldsMixin(_SerializerBase):
    """A write serializer that refuses fields it does not know (a typo would otherwise be
    dropped silently): 400 naming each of them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
            # PostgreSQL refuses NUL in text, even in a lookup (a slug of a related field): a
            # 400 here rather than a database error later.
            with_nul = sorted(name for name in data if _has_nul(data[name]))
            if with_nul:
                message = ProhibitNullCharactersValidator.message
                raise serializers.ValidationError({name: [message] for name in with_nul})
        return super().to_internal_value(data)


def unknown_fields(serializer: Any, data: Any, place: str = "") -> dict[str, list[str]]:
    """The fields of a body its serializer does not know (or only shows: read-only), by place:
    `field`, and `list.3.field` within lists and objects of nested serializers."""
    unknown: dict[str, list[str]] = {}
    if isinstance(serializer, serializers.ListSerializer | serializers.ListField):
        if isinstance(data, list):
            for index, item in enumerate(data):
                unknown.update(unknown_fields(serializer.child, item, f"{place}{index}."))
    elif isinstance(serializer, serializers.Serializer) and isinstance(data, Mapping):
        writable = {name: field for name, field in serializer.fields.items() if not field.read_only}
        for name in data:
            if name in writable:
                unknown.update(unknown_fields(writable[name], data[name], f"{place}{name}."))
            else:
                unknown[f"{place}{name}"] = [_("Unknown field.")]
    return unknown


def closed_request_bodies(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular postprocessing hook: every object a request body describes is closed
    (`additionalProperties: false`), as ApiViewMixin.get_serializer refuses unknown fields; a
    list that may not be empty says so (`minItems: 1`)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _close(schema)
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            body = operation.get("requestBody", {}) if isinstance(operation, dict) else {}
            for content in body.get("content", {}).values():
                _close(content.get("schema", {}))
    return result


def _close(schema: dict[str, Any]) -> None:
    if "properties" in schema:
        schema.setdefault("additionalProperties", False)
        for value in schema["properties"].values():
            _close(value)
    if isinstance(schema.get("items"), dict):
        _close(schema["items"])


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(isinstance(item, str) and "\x00" in item for item in value)
    return False
