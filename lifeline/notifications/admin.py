"""Staff see every email's fate in the admin (/admin/notifications/emaillog/).

Read-only: the encrypted payload is never shown. Failed emails are listed first through
the "Delivery problems" filter; "Retry now" re-queues a failed or retrying email.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from lifeline.core.tasks import enqueue
from lifeline.notifications.models import EmailLog


class ProblemFilter(admin.SimpleListFilter):
    title = "delivery problems"
    parameter_name = "problem"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Failed or retrying")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(status__in=[EmailLog.Status.FAILED, EmailLog.Status.RETRYING])
        return queryset


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = [
        "created",
        "to",
        "template",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = [ProblemFilter, "status", "template"]
    search_fields = ["to", "template", "subject"]
    date_hierarchy = "created"
    exclude = ["payload"]
    readonly_fields = [
        "to",
        "user",
        "template",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created",
        "sent_at",
        "next_attempt_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        from lifeline.notifications.tasks import deliver_email

        count = 0
        with transaction.atomic():
            for log in queryset.select_for_update().filter(
                status__in=[EmailLog.Status.FAILED, EmailLog.Status.RETRYING]
            ):
                if not log.payload:
                    continue
                if log.status == EmailLog.Status.FAILED:
                    log.attempts = 0  # a fresh set of retries
                log.status = EmailLog.Status.RETRYING
                log.next_attempt_at = timezone.now()
                log.save(update_fields=["status", "attempts", "next_attempt_at"])
                enqueue(deliver_email, log.pk)
                count += 1
        self.message_user(request, f"{count} email(s) queued for another try.", messages.SUCCESS)
