"""Every write of the import previews: kept until confirm, cancel or the end of their lifetime."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from crossborder.uploads.models import ImportPreview, PreviewKind


def preview_store(
    *,
    user: User,
    action_id: int,
    kind: str,
    pes_id: int | None,
    filename: str,
    update_existing: bool,
    content: bytes,
) -> ImportPreview:
    """Keep an uploaded file for its confirmation; every upload also sweeps the expired ones,
    so that they go even where the purge command is not run."""
    previews_purge()
    return ImportPreview.objects.create(
        token=secrets.token_urlsafe(32),
        user=user,
        action_id=action_id,
        kind=kind,
        pes_id=pes_id,
        filename=filename[:255],
        update_existing=update_existing,
        content=content,
    )


def preview_find(
    *, user: User | AnonymousUser, token: str, action_id: int, kind: str
) -> ImportPreview | None:
    """The user's own preview of this import, or None: another user's token, another action's or
    kind's, and an expired preview (deleted here) are all unknown."""
    if not token or not user.is_authenticated:
        return None
    preview = ImportPreview.objects.filter(
        token=token, user_id=user.pk, action_id=action_id, kind=kind
    ).first()
    if preview is not None and preview.has_expired():
        preview.delete()
        return None
    return preview


def preview_discard(*, preview: ImportPreview) -> None:
    ImportPreview.objects.filter(pk=preview.pk).delete()


def previews_purge() -> int:
    """Delete every preview older than its lifetime; the number deleted."""
    deleted, _ = ImportPreview.objects.filter(created_at__lt=ImportPreview.oldest_kept()).delete()
    return deleted


def previews_discard_for_pes(*, pes_id: int) -> int:
    """Delete every pending participations preview that may name a jobseeker of the PES: the
    files of its users and those of users who import for every PES. Not only the files that
    name the person: a file is opaque until parsed, and a row may name them in a way no search
    finds (a misspelt name, another reference); the uploader uploads it again."""
    deleted, _ = ImportPreview.objects.filter(
        Q(pes_id=pes_id) | Q(pes__isnull=True), kind=PreviewKind.PARTICIPATIONS
    ).delete()
    return deleted
