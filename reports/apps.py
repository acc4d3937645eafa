from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from crossborder.core.dataversion import watch
        from projects.models import (
            BorderOfficePair,
            FormerName,
            Indicator,
            Programme,
            ProjectPartner,
            ReportingPeriod,
            Target,
        )

        # A period's transition changes what `approved=true` counts and which figures are
        # provisional: whatever is cached by the data version must move with it.
        watch(ReportingPeriod)
        # The rest of what the year report's page tells (kept whole: year_page.SheetPage):
        # the partners and their former names, the border offices, the indicators and targets.
        watch(BorderOfficePair, FormerName, Indicator, Programme, ProjectPartner, Target)

        from .rollups import connect

        connect()
