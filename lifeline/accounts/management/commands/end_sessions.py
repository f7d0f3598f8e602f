"""``lifeline end_sessions <username> --reason "..."``: sign one account out everywhere.
``lifeline end_sessions --all --reason "..."``: sign every account out (an incident).

For staff with shell access (ASVS 7.4.5). One account: every session of it ends, the account
is not frozen (its owner signs in again as usual), the change is recorded in the account's
security history and the owner gets a security notice by email. ``--all``: every session of
every account ends, one event is recorded, nobody is emailed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifeline.accounts.sessions import end_all_sessions, end_every_session


class Command(BaseCommand):
    help = "End every session of one account (or of all) without freezing; the owner is emailed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="the account's username (any case)")
        parser.add_argument("--all", action="store_true", help="every account (an incident)")
        parser.add_argument(
            "--reason",
            required=True,
            help="why (kept in the security history, never shown to the owner)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username, everyone, reason = options["username"], options["all"], options["reason"]
        if bool(username) == bool(everyone):
            raise CommandError("Name one account, or pass --all (not both).")
        try:
            if everyone:
                ended = end_every_session(actor=None, justification=reason)
                self.stdout.write(f"Signed every account out ({ended} session(s) ended).")
                return
            try:
                user = get_user_model().objects.get(username__iexact=username)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No account is named {username!r}.") from None
            ended = end_all_sessions(user=user, actor=None, justification=reason)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Signed {user.username} out everywhere ({ended} tracked session(s) ended); "
            "they were emailed."
        )
