from __future__ import annotations

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Programmes and projects")

    def ready(self) -> None:
        # History is registered after modeltranslation has added its fields (see history.py).
        from . import history  # noqa: F401

        post_migrate.connect(_ensure_roles, dispatch_uid="projects_ensure_roles")


def _ensure_roles(app_config: AppConfig, **kwargs: object) -> None:
    """Keep the role groups in step with the models after every migrate (and in test databases).

    post_migrate is sent once per app, and permissions are made app by app: wait for the last
    app so that every permission exists.
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if app_config is not with_models[-1]:
        return
    from .roles import ensure_roles

    ensure_roles()
