"""Audit trail of the app's models; registered after modeltranslation (see projects/history.py)."""

from __future__ import annotations

import simple_history

from .models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector

for model in (Sector, Certificate, ActionEmployer, JobOffer, Figure):
    simple_history.register(model)
simple_history.register(Action, m2m_fields=["organisers", "offices", "certificates"])
