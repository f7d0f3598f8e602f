"""An address Lifeline unverified cannot be verified again by an old link (issue 13)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from lifeline.checkup.services import email_address_unverify
from tests.fixtures_mfa import enter_sudo

pytestmark = pytest.mark.django_db


def link_key(outbox) -> str:
    message = next(m for m in reversed(outbox) if "/account/confirm-email/" in m.body)
    return re.search(r"/account/confirm-email/(\S+)/", message.body).group(1)


def test_an_old_link_does_not_verify_an_unverified_address_again(client, user, outbox, settings):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"confirm_email": ""}
    client.force_login(user)
    enter_sudo(client, user)
    client.post(reverse("account_email"), {"action_add": "", "email": "second@lapsed.example"})
    old_key = link_key(outbox)
    client.post(reverse("account_confirm_email", args=[old_key]))
    address = EmailAddress.objects.get(email="second@lapsed.example")
    assert address.verified

    assert email_address_unverify(address=address, reason="domain_expired")

    response = client.post(reverse("account_confirm_email", args=[old_key]))
    address.refresh_from_db()
    assert not address.verified
    assert response.status_code == 404
    # A link sent after the unverification still works: the owner can verify it again.
    client.post(reverse("account_email"), {"action_send": "", "email": "second@lapsed.example"})
    new_key = link_key(outbox)
    assert new_key != old_key
    client.post(reverse("account_confirm_email", args=[new_key]))
    address.refresh_from_db()
    assert address.verified


def test_a_key_for_another_address_survives(client, user, outbox):
    """Only the unverified address's keys go."""
    client.force_login(user)
    enter_sudo(client, user)
    client.post(reverse("account_email"), {"action_add": "", "email": "a@one.example"})
    client.post(reverse("account_confirm_email", args=[link_key(outbox)]))
    client.post(reverse("account_email"), {"action_add": "", "email": "b@two.example"})
    pending_key = link_key(outbox)
    email_address_unverify(
        address=EmailAddress.objects.get(email="a@one.example"), reason="hard_bounce"
    )
    client.post(reverse("account_confirm_email", args=[pending_key]))
    assert EmailAddress.objects.get(email="b@two.example").verified
