"""Login protection: the client's address that django-axes counts failed logins by.

Axes locks out a user name *and* an address together (settings.AXES_LOCKOUT_PARAMETERS), so
the address must be the client's and not one a client can choose: an address read from a
header the client wrote would let an attacker try every password from "new" addresses, or lock
a colleague out by sending their address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client: the peer of the connection (REMOTE_ADDR), or, behind
    settings.TRUSTED_PROXY_COUNT proxies, the address the outermost of them received the
    request from.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N
    proxies the N-th entry from the right was written by the outermost proxy and is the client's;
    entries further left were sent by the client and are not trusted. With fewer entries than
    proxies (a request that bypassed one) the leftmost is taken; with none, the peer.
    """
    peer = request.META.get("REMOTE_ADDR", "") or ""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if not forwarded:
        return peer
    return forwarded[-min(proxies, len(forwarded))]
