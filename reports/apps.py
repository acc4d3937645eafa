from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from crossborder.core.dataversion import watch
        from projects.models import ReportingPeriod

        # A period's transition changes what `approved=true` counts and which figures are
        # provisional: whatever is cached by the data version must move with it.
        watch(ReportingPeriod)

        from .rollups import connect

        connect()
