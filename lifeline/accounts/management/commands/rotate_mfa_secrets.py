"""``lifeline rotate_mfa_secrets``: re-encrypt 2FA secrets under the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lifeline.accounts.mfa.rotation import rotate_mfa_secrets


class Command(BaseCommand):
    help = "Re-encrypt 2FA secrets under the first key of LIFELINE_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        count = rotate_mfa_secrets()
        self.stdout.write(f"Re-encrypted {count} two-factor secret(s) under the newest key.")
