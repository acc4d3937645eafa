"""The API's response cache for the actions' read-only pages, kept right by a data version.

A rendered page is stored in Django's cache (settings.CACHES) under a key made of the data
version, the request's absolute URL (scheme, host, path and full query string: the paging links
name the host), the negotiated renderer and media type, and the active language. The data
version is one row in the database, read once per request and given a new random token in the
transaction of every write that can change what an action shows (the signals below; bulk paths,
which send no signals, call `bump_data_version()` themselves). So every process, whatever its
own cache holds, serves a page only while the data it was rendered from is current, and a
rolled-back write leaves the version as it was. A random token rather than a counter: a
database restored from a backup, or a test's rolled-back transaction, never brings back a
version under which other data was cached.

Permissions and throttling still run on every request: the cache is consulted in the view's
handler, after DRF's `initial()`. The page carries an ETag (a hash of its key), and a request
whose If-None-Match names it is answered 304 after the one query of the version. A handler that
sets its own ETag (a record's detail: its version, which a change sends back as If-Match) keeps
it, stored with the page; its clients never see the page's hash, so their If-None-Match names
no page (the record's version is not everything the page shows: its figures move on their own).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils import translation
from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crossborder.core.dataversion import data_version

# A page stays at most this long in the cache, whatever the version (seconds).
CACHE_TIMEOUT = 3600


def page_digest(request: Request, version: str) -> str:
    """The hash of everything a page's body depends on: its cache key and its ETag."""
    parts = (
        version,
        request.build_absolute_uri(),
        request.accepted_renderer.format,
        request.accepted_media_type,
        translation.get_language(),
    )
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    return any(tag in ("*", etag) for tag in parse_etags(header))


Handler = Callable[..., HttpResponseBase]


def cached_read(handler: Handler) -> Handler:
    """Serve a read-only handler's 200 pages from the cache, with an ETag and 304s.

    Only for pages whose body is the same for every user allowed to read them (the user is not
    part of the key): the permission classes decide who gets the page, not its content."""

    @functools.wraps(handler)
    def serve(view: APIView, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        version = data_version()
        # A sync's page (crossborder.sync) depends on the clock too: it holds back what changed
        # within the last seconds, which a cached copy would keep holding back.
        if version is None or "changed_since" in request.query_params:
            return handler(view, request, *args, **kwargs)
        digest = page_digest(request, version)
        key, etag = f"api-page:{digest}", f'"{digest[:32]}"'
        if _not_modified(request, etag):
            return HttpResponseNotModified(headers={"ETag": etag})
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers={"ETag": etag, **headers})
        response = handler(view, request, *args, **kwargs)
        if response.status_code == 200 and isinstance(response, Response):
            # Rendered now so that its body can be stored; DRF's own finalize_response after the
            # handler leaves a rendered response as it is.
            response = view.finalize_response(request, response, *args, **kwargs)
            response.render()
            headers = {
                name: response[name]
                for name in ("Content-Type", "Content-Disposition", "ETag")
                if name in response
            }
            cache.set(key, (response.content, headers), CACHE_TIMEOUT)
            if "ETag" not in response:
                response["ETag"] = etag
        return response

    return serve
