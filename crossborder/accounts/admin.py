"""Every user's API tokens, for superusers: by prefix and owner, never the hash; revoked by an
action. Tokens are made by their owners (the account page, the API, `create_api_token`), so
that a key is only ever shown to whoever will use it; none is edited or deleted here, a revoked
token stays on record."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiToken, TokenStatus
from .tokens import api_token_revoke


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(status.value), str(status.label)) for status in TokenStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        if self.value() == TokenStatus.ACTIVE:
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == TokenStatus.EXPIRED:
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == TokenStatus.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset


# Everything but the digest: the hash is of no use to a reader and should not travel.
SHOWN = (
    "prefix_shown",
    "name",
    "user",
    "created_at",
    "expires_at",
    "last_used_at",
    "status_shown",
    "revoked_at",
    "revoked_by",
)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = [
        "prefix_shown",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "status_shown",
        "revoked_by",
    ]
    list_filter = [StatusFilter, "created_at"]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user", "revoked_by"]
    fields = SHOWN
    readonly_fields = SHOWN
    actions = ["revoke"]

    @admin.display(description=_("key starts with"), ordering="prefix")
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.display(description=_("status"))
    def status_shown(self, token: ApiToken) -> str:
        return str(token.status.label)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

    # For superusers only (coordinators are staff too), and read-only but for the action.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
