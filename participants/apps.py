from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Jobseekers and participation")

    def ready(self) -> None:
        # History is registered after modeltranslation has added its fields (see history.py);
        # the digests' admin apart from participants.admin (the personal data's).
        from . import followup_admin, history  # noqa: F401
