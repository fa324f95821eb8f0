from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.accounts import two_factor
from luodi.accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and backup codes (a lost phone); they set up a "
        "new app at their next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        removed = two_factor.disable(actor=None, user=user)
        self.stdout.write(f"Removed {removed} device(s) of {user.get_username()}.")
