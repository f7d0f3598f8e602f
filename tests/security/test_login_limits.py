"""Attack: guess an account's password under each of its spellings, to multiply the limit.

allauth counts failed sign-ins per typed login (5 per 5 minutes). An account with a
username and two addresses had three counters, so an attacker rotating spellings (and
client IPs) got three times the guesses. Failures now count on the account: the username
and every address share one count, and a login that names no account locks after the
same number of tries with the same message, so the limit enumerates nothing.
"""

from __future__ import annotations

import itertools
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5  # ACCOUNT_RATE_LIMITS["login_failed"]: "5/5m/key"
LOCKED = "Too many failed login attempts"
WRONG = "wrong-guess-123456"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_ips = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(autouse=True)
def per_account_limit(settings) -> None:
    # The production rule; every attempt below comes from a new IP, as a botnet's would.
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {
        "login_failed": "10/m/ip,5/5m/key"
    }


def attempt(login: str, password: str | None = None) -> tuple[bool, str]:
    """One sign-in from a fresh client and IP: (signed in?, the page's text)."""
    client = Client(REMOTE_ADDR=next(_ips))
    response = client.post("/account/login/", {"login": login, "password": password or WRONG})
    body = response.content.decode()
    signed_in = response.status_code == 302 and client.get("/account/security/").status_code == 200
    return signed_in, body


@pytest.fixture
def victim():
    user = UserFactory(username="Victim")
    EmailAddress.objects.create(user=user, email="victim@work.example", verified=True)
    return user


def test_every_spelling_shares_one_count(victim):
    spellings = itertools.cycle(
        [victim.username, victim.email, "victim@work.example", "VICTIM", " Victim@Work.Example "]
    )
    for _ in range(LIMIT):
        signed_in, body = attempt(next(spellings))
        assert not signed_in and LOCKED not in body
    # Six guesses in, whatever the spelling, even the right password is refused.
    for login in (victim.username, victim.email, "victim@work.example"):
        signed_in, body = attempt(login, DEFAULT_PASSWORD)
        assert not signed_in and LOCKED in body
    # The owner's log shows the guesses against their account.
    assert SecurityEvent.objects.filter(user=victim, tag=EventTag.LOGIN_FAILURE).count() >= LIMIT


def test_one_spelling_locks_after_the_same_number(victim):
    for _ in range(LIMIT):
        assert LOCKED not in attempt("victim@work.example")[1]
    signed_in, body = attempt("victim@work.example", DEFAULT_PASSWORD)
    assert not signed_in and LOCKED in body


def test_the_lockout_looks_the_same_for_an_account_that_does_not_exist(victim):
    for _ in range(LIMIT):
        assert LOCKED not in attempt("ghost@nowhere.example")[1]
        assert LOCKED not in attempt(victim.email)[1]
    ghost_body = attempt("ghost@nowhere.example")[1]
    victim_body = attempt(victim.email)[1]
    assert LOCKED in ghost_body and LOCKED in victim_body

    # Same page, word for word, once the typed login and the CSRF token are taken out.
    def page(body: str, login: str) -> str:
        return CSRF.sub("", body.replace(login, "X"))

    assert page(ghost_body, "ghost@nowhere.example") == page(victim_body, victim.email)
    assert not get_user_model().objects.filter(email="ghost@nowhere.example").exists()


def test_a_right_password_before_the_limit_still_works(victim):
    for _ in range(LIMIT - 1):
        attempt(victim.username)
    assert attempt("victim@work.example", DEFAULT_PASSWORD)[0]
