from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit of reads: who saw which jobseekers' personal data, when and where."""

    name = "crossborder.audit"
    label = "audit"
    verbose_name = _("Audit of reads")
