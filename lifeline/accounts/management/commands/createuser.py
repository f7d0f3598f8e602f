"""``lifeline createuser --username U --email E --password-stdin [--verified] [--staff]``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lifeline.accounts.services import user_create


class Command(BaseCommand):
    help = "Create an account (for scripts and first set-up). Reads the password from stdin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--password-stdin", action="store_true", required=True)
        parser.add_argument("--verified", action="store_true", help="Mark the email verified.")
        parser.add_argument("--staff", action="store_true", help="Give access to the desk.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("No password on standard input.")
        try:
            user = user_create(
                username=options["username"],
                email=options["email"],
                password=password,
                verified=options["verified"],
                staff=options["staff"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(user.username)
