from __future__ import annotations

from django.apps import AppConfig


class SyncConfig(AppConfig):
    """Incremental sync of the API's lists: what changed since a partner last read, and the
    records deleted since (tombstones)."""

    name = "crossborder.sync"
    label = "sync"
    verbose_name = "Sync"

    def ready(self) -> None:
        from . import signals

        signals.connect()
