"""Request checks that hold for every page and endpoint."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from crossborder.core.logs import request_id, request_id_from


class RequestId:
    """Names each request by an id (the proxy's X-Request-ID when plausible, else a new one)
    that every log line written while serving it carries, and gives it back in the response's
    X-Request-ID, so a user's report of an error can be found in the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        named = request_id_from(request.headers.get("X-Request-ID"))
        # On the request too, for the lines Django writes after the middleware has returned.
        request.request_id = named  # type: ignore[attr-defined]
        token = request_id.set(named)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            request_id.reset(token)


class RejectNulCharacters:
    """On the pages, a query parameter with a NUL character is a 400: PostgreSQL refuses NUL in
    text, even in the WHERE of a lookup, and would turn a filter by slug into a server error.

    The API is left to its exception handler (crossborder.api.base.exception_handler), which answers
    such a database refusal with a 400: there, a parameter an endpoint does not read must stay
    ignored, as its schema promises."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return self.get_response(request)
        names = [
            name
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        ]
        if names:
            message = str(ProhibitNullCharactersValidator.message)
            return HttpResponseBadRequest(f"{', '.join(names)}: {message}")
        return self.get_response(request)


class PermissionsPolicy:
    """The Permissions-Policy header of every page and endpoint (settings.PERMISSIONS_POLICY):
    none of them uses the camera, the microphone or the location, so a script that got in (or a
    page that frames a download) cannot ask for them. Django's SecurityMiddleware sets the other
    security headers but not this one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class StaffIdleTimeout:
    """Signs a staff user out on the first request after settings.SESSION_IDLE_TIMEOUT minutes
    without one, and sends a page request to the login page with a message that says why.

    Staff reach every record of their PES through the admin, so a session left open on an
    unattended computer is closed sooner than the others, which keep SESSION_COOKIE_AGE. The
    time of the last request is kept in the session, rewritten at most once a minute so that
    a busy user does not write the session on every request."""

    SESSION_KEY = "crossborder_last_seen"
    # Seconds between two rewrites of the time of the last request.
    RESOLUTION = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        timeout = settings.SESSION_IDLE_TIMEOUT * 60
        if user is None or not user.is_authenticated or not user.is_staff or timeout <= 0:
            return self.get_response(request)
        now = int(time.time())
        last_seen = request.session.get(self.SESSION_KEY)
        if isinstance(last_seen, int) and now - last_seen > timeout:
            logout(request)
            if request.path.startswith("/api/"):
                # Answered as the anonymous request it now is: 401, no redirect for a client.
                return self.get_response(request)
            messages.warning(
                request,
                _("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": settings.SESSION_IDLE_TIMEOUT},
            )
            # The path only: a query string may carry a search for a person (?q=...).
            return redirect_to_login(request.path)
        if not isinstance(last_seen, int) or now - last_seen >= self.RESOLUTION:
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class NoStoreForSignedIn:
    """`Cache-Control: no-store` on every response to a signed-in user, so that no browser
    cache, proxy or back button keeps a page or an API answer with personal data after the
    user has gone (pages, admin, API, exports and downloads alike).

    Static files never get here (WhiteNoise answers them above). A view that decides its own
    caching opts out by setting its own Cache-Control header, which is left alone. An ETag is
    no such sign: the API sends one with every record's version. The API's cached pages of
    actions (crossborder.api.caching) are cached on the server; a client may still revalidate
    them with If-None-Match."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: the API's token authentication sets request.user there.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or "Cache-Control" in response:
            return response
        response["Cache-Control"] = "no-store"
        return response
