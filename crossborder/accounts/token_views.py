"""The account page of API tokens: a user lists, makes and revokes its own tokens. The same as
/api/v1/tokens/ (crossborder/accounts/api.py), through the same services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from projects import access

from .models import ApiToken
from .tokens import api_token_create, api_token_revoke

View = Callable[..., HttpResponse]


def api_user_view(view: View) -> View:
    """Signed-in users with a role, who may use the API: anyone else signed in gets 403, an
    anonymous visitor the login page. Never cached: the page may show a key."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can_read_programme(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(never_cache(checked))


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “nightly import”."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Lifetime in days"),
        required=False,
        help_text=gettext_lazy("Empty for the default."),
    )


@require_http_methods(["GET", "POST"])
@api_user_view
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens and a form to make one. A token made is shown with its key on the
    answer to the POST itself, not after a redirect: the key is never kept anywhere, not even
    in the session, so this page is the only place it appears."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    created: ApiToken | None = None
    key = ""
    if form.is_valid():
        try:
            created, key = api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            # The same name given in two requests at once: the database keeps one.
            form.add_error(
                "name",
                _("A token of this name was made at the same moment: choose another name."),
            )
        else:
            form = TokenForm()
    now = timezone.now()
    tokens = [(token, token.status_at(now)) for token in ApiToken.objects.owned_by(request.user)]
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "created": created,
            "key": key,
            "default_days": settings.API_TOKEN_LIFETIME_DAYS,
            "max_days": settings.API_TOKEN_MAX_LIFETIME_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
@api_user_view
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks before revoking (GET), revokes (POST). Another user's token is a 404."""
    token = get_object_or_404(ApiToken.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        api_token_revoke(token=token, by=request.user)
        messages.success(
            request,
            _("The token “%(name)s” (%(prefix)s…) is revoked: it no longer opens the API.")
            % {"name": token.name, "prefix": token.prefix},
        )
        return redirect("accounts:tokens")
    return render(
        request,
        "accounts/tokens_revoke.html",
        {"token": token, "status": token.status_at(timezone.now())},
    )
