"""Audit trail of the app's models; registered after modeltranslation (see projects/history.py)."""

from __future__ import annotations

import simple_history

from .models import Jobseeker, Participation

for model in (Jobseeker, Participation):
    simple_history.register(model)
