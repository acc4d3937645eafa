"""The audit of reads: every view of a jobseeker's personal data, append-only.

An event is one request that showed personal data (a page, an API answer, an export), by one
user; its jobseekers are rows of a link table holding the jobseeker's id, indexed, so that "who
looked at this person" is one indexed query on any database (a JSON list of ids would be a scan).

The ids are plain integers, not foreign keys: the audit must outlive the jobseeker's erasure
and even its deletion to answer who looked at that record, and an id alone says nothing about
the person once the record is erased. The reader is named by a copy of the username, role and
organisation as they were at the time of reading, so a later change of role or a deleted
account does not rewrite the past.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReadKind(models.TextChoices):
    """Where the personal data was shown."""

    ADMIN_CHANGE = "admin_change", _("admin: page of a record")
    ADMIN_LIST = "admin_list", _("admin: list")
    ADMIN_HISTORY = "admin_history", _("admin: history of a record")
    ADMIN_DELETE = "admin_delete", _("admin: deletion page")
    ADMIN_ERASE = "admin_erase", _("admin: erasure confirmation")
    ADMIN_EXPORT = "admin_export", _("admin: export")
    API_DETAIL = "api_detail", _("API: a record")
    API_LIST = "api_list", _("API: list")
    ACCESS_EXPORT = "access_export", _("access request export")


class AppendOnlyError(Exception):
    """A change or deletion of the read audit outside its retention service."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError(
        "The read audit is append-only: its entries are never changed, and deleted only by "
        "the retention (crossborder.audit.services.read_events_purge)."
    )


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """No update or delete of many rows at once either. The retention service deletes through
    Django's base QuerySet.delete, named explicitly: the only path that may."""

    def update(self, **kwargs: Any) -> int:
        _refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse()


class ReadEvent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Copies as they were when reading (see the module's docstring).
    username = models.CharField(_("username"), max_length=150)
    role = models.CharField(_("role"), max_length=100, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    at = models.DateTimeField(_("read at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=20, choices=ReadKind.choices)
    # The path only: query strings may hold the search terms, names included.
    path = models.CharField(_("path"), max_length=500)
    jobseeker_count = models.PositiveIntegerField(_("jobseekers"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("read of personal data")
        verbose_name_plural = _("reads of personal data")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="audit_read_user_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class ReadEventJobseeker(models.Model):
    """One jobseeker shown by a read event."""

    event = models.ForeignKey(
        ReadEvent, on_delete=models.CASCADE, related_name="jobseekers", verbose_name=_("read")
    )
    jobseeker_id = models.PositiveBigIntegerField(_("jobseeker id"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("jobseeker read")
        verbose_name_plural = _("jobseekers read")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "jobseeker_id"], name="audit_read_jobseeker_once"
            )
        ]
        # "Who looked at jobseeker 42": the index answers it, with the events by their key.
        indexes = [models.Index(fields=["jobseeker_id", "event"], name="audit_read_jobseeker")]

    def __str__(self) -> str:
        return f"#{self.jobseeker_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()
