"""The signal of a write to the reports' facts (figures, participation records, employers
present) that sent no model signal: bulk_create, COPY. The reports' rollups (reports.rollups)
receive it and mark the actions, in the writer's transaction, as they do on a model's save or
delete. Every bulk path of those models sends it, beside bump_data_version()."""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

facts_written = Signal()


def facts_written_for(action_ids: Iterable[int | None]) -> None:
    """Tell the receivers that the facts of these actions changed in this transaction."""
    ids = sorted({action_id for action_id in action_ids if action_id is not None})
    if ids:
        facts_written.send(sender=None, action_ids=ids)
