from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import token_views, views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    # API tokens (token_views.py): list and make, revoke after a confirmation.
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token-revoke"),
    # The second factor (views.py): verify at sign-in, set up, manage.
    path("two-factor/", views.two_factor_manage, name="two-factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/setup/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path(
        "two-factor/recovery-codes/",
        views.two_factor_recovery_renew,
        name="two-factor-recovery",
    ),
    path("two-factor/remove/", views.two_factor_remove, name="two-factor-remove"),
]
