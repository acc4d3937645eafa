"""`Authorization: Token <key>` for the API, with the keys of crossborder.accounts' tokens: the
header of DRF's tokens, so that a client changes nothing but its key. Named in the settings
(REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .tokens import TokenRefused, api_token_authenticate


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing (one `Token` keyword, one key) with hashed, expiring, revocable
    keys. A refused key is a 401 whose detail says why: invalid, expired or revoked. The schema
    documents it as drf-spectacular documents DRF's own (a subclass: `tokenAuth`)."""

    keyword = "Token"
    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        try:
            token = api_token_authenticate(key)
        except TokenRefused as refused:
            raise exceptions.AuthenticationFailed(refused.message) from refused
        return token.user, token
