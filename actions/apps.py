from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Actions and figures")

    def import_models(self) -> None:
        super().import_models()
        # The API's data version (crossborder/caching.py) is a model of this app, declared
        # beside the response cache it serves.
        from crossborder import caching  # noqa: F401

    def ready(self) -> None:
        # History is registered after modeltranslation has added its fields (see history.py).
        from crossborder.caching import watch
        from projects.models import Office, Organisation, Project, WorkPackage

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
