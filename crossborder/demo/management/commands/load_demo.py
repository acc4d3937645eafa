from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from crossborder.demo.data import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: the projects, partners, offices and 2017-2018 actions of the Flemish "
        "Parliament's written question 443 (2018). Idempotent. With DEBUG on it also creates demo "
        "users for every role and prints their logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo(with_users=settings.DEBUG)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if logins:
            self.stdout.write(f"Demo logins (DEBUG only, password for all: {logins[0][1]}):")
            for username, _password, role in logins:
                self.stdout.write(f"  {username:<22} {role}")
        elif not settings.DEBUG:
            # Their password is in the code: never on a site that may face the internet.
            self.stdout.write(
                "No demo users: they are made with DEBUG=true only (their password is public)."
            )
