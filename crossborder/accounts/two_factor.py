"""The second factor of staff: who must have one, and every write to it.

A second factor is a TOTP authenticator (django-otp's TOTPDevice: an app on a phone showing a
six-digit code that changes every 30 seconds) with ten recovery codes (django-otp's StaticDevice:
eight letters and digits each, every one usable once) for when the phone is lost. Both are
django-otp devices, so a session is "verified" (``request.user.is_verified()``, set by
django_otp.middleware.OTPMiddleware) once either accepted a code in it.

Brute force is met by django-otp's throttling: after a wrong code a device refuses every code for
1, 2, 4, 8, ... seconds (OTP_TOTP_THROTTLE_FACTOR, OTP_STATIC_THROTTLE_FACTOR), so the million
six-digit codes cannot be tried; a code accepted once is never accepted again (TOTPDevice keeps
the time step of the last accepted code; a recovery code is deleted when used).
"""

from __future__ import annotations

import io
import logging
import math
from base64 import b32encode
from dataclasses import dataclass
from typing import TYPE_CHECKING

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from projects.access import roles_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AbstractUser, AnonymousUser

log = logging.getLogger("crossborder.accounts")

# The names TWO_FACTOR_ROLES takes besides the roles of projects.roles.
SUPERUSER = "superuser"
STAFF = "staff"

AUTHENTICATOR_NAME = "Authenticator"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def second_factor_required(user: AbstractUser | AnonymousUser) -> bool:
    """Whether the user must sign in with a second factor: TWO_FACTOR_REQUIRED is on and the
    user is a superuser, staff (reaches the admin) or holds a role named in TWO_FACTOR_ROLES."""
    if not settings.TWO_FACTOR_REQUIRED or not user.is_authenticated or not user.is_active:
        return False
    wanted = set(settings.TWO_FACTOR_ROLES)
    if user.is_superuser and SUPERUSER in wanted:
        return True
    if user.is_staff and STAFF in wanted:
        return True
    # No query for the roles unless some role is named.
    return bool(wanted - {SUPERUSER, STAFF}) and bool(roles_of(user) & wanted)


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the user has a confirmed authenticator or recovery codes."""
    return bool(django_otp.user_has_device(user, confirmed=True))


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether a code was accepted in this session (the device django-otp's middleware found
    in the session, on the request's user)."""
    return getattr(user, "otp_device", None) is not None


def pending_authenticator(user: AbstractBaseUser) -> TOTPDevice | None:
    """The authenticator being set up (not confirmed yet), whose key the setup page shows."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def authenticator_of(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def qr_code_svg(device: TOTPDevice) -> bytes:
    """The QR code of the device's otpauth:// address (its key), as an SVG image."""
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return out.getvalue()


def authenticator_key(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four: what an app asks for when typed by hand."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def authenticator_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator to set up: the one pending, or a new one with a new random key.

    Kept until confirmed, so that reloading the page shows the same QR code as the app scanned."""
    device = pending_authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def authenticator_confirm(*, user: AbstractBaseUser, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code it shows: it becomes the user's second
    factor, and new recovery codes are made and returned (to be shown once). None, and nothing
    confirmed, when the code is wrong, used already or there is no pending authenticator."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log.info("Second factor set up by user %s.", user.get_username())
    return _recovery_codes_make(user)


@transaction.atomic
def recovery_codes_renew(*, user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes by ten new ones, returned to be shown once."""
    codes = _recovery_codes_make(user)
    log.info("Recovery codes renewed by user %s.", user.get_username())
    return codes


def _recovery_codes_make(user: AbstractBaseUser) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    ordered = sorted(codes)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in ordered)
    return ordered


@transaction.atomic
def second_factor_remove(*, user: AbstractBaseUser) -> None:
    """Remove the authenticator and the recovery codes (to set up a new phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log.info("Second factor removed by user %s.", user.get_username())


@dataclass(frozen=True)
class Verification:
    """The outcome of a code: the device that accepted it, or the seconds to wait before the
    next try when the devices are throttled after wrong codes (0 when the code was just wrong)."""

    device: Device | None
    wait_seconds: int = 0


def second_factor_verify(*, user: AbstractBaseUser, code: str) -> Verification:
    """Check a code (already normalised by the form: six digits, or a recovery code) against
    the user's devices of that kind, each locked while it checks (django_otp.verify_token), so
    that one code sent twice at once is accepted once. While a device is throttled after a
    wrong code, no code is tried and the seconds to wait are returned."""
    kind: type[Device] = TOTPDevice if code.isdigit() else StaticDevice
    devices = list(kind.objects.filter(user=user, confirmed=True).order_by("pk"))
    wait = _throttled_seconds(devices)
    if wait:
        return Verification(device=None, wait_seconds=wait)
    for device in devices:
        if django_otp.verify_token(user, device.persistent_id, code) is not None:
            return Verification(device=device)
    log.warning("Wrong second-factor code for user %s.", user.get_username())
    return Verification(device=None)


def _throttled_seconds(devices: list[Device]) -> int:
    wait = 0
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            seconds = (details["locked_until"] - timezone.now()).total_seconds()
            wait = max(wait, math.ceil(seconds))
    return wait
