"""Context-specific words (ASVS 5.0 6.1.2, 6.2.11): the site's own names are refused inside
passwords, at sign-up and at a password change, with the reason in words."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from lifeline.accounts.passwords import context_words
from tests.factories import DEFAULT_PASSWORD


def _signup(password: str):
    return Client().post(
        reverse("account_signup"),
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password1": password,
            "password2": password,
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["MyLifeline-index-2026", "pypi upload secret words"])
def test_sign_up_refuses_the_sites_own_names(password):
    response = _signup(password)
    assert response.status_code == 200
    assert "this site&#x27;s own name" in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


@pytest.mark.django_db
def test_sign_up_takes_a_password_without_them():
    response = _signup("purple monkey dishwasher lamp")
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newcomer").exists()


def test_the_list_follows_the_sites_name_and_host():
    with override_settings(
        LIFELINE_SITE_NAME="Acme Packages", LIFELINE_BASE_URL="https://index.acmecorp.example"
    ):
        words = context_words()
    assert {"acme", "packages", "index", "acmecorp", "lifeline", "pypi"} <= set(words)
    assert "example" in words  # a host label of 4+ letters counts too
    assert all(len(w) >= 4 for w in words)
    with override_settings(LIFELINE_BASE_URL="http://localhost:8000"):
        assert "localhost" not in context_words()


def test_a_password_change_refuses_them_too(user):
    client = Client()
    client.post("/account/login/", {"login": user.username, "password": DEFAULT_PASSWORD})
    new = "my lifeline account password"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": new, "password2": new},
    )
    user.refresh_from_db()
    assert response.status_code == 200
    assert not user.check_password(new)
    assert user.check_password(DEFAULT_PASSWORD)
