from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Actions and figures")

    def ready(self) -> None:
        from crossborder.core.dataversion import watch
        from projects.models import Office, Organisation, Project, WorkPackage

        # History is registered after modeltranslation has added its fields (see history.py).
        from . import history  # noqa: F401
        from .models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector

        # Everything an action's page in the API shows, its many-to-many relations included.
        watch(
            Action,
            Figure,
            ActionEmployer,
            JobOffer,
            Certificate,
            Sector,
            Office,
            Organisation,
            Project,
            WorkPackage,
        )
