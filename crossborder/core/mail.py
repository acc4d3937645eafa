"""The mail backend of a site that set none: it sends nothing and says so.

Without DEBUG, Django's console backend would print every digest, with the jobseekers'
references it lists, to the worker's output and so to its log. A site that has not chosen how
mail leaves (EMAIL_BACKEND) refuses to send instead: the digest is not recorded as sent, so the
next run after the site is configured sends it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

NOT_CONFIGURED = (
    "No mail is sent: the site has no mail server (set EMAIL_BACKEND, with EMAIL_HOST and "
    "EMAIL_PORT, as docs/deployment.md says)."
)


class NotConfiguredBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ImproperlyConfigured(NOT_CONFIGURED)
