"""Every write of API tokens: make one (its key returned once), revoke one, record its use, and
turn a key from a request into its user."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    LAST_USED_RESOLUTION,
    MAX_KEY_LENGTH,
    PREFIX_LENGTH,
    ApiToken,
    TokenStatus,
    key_digest,
    new_key,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class TokenRefused(Exception):
    """A key that does not authenticate, with the reason to tell the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def lifetime_days(days: Any) -> int:
    """The lifetime asked for, in days: the default (API_TOKEN_LIFETIME_DAYS) when none is
    given; otherwise a whole number from 1 to API_TOKEN_MAX_LIFETIME_DAYS."""
    if days is None or days == "":
        return int(settings.API_TOKEN_LIFETIME_DAYS)
    maximum = int(settings.API_TOKEN_MAX_LIFETIME_DAYS)
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValidationError({"days": _("Give the lifetime as a whole number of days.")})
    if not 1 <= days <= maximum:
        raise ValidationError(
            {
                "days": _("A token lives from 1 to %(maximum)s days, not %(days)s.")
                % {"maximum": maximum, "days": days}
            }
        )
    return days


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser | AnonymousUser, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token of the user, and its key: the only time the key exists outside the client."""
    if user.pk is None:
        raise ValidationError(_("Only a signed-in user has API tokens."))
    now = timezone.now()
    lifetime = lifetime_days(days)
    key = new_key()
    while ApiToken.objects.filter(prefix=key[:PREFIX_LENGTH]).exists():
        # 48 random bits: a clash is rare, but two keys must never share what identifies them.
        key = new_key()
    token = ApiToken(
        user_id=user.pk,
        name=(name or "").strip(),
        prefix=key[:PREFIX_LENGTH],
        digest=key_digest(key),
        created_at=now,
        expires_at=now + datetime.timedelta(days=lifetime),
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: AbstractBaseUser | AnonymousUser) -> ApiToken:
    """Revoke the token for good (kept, with who revoked it and when). Revoking a revoked token
    changes nothing: the first revocation is the one on record."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by_id = by.pk
        locked.save(update_fields=["revoked_at", "revoked_by"])
    token.revoked_at, token.revoked_by_id = locked.revoked_at, locked.revoked_by_id
    return token


def api_token_authenticate(key: str) -> ApiToken:
    """The active token of a key, its use recorded; TokenRefused says why a key is refused."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        # No query for what cannot be a key (a NUL would even be refused by PostgreSQL).
        raise TokenRefused(_("Invalid token."))
    token = ApiToken.objects.matching(key)
    if token is None:
        raise TokenRefused(_("Invalid token."))
    now = timezone.now()
    status = token.status_at(now)
    if status == TokenStatus.REVOKED:
        raise TokenRefused(_("This token was revoked: make a new one."))
    if status == TokenStatus.EXPIRED:
        raise TokenRefused(_("This token has expired: make a new one."))
    if not token.user.is_active:
        raise TokenRefused(_("User inactive or deleted."))
    api_token_record_use(token=token, now=now)
    return token


def api_token_record_use(*, token: ApiToken, now: datetime.datetime) -> None:
    """Note the token's last use, at most once a minute: the API would otherwise write on every
    request. The update is conditional, so concurrent requests write it once."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
