"""The records deleted, kept as tombstones so that a partner's sync learns of the deletion."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Tombstone(models.Model):
    """One deleted record of a list of the API: which list it was in (the model's label), its
    id, its natural key in the API's words, and when it was deleted.

    The scope is kept as plain ids rather than foreign keys: a tombstone outlives the project or
    organisation it names, and a partner must see the deletions of its own PES only, as it sees
    its records (crossborder.sync.api.tombstones_for)."""

    model = models.CharField(_("model"), max_length=100)
    object_id = models.BigIntegerField(_("object id"))
    natural_key = models.JSONField(_("natural key"), default=dict, blank=True)
    # Scope: the PES of a personal record (jobseeker, participation) and of a reporting period,
    # the project of an action's record and of a reporting period.
    pes_id = models.BigIntegerField(_("PES id"), null=True, blank=True)
    project_id = models.BigIntegerField(_("project id"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        # A sync reads one list's deletions in the order (deleted_at, id) after a position.
        indexes = [
            models.Index(fields=["model", "deleted_at", "id"], name="tombstone_model_deleted"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} deleted {self.deleted_at.isoformat()}"
