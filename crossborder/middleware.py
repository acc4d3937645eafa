"""Request checks that hold for every page and endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


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
