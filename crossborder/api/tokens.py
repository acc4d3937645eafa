"""/api/v1/tokens/: a user's own API tokens (crossborder/accounts/), listed, made (the key in
the answer, once) and revoked. Another user's tokens do not exist for it (404), whatever its
role; superusers revoke anyone's in the admin.

Here rather than in crossborder/accounts/, whose other modules the API's base and the settings
read: an endpoint there would make the two packages import each other."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.accounts.models import ApiToken, ApiTokenQuerySet, TokenStatus
from crossborder.accounts.tokens import api_token_create, api_token_revoke
from crossborder.api.base import ID_PATTERN, ApiViewMixin, StrictFieldsMixin, model_errors
from projects import access


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    status = serializers.ChoiceField(
        choices=TokenStatus.choices,
        read_only=True,
        help_text="`active`, `expired` (refused since `expires_at`) or `revoked`.",
    )

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "status",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "prefix": {"help_text": "The key's first characters: how to tell the keys apart."},
            "last_used_at": {"help_text": "Within a minute: a use is recorded once a minute."},
        }


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True,
        help_text="The key to send as `Authorization: Token <key>`. Shown in this answer only: "
        "only its hash is kept.",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(
        max_length=100, help_text="What the token is for; unique among your tokens in use."
    )
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Lifetime in days: by default API_TOKEN_LIFETIME_DAYS (90), at most "
        "API_TOKEN_MAX_LIFETIME_DAYS (365).",
    )


class ApiUser(BasePermission):
    """Tokens are for the users of the API: those with a role (403 without, as everywhere)."""

    message = "Your account has no role in Crossborder: ask a coordinator for one."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return access.can_read_programme(request.user)


@extend_schema_view(
    list=extend_schema(summary="Your API tokens, newest first (revoked and expired ones too)."),
    retrieve=extend_schema(summary="One of your API tokens."),
    create=extend_schema(
        summary="Make an API token: its key is in this answer, and never again.",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    ),
    destroy=extend_schema(
        summary="Revoke one of your API tokens: refused from now on, kept in the list.",
        responses={204: OpenApiResponse(description="Revoked (or already revoked).")},
    ),
)
class ApiTokenViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ApiToken],
):
    """Your own API tokens. A key is shown once, in the answer that makes it; the list shows
    each token's prefix, dates and status. An expired or revoked token is refused (401, the
    `detail` says which); make a new one before the old one expires, then revoke the old one."""

    permission_classes = [ApiUser]
    serializer_class = ApiTokenSerializer
    filter_backends = []
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> ApiTokenQuerySet:
        return ApiToken.objects.owned_by(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with model_errors():
            token, key = api_token_create(user=request.user, **serializer.validated_data)
        token.key = key  # type: ignore[attr-defined]  # for this answer only, never saved
        response = Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)
        # The key is in this answer: no cache on the way may keep it.
        response["Cache-Control"] = "no-store"
        return response

    def perform_destroy(self, instance: ApiToken) -> None:
        api_token_revoke(token=instance, by=self.request.user)
