"""Attack: hold someone else's address by signing up with it and never confirming.

The squatter signs up with victim@example.com. They cannot confirm it (they don't have the
mailbox), but the unconfirmed claim used to count as "taken": the real owner's sign-up got
only an "you already have an account" email whose reset link could not work (resets go to
verified addresses only), forever. Now a claim blocks nobody: the owner signs up as
usual, confirming drops every other claim, and unconfirmed sign-ups expire after
LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS (run by ``lifeline tick``). For an address that *is*
verified, the "already exists" email's reset link lets its owner in. The page says "check
your email" in every case.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from lifeline.core.management.commands.tick import run_jobs
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.tokens.services import token_create
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

VICTIM = "victim@example.com"
VICTIM_PASSWORD = "the-victims-own-password-9"
SQUATTER_PASSWORD = "squatters-password-123"
JOB = "lifeline.accounts.jobs.expire_unverified_signups"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def owner_comes_later(settings) -> None:
    """allauth sends one email per address per 3 minutes; the owner comes along later."""
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"confirm_email": ""}


def sign_up(username: str, email: str, password: str | None = None) -> Client:
    password = password or SQUATTER_PASSWORD
    client = Client()
    response = client.post(
        "/account/signup/",
        {"username": username, "email": email, "password1": password, "password2": password},
    )
    assert response.status_code == 302, response.content[:300]
    client.last_response = response
    return client


def mails_to(outbox: list, address: str) -> list:
    return [m for m in outbox if address in m.to]


def link(message, pattern: str) -> str:
    return re.search(rf"http://\S+?({pattern}\S*?/)\s", message.body).group(1)


def can_sign_in(login: str, password: str) -> bool:
    client = Client()
    client.post("/account/login/", {"login": login, "password": password})
    return client.get("/account/security/").status_code == 200


def test_a_claim_never_blocks_the_owner_and_confirming_drops_it(outbox):
    squatter = sign_up("squatter", VICTIM)
    assert User.objects.filter(username="squatter").exists()
    outbox.clear()

    victim = sign_up("victim", VICTIM, VICTIM_PASSWORD)

    # A normal sign-up: a new account and a confirmation link, not "you already have one".
    owner = User.objects.get(username="victim")
    [mail] = mails_to(outbox, VICTIM)
    assert "/account/confirm-email/" in mail.body
    victim.post(link(mail, "/account/confirm-email/"))
    assert EmailAddress.objects.get(user=owner, email=VICTIM).verified
    # The squatter's claim is gone, logged on their account; only the owner signs in with it.
    assert not EmailAddress.objects.filter(user__username="squatter").exists()
    assert SecurityEvent.objects.filter(
        user__username="squatter",
        tag=EventTag.EMAIL_REMOVE,
        details__reason="confirmed_by_another_account",
    ).exists()
    assert can_sign_in(VICTIM, VICTIM_PASSWORD)
    assert not can_sign_in(VICTIM, SQUATTER_PASSWORD)
    assert squatter.get("/account/security/").status_code == 302


def test_tick_expires_the_unconfirmed_sign_up_after_the_ttl(outbox, settings):
    assert settings.LIFELINE_UNVERIFIED_SIGNUP_TTL_HOURS == 72
    assert JOB in settings.LIFELINE_SCHEDULED_JOBS
    sign_up("squatter", VICTIM)
    sign_up("patient", "patient@example.com")  # unconfirmed, but still within the TTL
    holder = UserFactory(verified_email=False)  # unconfirmed, but holds an API token
    token_create(user=holder, name="kept")
    old = timezone.now() - timedelta(hours=73)
    User.objects.filter(username__in=["squatter", holder.username]).update(date_joined=old)
    User.objects.filter(username="patient").update(date_joined=timezone.now() - timedelta(hours=71))

    assert run_jobs()[JOB] == 1

    assert not User.objects.filter(username="squatter").exists()
    assert User.objects.filter(username__in=["patient", holder.username]).count() == 2
    event = SecurityEvent.objects.get(tag=EventTag.SIGNUP_EXPIRED)
    assert event.details["username"] == "squatter" and event.user is None
    assert run_jobs()[JOB] == 0  # idempotent
    # The owner now signs up as if nobody had ever tried, username included.
    outbox.clear()
    sign_up("squatter", VICTIM, VICTIM_PASSWORD)
    assert "/account/confirm-email/" in mails_to(outbox, VICTIM)[0].body


def test_a_verified_address_gets_an_email_whose_reset_link_lets_the_owner_in(outbox):
    owner = UserFactory(email=VICTIM)  # verified; the owner forgot they had an account
    sign_up("newname", VICTIM, VICTIM_PASSWORD)
    assert not User.objects.filter(username="newname").exists()
    [mail] = mails_to(outbox, VICTIM)
    assert "already" in mail.subject.lower()
    reset_page = re.search(r"http://\S+?(/account/password/reset/)", mail.body).group(1)

    client = Client()
    client.post(reset_page, {"email": VICTIM})
    [reset] = [m for m in mails_to(outbox, VICTIM) if "/account/password/reset/key/" in m.body]
    response = client.get(link(reset, "/account/password/reset/key/"), follow=True)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"password1": VICTIM_PASSWORD, "password2": VICTIM_PASSWORD})
    owner.refresh_from_db()
    assert owner.check_password(VICTIM_PASSWORD)
    assert can_sign_in(VICTIM, VICTIM_PASSWORD)
    assert not can_sign_in(VICTIM, DEFAULT_PASSWORD)


def test_the_page_is_the_same_whoever_holds_the_address():
    UserFactory(email="taken@example.com")
    sign_up("claimer", "claimed@example.com")
    pages = []
    for n, email in enumerate(["fresh@example.com", "claimed@example.com", "taken@example.com"]):
        client = sign_up(f"probe{n}", email)
        response = client.last_response
        page = client.get(response["Location"]).content.decode()
        pages.append((response["Location"], CSRF.sub("", page.replace(email, "X"))))
    assert pages[0] == pages[1] == pages[2]
