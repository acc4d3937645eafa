"""Signing in: the lockout page, and the pages of the second factor (verify, set up, manage).

The password step is the site's login (reports:login) or the admin's; staff who must have a
second factor are then sent here by crossborder.accounts.middleware.SecondFactorRequired and
reach nothing else until a code is accepted.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from .forms import AuthenticatorCodeForm, CodeForm
from .two_factor import (
    authenticator_confirm,
    authenticator_key,
    authenticator_of,
    authenticator_start,
    has_second_factor,
    is_verified,
    pending_authenticator,
    qr_code_svg,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_remove,
    second_factor_required,
    second_factor_verify,
)

log = logging.getLogger("crossborder.accounts")


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The answer to a login refused by django-axes (settings.AXES_LOCKOUT_CALLABLE): 429, with
    how long to wait, in the site's look and language (JSON for the API)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    if minutes:
        message = ngettext(
            "Too many failed logins for this user name from your address. Try again in "
            "%(minutes)d minute, or ask an administrator to unlock the account.",
            "Too many failed logins for this user name from your address. Try again in "
            "%(minutes)d minutes, or ask an administrator to unlock the account.",
            minutes,
        ) % {"minutes": minutes}
    else:
        message = _(
            "Too many failed logins for this user name from your address. Ask an administrator "
            "to unlock the account."
        )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


def _signed_in(request: HttpRequest) -> AbstractBaseUser:
    """The user of a view behind login_required (the check narrows the type)."""
    if not isinstance(request.user, AbstractBaseUser):
        raise PermissionDenied
    return request.user


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: the `next` asked for when it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _not_needed(request: HttpRequest) -> HttpResponse | None:
    """The page for a user who needs no second factor (TWO_FACTOR_REQUIRED is off, or none of
    its roles is in TWO_FACTOR_ROLES), else None: a second factor that sign-in never asks for
    would only look like protection."""
    if second_factor_required(request.user):
        return None
    return render(request, "accounts/two_factor_not_needed.html")


def _sign_in_with(request: HttpRequest, device: Any) -> None:
    """Mark the session verified by this device, under a new session key: the key of a session
    that only knew the password must not become the key of one that passed both factors."""
    otp_login(request, device)
    request.session.cycle_key()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator or a recovery code."""
    next_url = _next_url(request)
    if is_verified(request.user) or not second_factor_required(request.user):
        return redirect(next_url)
    if not has_second_factor(_signed_in(request)):
        return redirect(_with_next("accounts:two-factor-setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = second_factor_verify(user=_signed_in(request), code=form.cleaned_data["code"])
        if result.device is not None:
            _sign_in_with(request, result.device)
            log.info("Second factor verified for user %s.", request.user.get_username())
            return redirect(next_url)
        if result.wait_seconds:
            form.add_error(
                "code",
                ngettext(
                    "Too many wrong codes: wait %(seconds)d second before trying again.",
                    "Too many wrong codes: wait %(seconds)d seconds before trying again.",
                    result.wait_seconds,
                )
                % {"seconds": result.wait_seconds},
            )
        else:
            form.add_error("code", _("This code is not valid, or it was used already."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: scan the QR code (or type the key), confirm with a code; the
    recovery codes are then shown, once."""
    not_needed = _not_needed(request)
    if not_needed is not None:
        return not_needed
    next_url = _next_url(request)
    if has_second_factor(_signed_in(request)):
        # A second factor is replaced by removing it from a verified session (the manage page):
        # a password alone never replaces it.
        if is_verified(request.user):
            return redirect("accounts:two-factor")
        return redirect(_with_next("accounts:two-factor-verify", next_url))
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = authenticator_confirm(user=_signed_in(request), code=form.cleaned_data["code"])
        if codes is not None:
            _sign_in_with(request, authenticator_of(_signed_in(request)))
            return render(
                request,
                "accounts/two_factor_recovery_codes.html",
                {"codes": codes, "next": next_url, "first_time": True},
            )
        form.add_error(
            "code",
            _(
                "This code is not valid. Check that the time of your phone is right, and enter "
                "the code the app shows now."
            ),
        )
    device = authenticator_start(user=_signed_in(request))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "next": next_url, "key": authenticator_key(device)},
    )


@login_required
@require_GET
def two_factor_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the authenticator being set up, as an image of its own (no inline data in
    the page). A confirmed authenticator's key is never shown again."""
    device = pending_authenticator(_signed_in(request))
    if device is None or not second_factor_required(request.user):
        raise Http404
    response = HttpResponse(qr_code_svg(device), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


def _verified_with_second_factor(request: HttpRequest) -> HttpResponse | None:
    """The answer to a user who may not manage a second factor now, else None: without one,
    to set one up; with one but not verified in this session, to verify it first."""
    not_needed = _not_needed(request)
    if not_needed is not None:
        return not_needed
    if not has_second_factor(_signed_in(request)):
        return redirect("accounts:two-factor-setup")
    if not is_verified(request.user):
        return redirect(_with_next("accounts:two-factor-verify", reverse("accounts:two-factor")))
    return None


@login_required
@require_GET
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """The user's second factor: since when, the recovery codes left, renew them, remove it."""
    refused = _verified_with_second_factor(request)
    if refused is not None:
        return refused
    return _manage_page(request, CodeForm())


def _manage_page(request: HttpRequest, remove_form: CodeForm) -> HttpResponse:
    # A page to read first: the removal's field does not take the focus.
    remove_form.fields["code"].widget.attrs.pop("autofocus", None)
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "authenticator": authenticator_of(_signed_in(request)),
            "codes_left": recovery_codes_left(_signed_in(request)),
            "remove_form": remove_form,
        },
    )


@login_required
@require_POST
def two_factor_recovery_renew(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown once; the old ones stop working."""
    refused = _verified_with_second_factor(request)
    if refused is not None:
        return refused
    codes = recovery_codes_renew(user=_signed_in(request))
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:two-factor"), "first_time": False},
    )


@login_required
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    """Remove the second factor, confirmed by a current code (from the app, or a recovery code
    when the phone is lost): a session left open is not enough to take it off."""
    refused = _verified_with_second_factor(request)
    if refused is not None:
        return refused
    form = CodeForm(request.POST)
    if form.is_valid():
        result = second_factor_verify(user=_signed_in(request), code=form.cleaned_data["code"])
        if result.device is not None:
            second_factor_remove(user=_signed_in(request))
            messages.success(
                request, _("Your second factor was removed. Set up your new authenticator now.")
            )
            return redirect("accounts:two-factor-setup")
        form.add_error("code", _("This code is not valid, or it was used already."))
    return _manage_page(request, form)
