"""Related records named the way a partner's system knows them: by id (a JSON integer) or by
natural key (a string: an action's reference; an organisation's, sector's, certificate's or
office's slug), and a jobseeker by id or by its PES and reference.

A key is looked up within the requesting user's scope (an action it may change, a jobseeker of
its PES): one outside it is answered as unknown, with the same message as one that does not
exist, so that a write never tells whether another PES's record is there. The message names the
key (`No action with reference "X" in your scope.`).

A bulk write names thousands of records: its serializer calls `preload` on each key field with
every item's value before validating the items, so that the keys are resolved in one query per
field rather than one per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from actions.models import Action, Certificate, Sector
from participants.models import Jobseeker, normalise_ref
from projects import access
from projects.models import Office, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser
    from drf_spectacular.openapi import AutoSchema

    User = AbstractUser | AnonymousUser

M = TypeVar("M", bound=Model)

# A key as the message quotes it: a 1 MB string is not repeated back whole.
QUOTED_KEY_LENGTH = 80


def quoted(value: object) -> str:
    text = str(value)
    return text if len(text) <= QUOTED_KEY_LENGTH else text[:QUOTED_KEY_LENGTH] + "…"


def is_id(data: object) -> bool:
    """A JSON integer (not true or false, which Python counts as integers)."""
    return isinstance(data, int) and not isinstance(data, bool)


class NaturalKeyField(serializers.RelatedField[M, Any, Any]):
    """A related record by its id (a JSON integer) or its natural key (a string, compared as
    `normalise_key` leaves it: as the key is stored). Its representation is the natural key.

    Subclasses name the key's column (`key_field`), how a key is written for the schema
    (`key_description`) and the messages: `unknown_id` and `unknown_key` ({value}: the value
    sent) and `incorrect_type`. The records come from `queryset`, or from `scope`, a function of
    the requesting user (e.g. access.actions_editable_by).
    """

    key_field = "slug"
    key_description = _("slug")
    default_error_messages = {
        "unknown_id": _("No record with id {value}."),
        "unknown_key": _('No record with slug "{value}".'),
        "incorrect_type": _("Must be an id (an integer) or a slug (a string)."),
        "blank": _("May not be blank: give an id or a key."),
    }

    def __init__(
        self,
        *,
        queryset: QuerySet[M] | None = None,
        scope: Callable[[User], QuerySet[M]] | None = None,
        **kwargs: Any,
    ) -> None:
        assert (queryset is None) != (scope is None), "give a NaturalKeyField a queryset or a scope"
        self.records = queryset
        self.scope = scope
        # What `preload` found, by ("id", pk) and ("key", key); None: look up each value.
        self.preloaded: dict[tuple[str, Any], M] | None = None
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[M]:
        if self.scope is not None:
            return self.scope(self.context["request"].user)
        assert self.records is not None
        return self.records.all()

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # DRF's related fields take "" for null; here it is a key, and none is blank.
        if data == "":
            self.fail("blank")
        return super().run_validation(data)

    @classmethod
    def normalise_key(cls, key: str) -> str:
        """A key as it is stored: slugs and references without surrounding spaces."""
        return key.strip()

    def parse(self, data: Any) -> tuple[str, Any]:
        """("id", pk) or ("key", normalised key); a 400 for anything else."""
        if is_id(data):
            return "id", data
        if isinstance(data, str):
            return "key", self.normalise_key(data)
        self.fail("incorrect_type")
        raise AssertionError  # fail() raised

    def lookup(self, kind: str, value: Any) -> Q:
        return Q(pk=value) if kind == "id" else Q(**{self.key_field: value})

    def preload(self, values: Iterable[Any]) -> None:
        """Resolve every value a bulk write sends for this field in one query; the values of
        the wrong type are left for to_internal_value to refuse."""
        wanted = {self.parse(value) for value in values if is_id(value) or isinstance(value, str)}
        ids = {value for kind, value in wanted if kind == "id"}
        keys = {value for kind, value in wanted if kind == "key"}
        found: dict[tuple[str, Any], M] = {}
        if ids or keys:
            query = Q(pk__in=ids) | Q(**{f"{self.key_field}__in": keys})
            for obj in self.get_queryset().filter(query):
                found["id", obj.pk] = obj
                found["key", getattr(obj, self.key_field)] = obj
        self.preloaded = found

    def to_internal_value(self, data: Any) -> M:
        kind, value = self.parse(data)
        if self.preloaded is not None:
            obj = self.preloaded.get((kind, value))
        else:
            obj = self.get_queryset().filter(self.lookup(kind, value)).first()
        if obj is None:
            self.fail(f"unknown_{kind}", value=quoted(value))
        assert obj is not None
        return obj

    def to_representation(self, value: Any) -> Any:
        return getattr(value, self.key_field) or value.pk


class ActionKeyField(NaturalKeyField[Action]):
    """An action by its id or its reference (as stored, without surrounding spaces)."""

    key_field = "reference"
    key_description = _("reference")
    default_error_messages = {
        "unknown_id": _("No action with id {value} in your scope."),
        "unknown_key": _('No action with reference "{value}" in your scope.'),
        "incorrect_type": _("Must be the id of an action (an integer) or its reference."),
    }


class OrganisationKeyField(NaturalKeyField[Organisation]):
    """An organisation (a PES, company, agency, training centre...) by its id or slug."""

    default_error_messages = {
        "unknown_id": _("No organisation with id {value}."),
        "unknown_key": _('No organisation with slug "{value}".'),
        "incorrect_type": _("Must be the id of an organisation (an integer) or its slug."),
    }


class PesKeyField(NaturalKeyField[Organisation]):
    """A public employment service by its id or slug."""

    default_error_messages = {
        "unknown_id": _("No public employment service with id {value}."),
        "unknown_key": _('No public employment service with slug "{value}".'),
        "incorrect_type": _(
            "Must be the id of a public employment service (an integer) or its slug."
        ),
    }


class SectorKeyField(NaturalKeyField[Sector]):
    default_error_messages = {
        "unknown_id": _("No sector with id {value}."),
        "unknown_key": _('No sector with slug "{value}".'),
        "incorrect_type": _("Must be the id of a sector (an integer) or its slug."),
    }


class CertificateKeyField(NaturalKeyField[Certificate]):
    default_error_messages = {
        "unknown_id": _("No certificate with id {value}."),
        "unknown_key": _('No certificate with slug "{value}".'),
        "incorrect_type": _("Must be the id of a certificate (an integer) or its slug."),
    }


class OfficeKeyField(NaturalKeyField[Office]):
    default_error_messages = {
        "unknown_id": _("No office with id {value}."),
        "unknown_key": _('No office with slug "{value}".'),
        "incorrect_type": _("Must be the id of an office (an integer) or its slug."),
    }


class JobseekerKeyField(serializers.Field[Jobseeker, Any, Any, Any]):
    """A jobseeker by its id (a JSON integer) or by its PES and reference at the PES:
    `{"pes": "vdab", "ref": "A123"}`, the PES being the user's own when left out. The reference is
    compared as it is stored (without case and surrounding spaces). Only the jobseekers the user
    may write are found (access.jobseekers_for): another PES's is answered as unknown, whether it
    exists or not."""

    default_error_messages = {
        "unknown_id": _("No jobseeker of your PES has the id {value}."),
        "unknown_key": _('No jobseeker of {pes} with reference "{value}" in your scope.'),
        "incorrect_type": _(
            'Must be the id of a jobseeker (an integer) or {{"pes": <slug>, "ref": <reference>}}.'
        ),
        "no_pes": _('Give the jobseeker\'s PES ("pes"): you belong to no PES.'),
        "unknown_fields": _(
            'Unknown field in the jobseeker\'s key: {names}; send "pes" and "ref".'
        ),
        "blank_ref": _('The jobseeker\'s reference ("ref") may not be blank.'),
    }
    KEY_FIELDS = ("pes", "ref")

    def __init__(self, **kwargs: Any) -> None:
        self.preloaded: dict[tuple[str, Any], Jobseeker] | None = None
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Jobseeker]:
        user = self.context["request"].user
        return access.jobseekers_for(user, Jobseeker.objects.select_related("pes"))

    def own_pes_slug(self) -> str | None:
        pes = access.own_pes(self.context["request"].user)
        return pes.slug if pes is not None else None

    def parse(self, data: Any, own_pes: str | None = None) -> tuple[str, Any]:
        """("id", pk) or ("key", (PES slug, normalised reference)); a 400 for anything else.
        `own_pes`: the user's PES slug, when the caller knows it already."""
        if is_id(data):
            return "id", data
        if not isinstance(data, Mapping):
            self.fail("incorrect_type")
        unknown = sorted(set(data) - set(self.KEY_FIELDS))
        if unknown:
            self.fail("unknown_fields", names=", ".join(quoted(name) for name in unknown))
        pes, ref = data.get("pes"), data.get("ref")
        if pes is None:
            pes = own_pes if own_pes is not None else self.own_pes_slug()
            if pes is None:
                self.fail("no_pes")
        if not isinstance(pes, str) or not isinstance(ref, str):
            self.fail("incorrect_type")
        ref = normalise_ref(ref)
        if not ref:
            self.fail("blank_ref")
        return "key", (pes.strip(), ref)

    def preload(self, values: Iterable[Any]) -> None:
        """Resolve every value a bulk write sends for this field in one query; the values that
        do not parse are left for to_internal_value to refuse."""
        own_pes = self.own_pes_slug()
        wanted: set[tuple[str, Any]] = set()
        for value in values:
            try:
                wanted.add(self.parse(value, own_pes))
            except serializers.ValidationError:
                continue
        ids = {value for kind, value in wanted if kind == "id"}
        keys = {value for kind, value in wanted if kind == "key"}
        found: dict[tuple[str, Any], Jobseeker] = {}
        if ids or keys:
            query = Q(pk__in=ids) | Q(
                pes__slug__in={pes for pes, _ref in keys},
                external_ref__in={ref for _pes, ref in keys},
            )
            for jobseeker in self.get_queryset().filter(query):
                found["id", jobseeker.pk] = jobseeker
                found["key", (jobseeker.pes.slug, jobseeker.external_ref)] = jobseeker
        self.preloaded = found

    def to_internal_value(self, data: Any) -> Jobseeker:
        kind, value = self.parse(data)
        if self.preloaded is not None:
            jobseeker = self.preloaded.get((kind, value))
        elif kind == "id":
            jobseeker = self.get_queryset().filter(pk=value).first()
        else:
            pes, ref = value
            jobseeker = self.get_queryset().filter(pes__slug=pes, external_ref=ref).first()
        if jobseeker is None:
            if kind == "id":
                self.fail("unknown_id", value=value)
            self.fail("unknown_key", pes=quoted(value[0]), value=quoted(value[1]))
        assert jobseeker is not None
        return jobseeker

    def to_representation(self, value: Jobseeker) -> Any:
        return {"pes": value.pes.slug, "ref": value.external_ref}


class NaturalKeyFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of a NaturalKeyField: an integer (the id) or a string (the natural key)."""

    target_class = NaturalKeyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        key = str(self.target.key_description)
        return {
            "oneOf": [
                {"type": "integer", "description": "The id."},
                {"type": "string", "minLength": 1, "description": f"The {key}."},
            ]
        }


class JobseekerKeyFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of a JobseekerKeyField: an integer (the id) or its PES and reference."""

    target_class = JobseekerKeyField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {
            "oneOf": [
                {"type": "integer", "description": "The jobseeker's id."},
                {
                    "type": "object",
                    "properties": {
                        "pes": {
                            "type": "string",
                            "description": "Slug of the jobseeker's PES; the user's own when "
                            "left out.",
                        },
                        "ref": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 64,
                            "description": "The jobseeker's reference in the PES's own system, "
                            "without regard to case and surrounding spaces.",
                        },
                    },
                    "required": ["ref"],
                    "additionalProperties": False,
                },
            ]
        }
