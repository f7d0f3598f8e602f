"""Emails through the real workers, and through an SMTP outage, with nothing lost.

The SMTP server is a local sink (tests/ops/services.py) that the test starts and stops.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifeline.core.management.commands.tick import run_jobs
from lifeline.notifications import services
from lifeline.notifications.models import EmailLog
from tests.ops.services import REDIS_URL, require_redis

pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password1": "a-perfectly-fine-password-1",
    "password2": "a-perfectly-fine-password-1",
}


def later(minutes: int) -> object:
    """A clock ``minutes`` ahead, for sweeping retries that are not due yet."""
    moment = timezone.now() + timedelta(minutes=minutes)
    return lambda: moment


def run_db_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_db_worker_delivers_what_the_transaction_queued(db_tasks, smtp_sink, settings, user):
    settings.MAILERS = smtp_sink.start().mailer()
    with transaction.atomic():
        (log,) = services.send_email(
            template="account_password_changed", user=user, context={"user": user}
        )
        # The task row is part of the transaction: it exists exactly when the change does.
        assert DBTaskResult.objects.ready().count() == 1
    assert EmailLog.objects.get(pk=log.pk).status == EmailLog.Status.QUEUED
    assert smtp_sink.messages == []

    run_db_worker()

    log.refresh_from_db()
    assert log.status == EmailLog.Status.SENT and log.payload == ""
    assert [m["To"] for m in smtp_sink.messages] == [user.email]


def test_rolled_back_change_sends_nothing(db_tasks, smtp_sink, settings, user):
    settings.MAILERS = smtp_sink.start().mailer()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_email(template="account_password_changed", user=user, context={"user": user})
        raise RuntimeError("the change failed")
    assert not EmailLog.objects.exists() and not DBTaskResult.objects.exists()
    run_db_worker()
    assert smtp_sink.messages == []


def test_signup_while_smtp_is_down_arrives_when_it_is_back(
    db_tasks, smtp_sink, settings, client, monkeypatch
):
    settings.MAILERS = smtp_sink.mailer()  # nothing listens on the port yet
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302

    run_db_worker()  # the worker tries, SMTP refuses the connection
    log = EmailLog.objects.get(to="newbie@example.com")
    assert log.status == EmailLog.Status.RETRYING and log.attempts == 1
    assert "Connection" in log.last_error or "refused" in log.last_error.lower()
    assert log.payload  # kept, encrypted, for the next attempt
    # The retry is queued with backoff in the task queue itself.
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()

    smtp_sink.start()
    # The scheduled sweep (`lifeline tick`) delivers it once its retry is due.
    monkeypatch.setattr(services.timezone, "now", later(5))
    assert run_jobs()["lifeline.notifications.services.retry_due_emails"] == 1
    monkeypatch.undo()

    log.refresh_from_db()
    assert log.status == EmailLog.Status.SENT and log.attempts == 2 and log.payload == ""
    (message,) = smtp_sink.messages
    assert message["To"] == "newbie@example.com"
    assert re.search(r"/account/confirm-email/\S+/", message.get_body(("plain",)).get_content())

    # The deferred retry task still runs later, and sends nothing twice.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_db_worker()
    assert len(smtp_sink.messages) == 1


def test_email_gives_up_after_max_attempts_and_staff_see_it(
    smtp_sink, settings, user, admin_client
):
    settings.MAILERS = smtp_sink.mailer()  # down for good
    settings.LIFELINE_EMAIL_MAX_ATTEMPTS = 2
    settings.LIFELINE_REQUIRE_2FA = False  # the 2FA gate on staff is tested elsewhere
    settings.LIFELINE_BANNER_PROVIDERS = []
    (log,) = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )
    assert EmailLog.objects.get(pk=log.pk).status == EmailLog.Status.RETRYING
    services.deliver(log.pk)
    log.refresh_from_db()
    assert log.status == EmailLog.Status.FAILED and log.attempts == 2

    page = admin_client.get("/admin/notifications/emaillog/?problem=yes")
    assert page.status_code == 200
    html = page.content.decode()
    assert user.email in html and "Failed" in html and "ConnectionRefusedError" in html
    assert log.payload[:20] not in html  # the encrypted message is never shown

    # Staff fix SMTP and retry it from the admin.
    settings.MAILERS = smtp_sink.start().mailer()
    admin_client.post(
        "/admin/notifications/emaillog/",
        {"action": "retry_now", "_selected_action": [log.pk]},
    )
    log.refresh_from_db()
    assert log.status == EmailLog.Status.SENT
    assert [m["To"] for m in smtp_sink.messages] == [user.email]


@pytest.mark.redis
def test_rq_worker_delivers(smtp_sink, settings, user):
    """The scale-out backend: tasks in Redis, run by an RQ worker (burst mode here)."""
    require_redis()
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    settings.LIFELINE_TASKS_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.MAILERS = smtp_sink.start().mailer()
    connection = django_rq.get_connection("default")
    connection.flushdb()
    try:
        with transaction.atomic():
            services.send_email(
                template="account_password_changed", user=user, context={"user": user}
            )
            # RQ lives outside the database: enqueued only once the change commits.
            assert django_rq.get_queue("default").count == 0
        assert django_rq.get_queue("default").count == 1

        # SimpleWorker runs jobs in this process (no fork), so it sees the test database.
        worker = django_rq.get_worker("default", worker_class=SimpleWorker, job_class=Job)
        worker.work(burst=True)

        log = EmailLog.objects.get(to=user.email)
        assert log.status == EmailLog.Status.SENT
        assert [m["To"] for m in smtp_sink.messages] == [user.email]
    finally:
        connection.flushdb()
