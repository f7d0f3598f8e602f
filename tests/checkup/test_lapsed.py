"""Lapsed and re-registered domains, against a stub RDAP registry on 127.0.0.1.

An address whose domain expired, or was registered again after the address was verified,
is unverified; from then on it gets no password reset, recovery email code or cancel link,
and the owner is told at their other addresses.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from lifeline.checkup import rdap
from lifeline.checkup.jobs import recheck_stale_domains
from lifeline.checkup.lapsed import domain_check
from lifeline.checkup.models import DomainCheck
from lifeline.events.models import SecurityEvent
from lifeline.events.services import record_event
from lifeline.events.tags import EventTag
from tests.checkup.conftest import make_owner

pytestmark = pytest.mark.django_db


def is_verified(email: str) -> bool:
    return EmailAddress.objects.get(email=email).verified


def unverify_reasons(user) -> dict[str, str]:
    return {
        e.details["email"]: e.details["reason"]
        for e in SecurityEvent.objects.filter(user=user, tag=EventTag.EMAIL_UNVERIFY)
    }


# --- the job and the registry's answers ---------------------------------------------------


def test_expired_domain_unverifies_and_the_owner_is_told_elsewhere(registry, outbox):
    owner = make_owner("alice@mail.expired.test", "alice@active.test")
    assert recheck_stale_domains() == 2
    assert not is_verified("alice@mail.expired.test")  # a subdomain: its registrable domain
    assert is_verified("alice@active.test")
    assert unverify_reasons(owner) == {"alice@mail.expired.test": "domain_expired"}
    event = SecurityEvent.objects.get(user=owner, tag=EventTag.EMAIL_UNVERIFY)
    assert event.details["domain"] == "expired.test" and "expires_at" in event.details
    assert EmailAddress.objects.get(email="alice@active.test").primary
    assert [m.to for m in outbox] == [["alice@active.test"]]
    assert "registration has expired" in outbox[0].body
    check = DomainCheck.objects.get(domain="expired.test")
    assert check.status == "expired" and check.expires_at < timezone.now()


def test_redemption_status_counts_as_expired(registry):
    owner = make_owner("alice@pending.test", "alice@active.test")
    recheck_stale_domains()
    assert unverify_reasons(owner) == {"alice@pending.test": "domain_expired"}


def test_domain_registered_again_after_verification_unverifies(registry, outbox):
    owner = make_owner("alice@reregistered.test", "alice@active.test")
    recheck_stale_domains()
    assert unverify_reasons(owner) == {"alice@reregistered.test": "domain_reregistered"}
    assert [m.to for m in outbox] == [["alice@active.test"]]
    assert "registered again after you verified" in outbox[0].body


def test_address_verified_after_the_new_registration_stays(registry):
    """The owner verified the address again after the domain changed hands: they hold it."""
    owner = make_owner("alice@reregistered.test", "alice@active.test")
    record_event(
        tag=EventTag.EMAIL_VERIFY,
        user=owner,
        actor=owner,
        details={"email": "alice@reregistered.test"},
    )
    recheck_stale_domains()
    assert is_verified("alice@reregistered.test")
    assert unverify_reasons(owner) == {}


def test_an_old_verification_event_does_not_save_it(registry):
    owner = make_owner("alice@reregistered.test", "alice@active.test")
    event = record_event(
        tag=EventTag.EMAIL_VERIFY,
        user=owner,
        actor=owner,
        details={"email": "alice@reregistered.test"},
    )
    SecurityEvent.objects.filter(pk=event.pk).update(created=timezone.now() - timedelta(days=100))
    recheck_stale_domains()
    assert not is_verified("alice@reregistered.test")


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("alice@gone.test", "not_found"),  # 404 at the registry
        ("alice@broken.test", "unknown"),  # 500
        ("alice@garbage.test", "unknown"),  # not JSON
        ("alice@weird.test", "unknown"),  # dates out of range
        ("alice@example.nowhere", "unknown"),  # no RDAP service for the TLD
    ],
)
def test_unknown_answers_change_nothing(registry, outbox, email, status):
    owner = make_owner(email, "alice@active.test")
    recheck_stale_domains()
    assert is_verified(email)
    assert unverify_reasons(owner) == {}
    assert outbox == []
    assert DomainCheck.objects.get(domain=email.partition("@")[2]).status == status


def test_unreachable_registry_changes_nothing(registry, settings):
    settings.LIFELINE_RDAP_BOOTSTRAP_URL = "http://127.0.0.1:9/dns.json"  # nothing listens
    make_owner("alice@expired.test", "alice@active.test")
    recheck_stale_domains()
    assert is_verified("alice@expired.test")
    assert DomainCheck.objects.get(domain="expired.test").status == "unknown"


def test_each_domain_is_checked_at_most_every_30_days(registry):
    make_owner("alice@active.test")
    make_owner("bob@active.test", username="bob")
    assert recheck_stale_domains() == 1  # one domain, two addresses
    assert recheck_stale_domains() == 0
    assert registry.hits("active.test") == 1
    DomainCheck.objects.update(checked_at=timezone.now() - timedelta(days=29))
    assert recheck_stale_domains() == 0
    DomainCheck.objects.update(checked_at=timezone.now() - timedelta(days=31))
    assert recheck_stale_domains() == 1
    assert registry.hits("active.test") == 2


def test_the_bootstrap_file_is_cached(registry):
    make_owner("alice@active.test")
    make_owner("bob@expired.test", username="bob")
    recheck_stale_domains()
    assert registry.routes["_hits"].count("/bootstrap/dns.json") == 1


def test_null_backend_is_the_default_and_does_nothing(settings):
    settings.LIFELINE_DOMAIN_STATUS_BACKEND = "null"
    make_owner("alice@expired.test")
    assert recheck_stale_domains() == 0
    assert domain_check(domain="expired.test", force=True) is None
    assert not DomainCheck.objects.exists()
    assert is_verified("alice@expired.test")


def test_parse_reads_reregistration_events():
    now = timezone.now()
    answer = rdap.parse_domain_answer(
        {
            "objectClassName": "domain",
            "events": [
                {"eventAction": "registration", "eventDate": "2001-01-01T00:00:00Z"},
                {"eventAction": "reregistration", "eventDate": "2025-06-01T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": "2099-01-01"},
            ],
        },
        now=now,
    )
    assert answer.status == "active"
    assert answer.registered_at.year == 2025
    assert rdap.parse_domain_answer({"events": "nonsense"}, now=now).status == "unknown"
    assert rdap.parse_domain_answer([], now=now).status == "unknown"


# --- the paths that must never reach an unverified address ---------------------------------


def test_password_reset_request_checks_the_domain_first_and_sends_nothing_to_it(
    registry, client, outbox
):
    """No job has run yet: asking for a reset to a lapsed domain re-checks it at once, and
    the reset link queued for it is withdrawn, never delivered."""
    owner = make_owner("alice@expired.test", "alice@active.test")
    response = client.post(reverse("account_reset_password"), {"email": "alice@expired.test"})
    assert response.status_code == 302
    assert not is_verified("alice@expired.test")
    assert all("alice@expired.test" not in m.to for m in outbox)
    assert not any("/account/password/reset/key/" in m.body for m in outbox)
    assert [m.to for m in outbox] == [["alice@active.test"]]  # the notice, elsewhere
    assert unverify_reasons(owner) == {"alice@expired.test": "domain_expired"}
    # Later requests: the address is unverified, so nothing is even queued.
    outbox.clear()
    client.post(reverse("account_reset_password"), {"email": "alice@expired.test"})
    assert outbox == []


def test_password_reset_to_an_active_domain_still_works(registry, client, outbox):
    make_owner("alice@active.test")
    client.post(reverse("account_reset_password"), {"email": "alice@active.test"})
    assert [m.to for m in outbox] == [["alice@active.test"]]
    assert "/account/password/reset/key/" in outbox[0].body


def test_recovery_request_checks_the_domains_and_codes_and_cancel_links_skip_the_lapsed_one(
    registry, outbox
):
    """Submitting a recovery request re-checks the account's domains; the owner alert (with
    its cancel link) and the emailed code then reach only the address still trusted."""
    from lifeline.recovery.proofs.email_code import code_addresses, proof_email_code_send
    from tests.recovery.conftest import submit, verify

    owner = make_owner("alice@reregistered.test", "alice@active.test")
    request_obj = submit(username="alice", contact="new@contact.example")
    assert not is_verified("alice@reregistered.test")
    assert unverify_reasons(owner) == {"alice@reregistered.test": "domain_reregistered"}
    verify(request_obj)
    request_obj.refresh_from_db()
    recipients = [address for m in outbox for address in m.to]
    assert "alice@reregistered.test" not in recipients
    alerts = [m for m in outbox if "/recovery/cancel/" in m.body]
    assert alerts and all(m.to == ["alice@active.test"] for m in alerts)
    assert code_addresses(request_obj) == ["alice@active.test"]
    outbox.clear()
    proof_email_code_send(request_obj=request_obj, index=0)
    assert [m.to for m in outbox] == [["alice@active.test"]]
    assert re.search(r"^\d{6,8}$", outbox[0].body, re.M)


def test_owner_alert_after_a_bounce_skips_the_unverified_address(webhook_secret, client, outbox):
    """Unverified by the webhook rather than RDAP: the cancel link still avoids it."""
    from tests.checkup.conftest import post_events
    from tests.recovery.conftest import submit, verify

    make_owner("alice@bouncy.example", "alice@steady.example")
    post_events(
        client,
        {"id": "h1", "type": "bounce", "bounce_type": "hard", "email": "alice@bouncy.example"},
    )
    outbox.clear()
    request_obj = submit(username="alice", contact="new@contact.example")
    verify(request_obj)
    alerts = [m for m in outbox if "/recovery/cancel/" in m.body]
    assert alerts and all(m.to == ["alice@steady.example"] for m in alerts)


def test_lifeline_tick_runs_the_domain_check(registry, outbox):
    from django.core.management import call_command

    owner = make_owner("alice@expired.test", "alice@active.test")
    call_command("tick")
    assert unverify_reasons(owner) == {"alice@expired.test": "domain_expired"}


# --- holding an access email until its domain is checked (holds.py) -----------------------


@pytest.fixture
def queued_tasks(settings):
    """Tasks are queued, not run: the test plays the workers, in any order."""
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend


def test_a_racing_worker_cannot_deliver_the_reset_before_the_check(
    registry, client, outbox, queued_tasks
):
    """Two workers: one picks the email's delivery before the other has checked the domain.
    The email is held, so the early delivery sends nothing; the check then withdraws it."""
    from lifeline.notifications.models import EmailLog
    from lifeline.notifications.services import deliver

    make_owner("alice@expired.test", "alice@active.test")
    client.post(reverse("account_reset_password"), {"email": "alice@expired.test"})
    log = EmailLog.objects.get(template="account_password_reset_key")
    assert log.status == "failed" and "Held" in log.last_error
    names = [r.task.name for r in queued_tasks.results]
    assert names == ["check_domain", "deliver_email"]
    assert deliver(log.pk) == "failed"  # the racing worker: nothing is sent
    assert outbox == []
    check = queued_tasks.results[0]
    check.task.call(*check.args, **check.kwargs)  # the other worker
    assert not is_verified("alice@expired.test")
    log.refresh_from_db()
    assert log.status == "failed" and log.last_error.startswith("Withdrawn")
    assert all("alice@expired.test" not in m.to for m in outbox)


def test_a_held_reset_to_an_active_domain_is_released(registry, client, outbox, queued_tasks):
    from lifeline.notifications.models import EmailLog
    from lifeline.notifications.services import deliver

    make_owner("alice@active.test")
    client.post(reverse("account_reset_password"), {"email": "alice@active.test"})
    log = EmailLog.objects.get(template="account_password_reset_key")
    check = queued_tasks.results[0]
    check.task.call(*check.args, **check.kwargs)
    log.refresh_from_db()
    assert log.status == "queued" and log.last_error == ""
    assert deliver(log.pk) == "sent"
    assert [m.to for m in outbox] == [["alice@active.test"]]
    # Within the hour, another reset is not held again: the domain was just checked.
    client.post(reverse("account_reset_password"), {"email": "alice@active.test"})
    assert EmailLog.objects.filter(status="queued", template="account_password_reset_key").exists()


def test_a_hold_whose_check_never_ran_is_released_by_the_job(registry, outbox, queued_tasks):
    from lifeline.checkup.holds import hold
    from lifeline.notifications.models import EmailLog
    from lifeline.notifications.services import send_email

    owner = make_owner("alice@active.test")
    DomainCheck.objects.create(domain="active.test", checked_at=timezone.now(), status="active")
    (log,) = send_email(
        template="account_password_reset_key",
        to=["alice@active.test"],
        user=owner,
        context={"password_reset_url": "http://localhost:8000/reset/"},
    )
    hold(log.pk)
    assert recheck_stale_domains() == 0  # young holds are left to their check
    EmailLog.objects.filter(pk=log.pk).update(created=timezone.now() - timedelta(minutes=20))
    recheck_stale_domains()
    log.refresh_from_db()
    assert log.status == "queued"
