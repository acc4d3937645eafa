"""API tokens: named, expiring, revocable keys of a user, held as a hash.

A key is shown once, when it is made; the database keeps its first characters (the prefix, to
find it and to tell keys apart on a page) and the SHA-256 of the whole key. A fast hash is
enough here, unlike for passwords: a key holds 256 random bits (160 for a key migrated from
DRF's tokens), so there is no dictionary to try and no search a slow hash would slow down
enough to matter; slow hashes (PBKDF2, Argon2) protect guessable secrets chosen by people, and
one would cost every API request tens of milliseconds.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Every new key starts with this tag, so that a key pasted where it should not be (a commit, a
# ticket) is recognised as ours by people and by secret scanners.
KEY_TAG = "cb_"
# The characters of a key kept in clear: the tag and 8 random characters (48 bits), enough to
# tell a user's keys apart and to find a key by an index; the 208 other bits stay secret.
PREFIX_LENGTH = len(KEY_TAG) + 8
# A longer header is no key of ours: refused before any query.
MAX_KEY_LENGTH = 100
# How often a token's last use is written: at most once a minute, so that a partner's burst of
# requests is not a burst of writes (a read-only request would otherwise write every time).
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def key_digest(key: str) -> str:
    """The SHA-256 of a key, in hexadecimal: what is stored instead of the key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A new random key: the tag and 32 random bytes, URL-safe (46 characters)."""
    return KEY_TAG + secrets.token_urlsafe(32)


class TokenStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def owned_by(self, user: AbstractBaseUser | AnonymousUser) -> ApiTokenQuerySet:
        """The user's own tokens: all a user may see or revoke, whatever its role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)

    def matching(self, key: str) -> ApiToken | None:
        """The token of this key (revoked or expired ones too, to say which), or None.

        Found by its prefix, then compared by the whole key's digest in constant time, so that
        the time taken does not tell how much of a guessed digest was right."""
        digest = key_digest(key)
        for token in self.filter(prefix=key[:PREFIX_LENGTH]).select_related("user"):
            if hmac.compare_digest(token.digest, digest):
                return token
        return None


class ApiToken(models.Model):
    """A key a user (a partner's system, CI) sends as `Authorization: Token <key>`.

    Revoked tokens are kept, with who revoked them and when, for the audit: a token is never
    deleted but with its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("owner"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “nightly import”.")
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True, editable=False)
    digest = models.CharField(_("SHA-256 of the key"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A name tells a user's tokens apart while they may be used; a revoked token's name
            # may be given again.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_unique_per_owner",
                violation_error_message=_("You already have a token with this name."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="api_token_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def clean(self) -> None:
        name = self.name.strip()
        if name and self._state.adding:
            taken = ApiToken.objects.filter(
                user_id=self.user_id, name=name, revoked_at__isnull=True
            ).exists()
            if taken:
                raise ValidationError(
                    {
                        "name": _(
                            "You already have a token named “%(name)s”: choose another name, "
                            "or revoke that token first."
                        )
                        % {"name": name}
                    }
                )

    def status_at(self, moment: datetime.datetime) -> TokenStatus:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at <= moment:
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    @property
    def status(self) -> TokenStatus:
        return self.status_at(timezone.now())
