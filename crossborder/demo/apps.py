from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Its commands only (`load_demo`, `generate_load`): the demo has no models."""

    name = "crossborder.demo"
    label = "demo"
    verbose_name = "Demo and load"
