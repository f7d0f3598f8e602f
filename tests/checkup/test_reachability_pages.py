"""Where an unverified address shows: the owner's banner, and the desk's account glance."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from lifeline.checkup.models import Bounce
from lifeline.checkup.services import email_address_unverify
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.checkup.conftest import make_owner, post_events
from tests.desk.fixtures import case, owner, staff_client, support  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_owner_sees_a_banner_on_their_next_sign_in(client, webhook_secret):
    user = make_owner("alice@bouncy.example", "alice@steady.example")
    post_events(
        client,
        {"id": "c1", "type": "complaint", "email": "alice@bouncy.example"},
    )
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "We no longer send security email to alice@bouncy.example" in page
    assert "marked our mail as spam" in page
    assert reverse("account_email") in page
    # Verified again: the banner goes.
    EmailAddress.objects.filter(email="alice@bouncy.example").update(verified=True)
    assert "We no longer send security email" not in client.get(reverse("home")).content.decode()


def test_no_banner_for_an_address_that_was_never_verified(client):
    user = make_owner("alice@steady.example")
    EmailAddress.objects.create(user=user, email="new@else.example", verified=False)
    client.force_login(user)
    assert "We no longer send security email" not in client.get(reverse("home")).content.decode()


def test_unverify_without_another_verified_address_tells_nobody_by_email(outbox):
    user = make_owner("alice@only.example")
    address = EmailAddress.objects.get(email="alice@only.example")
    assert email_address_unverify(address=address, reason="domain_expired")
    address.refresh_from_db()
    assert not address.verified and address.primary  # nothing else to promote
    assert outbox == []  # never to the untrusted address itself
    assert SecurityEvent.objects.filter(user=user, tag=EventTag.EMAIL_UNVERIFY).count() == 1
    assert email_address_unverify(address=address, reason="domain_expired") is False


def test_staff_see_bounces_and_the_unverification_on_the_case_page(
    staff_client,  # noqa: F811
    case,  # noqa: F811
    owner,  # noqa: F811
    settings,
    client,
):
    settings.LIFELINE_BOUNCE_WEBHOOK_SECRET = "s3cret"
    anon = client.__class__()
    for i in range(2):
        post_events(
            anon,
            {"id": f"s{i}", "type": "bounce", "bounce_type": "soft", "email": owner.email},
            secret="s3cret",
        )
    post_events(
        anon,
        {"id": "h1", "type": "bounce", "bounce_type": "hard", "email": owner.email},
        secret="s3cret",
    )
    assert Bounce.objects.count() == 3
    page = staff_client.get(reverse("desk_case", args=[case.public_id])).content.decode()
    assert "Reachability" in page and "Delivery failures" not in page
    assert "1 hard bounce" in page and "2 recent soft bounces" in page
    assert "Unverified" in page and "the receiving server says it does not exist" in page


def test_the_security_history_says_why(outbox):
    from lifeline.events.display import describe

    user = make_owner("alice@bouncy.example", "alice@steady.example")
    address = EmailAddress.objects.get(email="alice@bouncy.example")
    email_address_unverify(address=address, reason="domain_reregistered")
    event = SecurityEvent.objects.get(user=user, tag=EventTag.EMAIL_UNVERIFY)
    assert describe(event) == (
        "Email address no longer verified: alice@bouncy.example: its domain was registered "
        "again after you verified the address; alice@steady.example is now primary"
    )


def test_staff_see_the_domain_check(staff_client, owner, settings):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from lifeline.checkup.models import DomainCheck

    now = timezone.now()
    DomainCheck.objects.create(
        domain="example.com",
        checked_at=now,
        status="active",
        registered_at=now.replace(year=2001, month=5, day=1),
        expires_at=now + timedelta(days=100),
    )
    page = staff_client.get(reverse("desk_account", args=[owner.username])).content.decode()
    assert "domain example.com: registered, registered 2001-05-01" in page
