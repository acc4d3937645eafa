"""The second factor, required: staff who signed in with a password alone reach nothing but the
pages that verify or set up their second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .two_factor import has_second_factor, is_verified, second_factor_required

# What a user signed in with the password only may still reach: the second factor's own pages,
# logging out, and the language switch (the pages are in three languages).
OPEN_URLS = (
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "accounts:two-factor-qr",
    "reports:logout",
    "admin:logout",
    "set_language",
)


class SecondFactorRequired:
    """With settings.TWO_FACTOR_REQUIRED, a user who must have a second factor
    (crossborder.accounts.two_factor.second_factor_required) and whose session has not passed
    it is sent to verify it (or to set one up, the first time) from every page, the admin
    included; the API answers 403 to such a session. Requests with an API token carry no
    session and are not concerned: the token is a credential of its own.

    After django_otp.middleware.OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            not settings.TWO_FACTOR_REQUIRED
            or not user.is_authenticated
            or is_verified(user)
            or request.path in {reverse(name) for name in OPEN_URLS}
            or not second_factor_required(user)
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Sign in with your second factor on the site first.")}, status=403
            )
        target = (
            "accounts:two-factor-verify" if has_second_factor(user) else "accounts:two-factor-setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
