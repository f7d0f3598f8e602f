"""A mail backend that keeps messages in the database, for development and demos.

Configured through MAILERS when no SMTP_HOST is set. The messages are readable at
``/_dev/outbox/`` while ``LIFELINE_DEV_OUTBOX`` (DEBUG by default) is on.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from lifeline.notifications.models import OutboxMessage

        sent = 0
        for message in email_messages:
            html = ""
            for alternative in getattr(message, "alternatives", []) or []:
                content, mimetype = alternative[0], alternative[1]
                if mimetype == "text/html":
                    html = str(content)
            OutboxMessage.objects.create(
                to=", ".join(message.to),
                from_email=message.from_email or "",
                subject=str(message.subject),
                body=str(message.body),
                html=html,
            )
            sent += 1
        return sent
