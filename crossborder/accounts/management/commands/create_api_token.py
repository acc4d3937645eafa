"""`manage.py create_api_token USERNAME --name NAME [--days N]`: a token for a user, its key
printed once, for operators and for CI."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossborder.accounts.tokens import api_token_create


class Command(BaseCommand):
    help = (
        "Make an API token for a user and print its key on standard output, alone on its line "
        "(what it is goes to standard error). The key is shown this once: only its hash is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The user the token acts for.")
        parser.add_argument(
            "--name", required=True, help="What the token is for; unique among the user's tokens."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Lifetime in days (default API_TOKEN_LIFETIME_DAYS, at most "
            "API_TOKEN_MAX_LIFETIME_DAYS).",
        )

    def handle(
        self, *args: Any, username: str, name: str, days: int | None, **options: Any
    ) -> None:
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as missing:
            raise CommandError(f"No user named “{username}”.") from missing
        try:
            token, key = api_token_create(user=user, name=name, days=days)
        except ValidationError as error:
            problems = "; ".join(
                f"--{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
                for field, messages in error.message_dict.items()
            )
            raise CommandError(problems) from error
        self.stderr.write(
            f"Token “{token.name}” of {username} ({token.prefix}…), expires "
            f"{token.expires_at:%Y-%m-%d %H:%M %Z}. Keep the key: it is not shown again."
        )
        self.stdout.write(key)
