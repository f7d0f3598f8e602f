"""Attack: tell which addresses and usernames have accounts by how long the answer takes.

The pages already answer the same words whether or not an account exists; the attacker
times them instead. Before the fix a sign-up with a known address was answered in 60 ms
and one with a new address in 388 ms (only the new account hashed the password), and a
failed login by a known address took ~130 ms longer (three password hashes instead of
two). Each test times both branches, interleaved, with the production Argon2 hasher, and
fails on a clear gap between the medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TRIES = 15
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
NEW_PASSWORD = "a-perfectly-fine-password-1"


@pytest.fixture(autouse=True)
def production_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def compare(known: Callable[[int], object], unknown: Callable[[int], object]) -> None:
    """Time ``TRIES`` of each, interleaved (alternating which goes first); fail on a gap of
    more than 30% of the slower median that is also more than 20 ms."""
    known(-1), unknown(-1)  # warm up: imports, templates, connections
    known_times, unknown_times = [], []
    for i in range(TRIES):
        pair = [(known_times, known), (unknown_times, unknown)]
        for times, action in pair if i % 2 else reversed(pair):
            times.append(timed(lambda action=action, i=i: action(i)))
    k, u = statistics.median(known_times), statistics.median(unknown_times)
    gap = abs(k - u)
    assert not (gap > 0.3 * max(k, u) and gap > 0.020), (
        f"median known {k * 1000:.0f} ms vs unknown {u * 1000:.0f} ms"
    )


def ip(kind: int, i: int) -> str:
    """A different client address for every request: the per-IP limits stay out of it."""
    return f"10.{kind}.{i % 250}.{i // 250 + 2}"


@pytest.fixture
def accounts() -> list:
    return [UserFactory() for _ in range(TRIES + 1)]


def test_failed_login_by_address_takes_as_long_known_or_not(accounts):
    client = Client()

    def login(email: str, kind: int, i: int) -> None:
        response = client.post(
            "/account/login/",
            {"login": email, "password": "not-the-password"},
            REMOTE_ADDR=ip(kind, i),
        )
        assert response.status_code == 200  # the form again, same words either way

    compare(
        lambda i: login(accounts[i].email, 1, i),
        lambda i: login(f"nobody{i + 1}@example.com", 2, i),
    )


def test_failed_login_by_username_takes_as_long_known_or_not(accounts):
    client = Client()

    def login(username: str, kind: int, i: int) -> None:
        client.post(
            "/account/login/",
            {"login": username, "password": "not-the-password"},
            REMOTE_ADDR=ip(kind, i),
        )

    compare(
        lambda i: login(accounts[i].username, 3, i),
        lambda i: login(f"nobody{i + 1}", 4, i),
    )


def test_sign_up_takes_as_long_with_a_taken_address(accounts):
    client = Client()

    def signup(email: str, username: str, kind: int, i: int) -> None:
        response = client.post(
            "/account/signup/",
            {
                "username": username,
                "email": email,
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            REMOTE_ADDR=ip(kind, i),
        )
        assert response.status_code == 302  # "check your email", either way

    compare(
        lambda i: signup(accounts[i].email, f"second{i + 1}", 5, i),
        lambda i: signup(f"fresh{i + 1}@example.com", f"fresh{i + 1}", 6, i),
    )
    # The taken addresses got no second account; the new ones did.
    assert EmailAddress.objects.filter(email=accounts[0].email).count() == 1
    assert get_user_model().objects.filter(username__startswith="fresh").count() == TRIES + 1
