from __future__ import annotations

from django.apps import AppConfig


class UploadsConfig(AppConfig):
    """Uploaded files waiting between an import's preview and its confirmation."""

    name = "crossborder.uploads"
    label = "uploads"
    verbose_name = "Uploads"
