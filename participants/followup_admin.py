"""The weekly follow-up digests in the admin: who had which week's digest, and how many
follow-ups it listed. Deleting a row lets `send_follow_up_digest` send that week's again."""

from __future__ import annotations

from django.contrib import admin

from .models import FollowUpDigest


@admin.register(FollowUpDigest)
class FollowUpDigestAdmin(admin.ModelAdmin):
    list_display = ["user", "week", "count", "sent_at"]
    list_filter = ["week"]
    search_fields = ["user__username", "user__email", "week"]
    ordering = ["-sent_at"]
