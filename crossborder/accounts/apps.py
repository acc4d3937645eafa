from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in and the account's own keys: login protection, second factors, API tokens."""

    name = "crossborder.accounts"
    label = "accounts"
    verbose_name = "Accounts"
