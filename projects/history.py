"""Audit trail of the app's models.

Registered here, from AppConfig.ready(), rather than with HistoricalRecords() on the models:
modeltranslation adds its per-language fields at start-up and the historical models must be built
after that, or they refuse those fields.
"""

from __future__ import annotations

import simple_history

from .models import (
    BorderOfficePair,
    FormerName,
    Indicator,
    Membership,
    Office,
    Organisation,
    Programme,
    Project,
    ProjectPartner,
    Target,
    WorkPackage,
)

for model in (
    Programme,
    Organisation,
    FormerName,
    Office,
    BorderOfficePair,
    Project,
    ProjectPartner,
    WorkPackage,
    Indicator,
    Target,
    Membership,
):
    simple_history.register(model)
