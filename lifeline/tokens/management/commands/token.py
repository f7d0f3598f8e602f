"""``lifeline token create --user U [--project P] [--name N] [--expires-days D]``.

Prints only the raw token on stdout, so scripts can capture it:
``TOKEN=$(lifeline token create --user alice --project demo)``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from packaging.utils import canonicalize_name

from lifeline.index.models import Project
from lifeline.tokens.services import token_create


class Command(BaseCommand):
    help = "Manage API tokens from the command line (for scripts and first set-up)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (only) on stdout.")
        create.add_argument("--user", required=True, help="The username owning the token.")
        create.add_argument("--project", help="Scope the token to this (existing) project.")
        create.add_argument("--name", default="Command-line token")
        create.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username__iexact=options["user"])
        except user_model.DoesNotExist as exc:
            raise CommandError(f"No user named {options['user']!r}.") from exc
        project = None
        if options.get("project"):
            project = Project.objects.filter(
                normalized_name=canonicalize_name(options["project"])
            ).first()
            if project is None:
                raise CommandError(
                    f"No project named {options['project']!r}. Upload it first with an "
                    "unscoped token, or omit --project."
                )
            if not project.roles.filter(user=user).exists():
                raise CommandError(f"{user.username} has no role on {project.name}.")
        days = options.get("expires_days")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        _token, raw = token_create(
            user=user, name=options["name"], project=project, expires_at=expires_at
        )
        self.stdout.write(raw)
