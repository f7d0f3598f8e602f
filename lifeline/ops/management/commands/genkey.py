"""``lifeline genkey``: print a new encryption key (or a new SECRET_KEY) for the environment."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand

from lifeline.core import crypto


class Command(BaseCommand):
    help = "Print a new key for LIFELINE_ENCRYPTION_KEYS (or --secret-key for SECRET_KEY)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--secret-key", action="store_true", help="A Django SECRET_KEY.")

    def handle(self, *args: Any, secret_key: bool, **options: Any) -> None:
        self.stdout.write(secrets.token_urlsafe(50) if secret_key else crypto.generate_key())
