from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Long work done in the background (crossborder/celery.py): its state, progress and file."""

    name = "crossborder.jobs"
    label = "jobs"
    verbose_name = "Jobs"
