"""The reference lists a partner's integration reads before it writes: sectors, certificates, the
PES's offices and the pairs of border offices. Read-only, for every user with a role (401
anonymous, 403 without a role); each record gives its id and its slug, either of which a write
may name. Translated names come in the request's language (`name`, with modeltranslation's
fallbacks) and in each language (`name_nl`, `name_fr`, `name_en`).

Sectors, certificates and offices are watched by the data version (actions/apps.py), so their
pages are served from the API's response cache like the actions'; pairs of border offices are
not watched, so their pages are read afresh every time.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from actions.models import Certificate, Sector
from crossborder.api.base import FORMAT_PARAMETER, ID_PATTERN, ApiViewMixin, ProgrammeDataAccess
from crossborder.api.caching import cached_read
from crossborder.core.vocabulary import in_each_language

from .models import BorderOfficePair, Country, Office

LIST_SCHEMA = extend_schema(parameters=[FORMAT_PARAMETER])


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "slug", "name", *in_each_language("name"), "updated_at"]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = ["id", "slug", "name", *in_each_language("name"), "country", "updated_at"]
        read_only_fields = fields


class ReferenceOfficeSerializer(serializers.ModelSerializer):
    pes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", source="organisation"
    )

    class Meta:
        model = Office
        fields = ["id", "slug", "name", "city", "pes", "updated_at"]
        read_only_fields = fields


class PairedOfficeSerializer(serializers.ModelSerializer):
    pes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", source="organisation"
    )

    class Meta:
        model = Office
        fields = ["id", "slug", "name", "city", "pes"]
        read_only_fields = fields


class BorderOfficePairSerializer(serializers.ModelSerializer):
    office = PairedOfficeSerializer(read_only=True)
    partner_office = PairedOfficeSerializer(read_only=True)

    class Meta:
        model = BorderOfficePair
        fields = ["id", "office", "partner_office", "updated_at"]
        read_only_fields = fields


class CachedReferenceViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The list and detail of a reference watched by the data version, from the API's response
    cache (crossborder.api.caching): the same page for every user who may read it."""

    permission_classes = [ProgrammeDataAccess]
    lookup_field = "slug"

    # A cached page is an HttpResponse (or a 304), not a Response: see actions.api.
    @cached_read
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        return super().list(request, *args, **kwargs)

    @cached_read
    def retrieve(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        return super().retrieve(request, *args, **kwargs)


@extend_schema_view(list=LIST_SCHEMA)
class SectorViewSet(CachedReferenceViewSet):
    """Sectors of trainings and actions (e.g. `agro-food`), by slug."""

    serializer_class = SectorSerializer
    search_fields = ["slug", *in_each_language("name")]
    ordering_fields = ["slug", "name", "updated_at"]

    def get_queryset(self) -> QuerySet[Sector]:
        return Sector.objects.order_by("slug")


class CertificateFilterSet(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        choices=Country.choices,
        help_text="The country that issues the certificate, e.g. `FR` for the CACES.",
    )

    class Meta:
        model = Certificate
        fields = ["country"]


@extend_schema_view(list=LIST_SCHEMA)
class CertificateViewSet(CachedReferenceViewSet):
    """Certificates a training leads to (e.g. `caces`, the French forklift certificate), with the
    country that issues them, by slug."""

    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    search_fields = ["slug", *in_each_language("name")]
    ordering_fields = ["slug", "name", "country", "updated_at"]

    def get_queryset(self) -> QuerySet[Certificate]:
        return Certificate.objects.order_by("slug")


class OfficeFilterSet(django_filters.FilterSet):
    pes = django_filters.CharFilter(
        field_name="organisation__slug", help_text="The slug of the office's PES, e.g. `vdab`."
    )
    city = django_filters.CharFilter(lookup_expr="iexact", help_text="The office's city.")

    class Meta:
        model = Office
        fields = ["pes", "city"]


@extend_schema_view(list=LIST_SCHEMA)
class OfficeViewSet(CachedReferenceViewSet):
    """Local offices of the PES (e.g. VDAB Kortrijk, Pôle emploi Halluin) with their city and
    PES, by slug."""

    serializer_class = ReferenceOfficeSerializer
    filterset_class = OfficeFilterSet
    search_fields = ["slug", "name", "city"]
    ordering_fields = ["slug", "name", "city", "updated_at"]

    def get_queryset(self) -> QuerySet[Office]:
        return Office.objects.select_related("organisation").order_by("slug")


class BorderOfficePairFilterSet(django_filters.FilterSet):
    office = django_filters.CharFilter(
        method="filter_office",
        help_text="The slug of an office: the pairs it is in, on either side.",
    )
    pes = django_filters.CharFilter(
        method="filter_pes",
        help_text="The slug of a PES: the pairs one of its offices is in.",
    )

    class Meta:
        model = BorderOfficePair
        fields = ["office", "pes"]

    def filter_office(
        self, queryset: QuerySet[BorderOfficePair], name: str, value: str
    ) -> QuerySet[BorderOfficePair]:
        return queryset.filter(Q(office__slug=value) | Q(partner_office__slug=value))

    def filter_pes(
        self, queryset: QuerySet[BorderOfficePair], name: str, value: str
    ) -> QuerySet[BorderOfficePair]:
        return queryset.filter(
            Q(office__organisation__slug=value) | Q(partner_office__organisation__slug=value)
        )


@extend_schema_view(list=LIST_SCHEMA)
class BorderOfficePairViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Pairs of border offices that work together (Pôle emploi Dunkerque with VDAB Veurne), each
    office with its id, slug, city and PES; by id."""

    serializer_class = BorderOfficePairSerializer
    permission_classes = [ProgrammeDataAccess]
    lookup_value_regex = ID_PATTERN
    filterset_class = BorderOfficePairFilterSet
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self) -> QuerySet[BorderOfficePair]:
        return BorderOfficePair.objects.select_related(
            "office__organisation", "partner_office__organisation"
        ).order_by("pk")
