"""Attack: a session signed in with only the password outlives turning on 2FA.

The attacker knows (phished, reused) the owner's password and signed in before the owner
turned on two-factor authentication. That session must not survive the change: enabling a
factor, confirming the first saved codes and regenerating codes end every other session,
and the 2FA gate refuses any session that never used the second factor, so it can neither
mint an API token nor manage projects, nor re-authenticate its way around the factor.
"""

from __future__ import annotations

import time

import pyotp
import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from allauth.usersessions.models import UserSession
from django.test import Client

from lifeline.accounts.mfa.status import has_2fa
from lifeline.events.models import SecurityEvent
from lifeline.events.tags import EventTag
from lifeline.tokens.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.fixtures_mfa import login_with_2fa

REAUTH = "/account/2fa/reauthenticate/"


def password_login(client: Client, user) -> None:
    response = client.post(
        "/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]


def enter_sudo_with_password(client: Client) -> None:
    response = client.post("/account/reauthenticate/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def turn_on_2fa(client: Client, user) -> str:
    """The owner's real set-up: sudo mode, authenticator app, type back a saved code."""
    enter_sudo_with_password(client)
    assert client.get("/account/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/account/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    codes = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    response = client.post("/account/2fa/recovery-codes/confirm/", {"code": codes[0]})
    assert response.status_code == 302
    assert has_2fa(user)
    return secret


def signed_in(client: Client) -> bool:
    return client.get("/account/security/").status_code == 200


def try_to_mint_a_token(client: Client) -> None:
    client.post(
        "/account/tokens/new/",
        {"name": "attacker", "scope": "all", "password": DEFAULT_PASSWORD},
    )


@pytest.mark.django_db(transaction=True)
def test_turning_on_2fa_ends_the_attackers_password_session():
    owner = UserFactory()
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    victim = Client(REMOTE_ADDR="198.51.100.4")
    password_login(attacker, owner)
    assert signed_in(attacker)
    password_login(victim, owner)

    turn_on_2fa(victim, owner)

    # The attacker's session is gone: signed out, and no token can be minted.
    assert not signed_in(attacker)
    try_to_mint_a_token(attacker)
    assert not ApiToken.objects.filter(user=owner).exists()
    # Signing in again needs the second factor, which the attacker doesn't have.
    password_login(attacker, owner)
    assert not signed_in(attacker)
    # The owner's own session carries on, and reaches the token page.
    assert signed_in(victim)
    assert victim.get("/account/tokens/").status_code == 200
    assert [s.ip for s in UserSession.objects.filter(user=owner)] == ["198.51.100.4"]
    ended = SecurityEvent.objects.get(user=owner, tag=EventTag.SESSION_END)
    assert ended.details == {"reason": "totp_added", "count": 1, "all_others": True}


@pytest.mark.django_db(transaction=True)
def test_a_session_allauth_never_tracked_ends_too():
    """force_login writes no usersessions row: the session epoch still ends it."""
    owner = UserFactory()
    attacker, victim = Client(), Client()
    attacker.force_login(owner)
    assert not UserSession.objects.filter(user=owner).exists()
    password_login(victim, owner)
    turn_on_2fa(victim, owner)
    assert not signed_in(attacker)
    assert signed_in(victim)


@pytest.mark.django_db(transaction=True)
def test_regenerating_codes_ends_every_other_session(user_with_2fa):
    mine, other = Client(), Client()
    login_with_2fa(mine, user_with_2fa)
    login_with_2fa(other, user_with_2fa, steps=1)
    assert signed_in(other)
    enter_sudo_with_password(mine)
    response = mine.post("/account/2fa/recovery-codes/generate/")
    assert response.status_code == 302 and "reauthenticate" not in response["Location"]
    assert not signed_in(other)
    assert signed_in(mine)


def password_only_session(client: Client, user) -> None:
    """A session whose authentication records show a password and nothing else."""
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "username": user.username}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/account/tokens/"),
        ("get", "/account/tokens/new/"),
        ("post", "/account/tokens/new/"),
        ("get", "/manage/projects/"),
        ("get", "/account/security/"),
        ("get", "/account/password/change/"),
        ("post", "/account/email/"),
        ("get", "/account/2fa/totp/deactivate/"),
        ("get", "/account/reauthenticate/"),
        ("get", "/desk/"),
    ],
)
def test_the_gate_refuses_a_password_only_session(client, user_with_2fa, method, path):
    password_only_session(client, user_with_2fa.user)
    response = getattr(client, method)(path, {"name": "x", "scope": "all"})
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_second_factor_step_lets_the_owner_through(client, user_with_2fa):
    password_only_session(client, user_with_2fa.user)
    response = client.get("/account/tokens/")
    assert response["Location"] == f"{REAUTH}?next=%2Faccount%2Ftokens%2F"
    assert client.get(response["Location"]).status_code == 200
    response = client.post(response["Location"], {"code": user_with_2fa.code(), "method": "totp"})
    assert response.status_code == 302 and response["Location"] == "/account/tokens/"
    assert client.get("/account/tokens/").status_code == 200


@pytest.mark.django_db
def test_public_pages_and_logout_stay_reachable(client, user_with_2fa):
    password_only_session(client, user_with_2fa.user)
    assert client.get("/").status_code == 200
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/account/security/").status_code == 302  # now signed out
