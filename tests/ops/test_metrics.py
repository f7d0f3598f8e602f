"""/metrics: protected, counting sign-ins, failures, uploads; gauges read at scrape time."""

from __future__ import annotations

import pytest
from allauth.mfa.signals import authentication_failed
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from lifeline.notifications import services
from lifeline.notifications.models import EmailLog

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def scrape(client, settings):
    settings.LIFELINE_METRICS_TOKEN = TOKEN

    def scrape() -> dict[tuple[str, tuple], float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"].startswith("text/plain")
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return scrape


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_hidden_without_the_token_or_an_allowed_address(client, settings):
    settings.LIFELINE_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.LIFELINE_METRICS_TOKEN = ""
    settings.DEBUG = False
    assert client.get("/metrics").status_code == 404  # nothing configured: off


def test_allowed_networks_can_scrape(client, settings):
    settings.LIFELINE_METRICS_ALLOW_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 404
    # X-Forwarded-For is not believed without a trusted proxy.
    forged = client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert forged.status_code == 404


def test_counts_requests_logins_and_failures(scrape, client, user, password):
    before = scrape()
    client.post(reverse("account_login"), {"login": user.username, "password": "wrong-one-1"})
    client.post(reverse("account_login"), {"login": user.username, "password": password})
    after = scrape()
    assert (
        value(after, "lifeline_login_failures_total")
        == value(before, "lifeline_login_failures_total") + 1
    )
    assert value(after, "lifeline_logins_total") == value(before, "lifeline_logins_total") + 1
    key = ("lifeline_http_requests_total", "POST", "account_login")
    posts = [v for (n, labels), v in after.items() if n == key[0] and ("view", key[2]) in labels]
    assert sum(posts) >= 2


def test_counts_second_factor_failures_and_uploads(
    scrape, user, django_capture_on_commit_callbacks
):
    before = scrape()
    authentication_failed.send(sender=None, request=None, user=user, authenticator=None)
    with django_capture_on_commit_callbacks(execute=True):
        record_event(tag=EventTag.RELEASE_FILE_ADD, user=user, actor=user, project="demo")
    after = scrape()
    mfa = "lifeline_2fa_failures_total"
    assert value(after, mfa, type="unknown") == value(before, mfa, type="unknown") + 1
    uploads = "lifeline_uploads_total"
    assert value(after, uploads) == value(before, uploads) + 1


def test_email_gauges_show_failures(scrape, user, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    (log,) = services.send_email(
        template="account_password_changed", user=user, context={"user": user}
    )
    EmailLog.objects.filter(pk=log.pk).update(status=EmailLog.Status.FAILED)
    samples = scrape()
    assert value(samples, "lifeline_email_failures") == 1
    assert value(samples, "lifeline_emails", status="failed") == 1
    assert value(samples, "lifeline_emails", status="sent") == 0


def test_task_queue_length_and_lag(scrape, user, db_tasks):
    services.send_email(template="account_password_changed", user=user, context={"user": user})
    samples = scrape()
    assert value(samples, "lifeline_task_queue_ready", queue="default") == 1
    assert value(samples, "lifeline_task_queue_lag_seconds", queue="default") >= 0
    assert value(samples, "lifeline_metrics_errors", part="tasks") == 0


def test_recovery_queue_by_state(scrape):
    samples = scrape()
    assert value(samples, "lifeline_metrics_errors", part="recovery") == 0
    from lifeline.recovery.models import RecoveryRequest

    states = {labels for (name, labels) in samples if name == "lifeline_recovery_requests"}
    choices = RecoveryRequest._meta.get_field("state").choices
    assert len(states) == len(choices)
