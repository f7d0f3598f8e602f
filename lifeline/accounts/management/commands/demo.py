"""``lifeline demo``: a few users with verified emails and known demo passwords."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lifeline.accounts.services import user_create

DEMO_USERS = [
    # username, email, password, staff
    ("alice", "alice@example.com", "demo-alice-password", False),
    ("bob", "bob@example.com", "demo-bob-password", False),
    ("support", "support@example.com", "demo-support-password", True),
]


class Command(BaseCommand):
    help = "Create demo users. Runs only on an empty database unless given --force."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even if users exist.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Skip quietly when users already exist."
        )

    def handle(self, *args: Any, force: bool, if_empty: bool, **options: Any) -> None:
        User = get_user_model()
        if User.objects.exists() and not force:
            if if_empty:
                self.stdout.write("Database already has users; demo data not loaded.")
                self._print_logins()
                return
            raise CommandError("The database already has users. Use --force to add demo users.")
        with transaction.atomic():
            for username, email, password, staff in DEMO_USERS:
                if User.objects.filter(username__iexact=username).exists():
                    continue
                user = user_create(
                    username=username,
                    email=email,
                    password=password,
                    verified=True,
                    staff=staff,
                    validate_password=False,
                )
                if staff:
                    # The desk's "support" role (an auth group made by the desk's migration).
                    group = Group.objects.filter(name="support").first()
                    if group is not None:
                        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("Demo logins (username / password):")
        for username, _email, password, staff in DEMO_USERS:
            role = " (support staff: set up 2FA to open the desk at /desk/)" if staff else ""
            self.stdout.write(f"  {username} / {password}{role}")
