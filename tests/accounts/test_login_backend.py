"""The same work for every login and sign-up: counted password hashes, not timings.

tests/security/test_enumeration_timing.py times the pages; this counts what makes the
difference. A real Argon2 hasher that counts its own runs stands in for the configured
one, and every branch must run it exactly once.
"""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import Argon2PasswordHasher

from lifeline.accounts.logins import login_throttle_key, resolve_login
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class CountingArgon2Hasher(Argon2PasswordHasher):
    runs = 0

    def encode(self, password: str, salt: str) -> str:
        type(self).runs += 1
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        type(self).runs += 1
        return super().verify(password, encoded)


@pytest.fixture(autouse=True)
def counting_hasher(settings) -> type[CountingArgon2Hasher]:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingArgon2Hasher"]
    return CountingArgon2Hasher


def hashes_for(action) -> int:
    CountingArgon2Hasher.runs = 0
    action()
    return CountingArgon2Hasher.runs


WRONG = "wrong-password-1"
NEW_PASSWORD = "a-perfectly-fine-password-1"


def login(client, login: str, password: str | None = None):
    return client.post("/account/login/", {"login": login, "password": password or WRONG})


def test_one_hash_per_login_attempt_known_or_not(client):
    user = UserFactory()
    unusable = UserFactory()
    unusable.set_unusable_password()
    unusable.save()
    for name in (user.email, "nobody@example.com", user.username, "nobody", unusable.email):
        assert hashes_for(lambda name=name: login(client, name)) == 1, name


def test_one_hash_per_sign_up_taken_address_or_not(client):
    taken = UserFactory()

    def signup(username: str, email: str) -> None:
        data = {"username": username, "email": email}
        data |= {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert client.post("/account/signup/", data).status_code == 302

    assert hashes_for(lambda: signup("newcomer", "new@example.com")) == 1
    assert hashes_for(lambda: signup("second", taken.email)) == 1


def test_a_right_password_still_signs_in_by_every_spelling(client):
    user = UserFactory(username="Alice")
    EmailAddress.objects.create(user=user, email="alice@work.example", verified=True)
    for name in ("alice", "ALICE", user.email, "Alice@Work.Example"):
        client.logout()
        assert login(client, name, DEFAULT_PASSWORD).status_code == 302
        assert client.get("/account/security/").status_code == 200, name


def test_an_address_resolves_to_its_verified_holder_before_any_claim():
    owner = UserFactory(email="shared@example.com")
    squatter = UserFactory(email="x@example.com")
    EmailAddress.objects.create(user=squatter, email="shared@example.com", verified=False)
    assert resolve_login(" Shared@Example.com ") == owner
    assert login_throttle_key({"email": "SHARED@example.com"}) == f"account:{owner.pk}"
    assert login_throttle_key({"username": owner.username.upper()}) == f"account:{owner.pk}"
    assert login_throttle_key({"email": " Ghost@Example.com"}) == "login:ghost@example.com"
