from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Actions and figures")

    def ready(self) -> None:
        # History is registered after modeltranslation has added its fields (see history.py).
        from . import history  # noqa: F401
