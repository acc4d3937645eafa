from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Long work done in the background (crossborder/celery.py): its state, progress and file."""

    name = "crossborder.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # The tasks connect the refresh of the reports' rollups to the commits that marked
        # actions (crossborder.jobs.tasks): in every process, a command's too, not only once a
        # page has imported them.
        from . import tasks  # noqa: F401
