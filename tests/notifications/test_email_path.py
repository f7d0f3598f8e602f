"""The one email path: verified-only by default, logged, encrypted while queued, retried."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from lifeline.core import crypto
from lifeline.notifications import services
from lifeline.notifications.models import EmailLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class FlakyBackend(LocmemBackend):
    """Fails while ``FlakyBackend.down`` is true, like an SMTP server that is unreachable."""

    down = True

    def send_messages(self, messages):
        if FlakyBackend.down:
            raise ConnectionRefusedError("SMTP server unreachable")
        return super().send_messages(messages)


def test_sends_to_every_verified_address_only(user, outbox):
    EmailAddress.objects.create(user=user, email="second@example.com", verified=True)
    EmailAddress.objects.create(user=user, email="pending@example.com", verified=False)
    logs = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )
    assert sorted(log.to for log in logs) == sorted([user.email, "second@example.com"])
    assert sorted(m.to[0] for m in outbox) == sorted([user.email, "second@example.com"])


def test_explicit_unverified_address_is_skipped_unless_asked(user, outbox):
    assert services.send_email(template="account_unknown_account", to=["x@example.com"]) == []
    assert outbox == []
    services.send_email(
        template="account_unknown_account", to=["X@Example.com"], include_unverified=True
    )
    assert outbox[0].to == ["x@example.com"]


def test_every_email_has_the_footer_and_an_html_part(user, outbox, settings):
    settings.LIFELINE_BASE_URL = "https://pypi.example.org"
    services.send_email(template="account_password_changed", user=user, context={"user": user})
    message = outbox[0]
    assert "never ask for your password or your recovery codes" in message.body
    assert "pypi.example.org" in message.body
    html = message.alternatives[0][0]
    assert "never ask for your password" in html and "pypi.example.org" in html


def test_payload_is_encrypted_while_queued_and_wiped_after_send(user, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    (log,) = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )
    log.refresh_from_db()
    assert log.status == EmailLog.Status.QUEUED
    assert user.username not in log.payload and log.payload.startswith(crypto.PREFIX)
    assert services.deliver(log.pk) == EmailLog.Status.SENT
    log.refresh_from_db()
    assert log.payload == "" and log.sent_at is not None
    # Delivering twice never sends twice.
    assert services.deliver(log.pk) == EmailLog.Status.SENT
    assert len(mail.outbox) == 1


def test_smtp_failure_is_retried_with_backoff_then_delivered(user, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_email_path.FlakyBackend"}}
    FlakyBackend.down = True
    (log,) = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )
    log.refresh_from_db()
    assert log.status == EmailLog.Status.RETRYING
    assert log.attempts == 1 and "unreachable" in log.last_error
    assert log.next_attempt_at is not None and log.payload
    FlakyBackend.down = False
    EmailLog.objects.filter(pk=log.pk).update(next_attempt_at=None)
    assert services.retry_due_emails() == 1
    log.refresh_from_db()
    assert log.status == EmailLog.Status.SENT and log.payload == ""
    assert mail.outbox[0].to == [user.email]


def test_gives_up_after_max_attempts_and_keeps_the_failure_visible(user, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_email_path.FlakyBackend"}}
    settings.LIFELINE_EMAIL_MAX_ATTEMPTS = 2
    FlakyBackend.down = True
    (log,) = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )
    services.deliver(log.pk)
    log.refresh_from_db()
    assert log.status == EmailLog.Status.FAILED and log.attempts == 2


def test_backoff_grows_and_is_capped():
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert services.backoff(50).total_seconds() == 3600


def test_dev_outbox_lists_and_links_messages(client, settings):
    settings.MAILERS = {"default": {"BACKEND": "lifeline.notifications.outbox.OutboxBackend"}}
    settings.LIFELINE_BASE_URL = "http://localhost:8000"
    user = UserFactory()
    services.send_email(template="account_password_changed", user=user, context={"user": user})
    settings.LIFELINE_DEV_OUTBOX = True
    listing = client.get("/_dev/outbox/")
    assert listing.status_code == 200 and user.email in listing.content.decode()
    from lifeline.notifications.models import OutboxMessage

    message = OutboxMessage.objects.get()
    detail = client.get(f"/_dev/outbox/{message.pk}/")
    assert '<a href="http://localhost:8000/account/password/reset/">' in detail.content.decode()
    assert detail["Referrer-Policy"] == "no-referrer"


def test_dev_outbox_is_404_when_disabled(client, settings):
    settings.LIFELINE_DEV_OUTBOX = False
    assert client.get("/_dev/outbox/").status_code == 404
    assert client.get("/_dev/outbox/1/").status_code == 404


def test_extra_headers_are_queued_encrypted_and_set_at_delivery(user, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    url = "https://lifeline.example/reminders/unsubscribe/tok/"
    (log,) = services.send_email(
        template="account_password_changed",
        user=user,
        context={"user": user},
        headers={"List-Unsubscribe": f"<{url}>", "X-Lifeline-Kind": "test"},
    )
    log.refresh_from_db()
    assert url not in log.payload  # stored inside the encrypted message
    assert services.deliver(log.pk) == EmailLog.Status.SENT
    message = mail.outbox[0].message()
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["X-Lifeline-Kind"] == "test"


@pytest.mark.parametrize(
    ("headers", "complaint"),
    [
        ({"List-Unsubscribe": "<https://x.example/>\r\nBcc: victim@example.com"}, "CR or LF"),
        ({"List-Unsubscribe": "<https://x.example/>\nX: y"}, "CR or LF"),
        ({"X-Evil\r\nBcc": "victim@example.com"}, "CR or LF"),
        ({"Bad Name": "x"}, "not a valid header name"),
        ({"X-Colon:": "x"}, "not a valid header name"),
        ({"Bcc": "victim@example.com"}, "set by the email path itself"),
        ({"subject": "other"}, "set by the email path itself"),
    ],
)
def test_header_injection_and_reserved_headers_are_refused(user, headers, complaint):
    with pytest.raises(ValueError, match=complaint):
        services.send_email(
            template="account_password_changed", user=user, context={"user": user}, headers=headers
        )
    assert not EmailLog.objects.exists()  # refused before anything was queued
    assert mail.outbox == []


def test_emails_without_extra_headers_carry_no_unsubscribe(user):
    services.send_email(template="account_password_changed", user=user, context={"user": user})
    message = mail.outbox[0].message()
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
