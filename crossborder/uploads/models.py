"""An uploaded import file between its preview and its confirmation.

The file holds names, references and birth years, so it is kept in the database (in the
backups' and the erasure's reach, never as a plain file in the temporary folder), read only by
the user who uploaded it, and deleted on confirm, on cancel, on a failed confirm and once
settings.IMPORT_PREVIEW_LIFETIME minutes have passed (crossborder.uploads.services)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PreviewKind(models.TextChoices):
    PARTICIPATIONS = "participations", _("participations")
    FIGURES = "figures", _("figures")


class ImportPreview(models.Model):
    # The key the preview's form posts back: random, so that no one confirms a file by guessing.
    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_previews"
    )
    action = models.ForeignKey(
        "actions.Action", on_delete=models.CASCADE, related_name="import_previews"
    )
    kind = models.CharField(max_length=20, choices=PreviewKind.choices)
    # The PES whose jobseekers the file may name: the uploader's, or none for a user who may
    # import for every PES (then any PES's erasure reaches the file).
    pes = models.ForeignKey(
        "projects.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_previews",
    )
    filename = models.CharField(max_length=255)
    update_existing = models.BooleanField(default=False)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("import preview")
        verbose_name_plural = _("import previews")

    def __str__(self) -> str:
        return f"{self.kind} preview {self.pk}"

    @staticmethod
    def oldest_kept(now: datetime.datetime | None = None) -> datetime.datetime:
        """The upload time before which a preview has expired."""
        now = now or timezone.now()
        return now - datetime.timedelta(minutes=settings.IMPORT_PREVIEW_LIFETIME)

    def has_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.created_at < self.oldest_kept(now)
